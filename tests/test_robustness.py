"""Robustness: broken inputs, network faults and interrupted runs get a status and lose nothing.

Each case of the robustness issue has a test here; network faults use the local HTTP server on
127.0.0.1 (tests/conftest.py); the tests that run the whole pipeline are marked slow.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from conftest import BODY_DE, FIXTURES, PAGE
from pipeline.cache import ResultCache
from pipeline.cli import main
from pipeline.extract import MAX_TEXT_CHARS, extract_article
from pipeline.fetch import Fetcher, FetchError, RawStore, check_url, read_limited, retry_after_seconds
from pipeline.inputs import resolve_inputs
from pipeline.language import majority_language, with_language
from pipeline.nlp import EntityFinder
from pipeline.records import Source
from pipeline.run import STATUSES, run
from pipeline.settings import ROOT, SAMPLES_DIR, Settings

ROBUST = FIXTURES / "robustness"
SAMPLES = SAMPLES_DIR / "articles"
EN_BODY = ("The City of Exampleton signed the Covenant of Mayors for Climate and Energy on 12 March 2024. "
           "Lord Mayor Jane Sample said the council would cut emissions by half before 2030. "
           "The covenant brings together thousands of local governments across Europe.")
TABLES = ("articles", "entities", "signatures", "partnerships", "events")


def page(title: str, body: str = BODY_DE) -> str:
    return PAGE.format(title=title, body=body)


def write(tmp_path: Path, name: str, data: bytes) -> Source:
    path = tmp_path / name
    path.write_bytes(data)
    return Source(path.stem, str(path), path=str(path))


def status_of(source: Source) -> tuple[str, object]:
    article = with_language(extract_article(source), ("de", "en"), min_chars=200, min_prob=0.5)
    return article.status, article


# ---------------------------------------------------------------- bad input files


BAD_FILES = [
    ("empty.html", b"", "empty"),
    ("blank.txt", b" \r\n\t\n", "empty"),
    ("random.html", bytes((i * 131 + 7) % 256 for i in range(20000)), "not_html"),
    ("image.html", b"\x89PNG\r\n\x1a\n" + bytes(2000), "not_html"),
    ("gzip.html", b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4, "not_html"),
    ("report.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "not_html"),
    ("report.html", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\nstream\x00\x01\x02", "not_html"),
    ("tags-only.html", b"<html><head><title></title></head><body><div></div></body></html>", "empty"),
    ("short.txt", "Kurz\nDie Stadt hat unterschrieben.".encode(), "too_short"),
]


@pytest.mark.parametrize("name,data,status", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_get_a_status_and_one_line_error(tmp_path, name, data, status):
    got, article = status_of(write(tmp_path, name, data))
    assert got == status and article.error and "\n" not in article.error


FIXTURE_CASES = [
    ("truncated.html", "ok", "de", ["Oberbürgermeisterin Petra Muster unterzeichnete die Beitrittserklärung"]),
    ("malformed.html", "ok", "de", ["um weitere zehn Jahre verlängert", "umfasst Schulaustausch"]),
    ("cp1252-ohne-charset.html", "ok", "de", ["„Ohne die Freiwilligen wäre unser Gemeindeleben ärmer“",
                                              "5.000 € dotiert", "Bürgermeisterin Jutta Weiß"]),
    ("latin1-declared.html", "ok", "de", ["„Ohne die Freiwilligen wäre unser Gemeindeleben ärmer“"]),
    ("fr-lyon.txt", "unsupported_language", "fr", []),
    ("pl-krakow.txt", "unsupported_language", "pl", []),
    ("it-bologna.txt", "unsupported_language", "it", []),
    ("mixed-de-en.txt", "ok", "de", ["We are delighted to be back in Musterstadt."]),
    ("mixed-en-de.txt", "ok", "en", ["Wir freuen uns sehr, wieder in Exeter zu sein."]),
]


@pytest.mark.parametrize("name,status,language,contains", FIXTURE_CASES, ids=[c[0] for c in FIXTURE_CASES])
def test_team_written_broken_inputs(name, status, language, contains):
    got, article = status_of(Source(Path(name).stem, str(ROBUST / name), path=str(ROBUST / name)))
    assert got == status and article.language == language
    for text in contains:
        assert text in article.text
    assert not any("\x80" <= ch <= "\x9f" for ch in article.text)  # no C1 controls from a wrong decoding


def test_page_of_only_navigation_is_empty():
    got, article = status_of(Source("nav", str(FIXTURES / "pages" / "nav-only.html"),
                                    path=str(FIXTURES / "pages" / "nav-only.html")))
    assert got == "empty" and "navigation" in article.error


@pytest.mark.parametrize("encoding,prefix", [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                                             ("utf-16-be", b"\xfe\xff")])
@pytest.mark.parametrize("suffix", [".html", ".txt"])
def test_byte_order_marks(tmp_path, encoding, prefix, suffix):
    text = page("Grüße aus Pankow") if suffix == ".html" else f"Grüße aus Pankow\n{BODY_DE}"
    got, article = status_of(write(tmp_path, f"bom{suffix}", prefix + text.encode(encoding)))
    assert got == "ok" and article.title == "Grüße aus Pankow" and "\ufeff" not in article.text
    assert "Bezirksbürgermeisterin" in article.text


def test_latin1_page_without_charset_keeps_umlauts(tmp_path):
    html = page("Bürgermeisterin grüßt").replace('<meta charset="utf-8">', "")
    got, article = status_of(write(tmp_path, "latin1.html", html.encode("iso-8859-1")))
    assert got == "ok" and article.title == "Bürgermeisterin grüßt" and "schließt" in article.text


def test_control_characters_are_removed(tmp_path):
    noisy = BODY_DE.replace(" ", " \x00", 3).replace(".", ".\x07\x1b\x7f\x85", 2) + "\u2028Ende\ufeff."
    for name, data in [("c.txt", f"Titel\x0c\n{noisy}".encode()), ("c.html", page("Titel\x01", noisy).encode())]:
        got, article = status_of(write(tmp_path, name, data))
        assert got == "ok", name
        assert not any(ord(ch) < 32 and ch != "\n" or 0x7f <= ord(ch) <= 0x9f for ch in article.text), name
        assert "\ufeff" not in article.text and "\u2028" not in article.text


def test_fifty_megabyte_page_is_refused_quickly(tmp_path):
    path = tmp_path / "huge.html"
    with path.open("wb") as fh:
        fh.write(b"<html><body><article><p>")
        fh.write(b"Die Stadt hat die Charta unterzeichnet. " * (50 * 1024 * 1024 // 40))
    started = time.monotonic()
    article = extract_article(Source("huge", str(path), path=str(path)), max_bytes=10_000_000)
    assert article.status == "fetch_error" and "larger than" in article.error
    assert time.monotonic() - started < 2.0


def test_text_over_the_analysis_limit_is_an_extract_error(tmp_path):
    text = "Titel\n" + "Die Stadt hat die Charta der Vielfalt unterzeichnet. " * (MAX_TEXT_CHARS // 50 + 10)
    got, article = status_of(write(tmp_path, "long.txt", text.encode()))
    assert got == "extract_error" and "limit" in article.error and article.sha256


@pytest.mark.parametrize("found,expected", [
    ([("de", 0.45), ("en", 0.40), ("nl", 0.15)], "de"),  # mixed German/English: the majority goes on
    ([("en", 0.48), ("de", 0.47), ("fr", 0.05)], "en"),
    ([("fr", 0.45), ("de", 0.40), ("en", 0.15)], None),  # majority French
    ([("de", 0.35), ("fr", 0.33), ("it", 0.32)], None),  # no clear majority of supported languages
    ([], None),
])
def test_majority_language_of_mixed_text(found, expected):
    got = majority_language(found, ("de", "en"), 0.5)
    assert (got[0] if got else None) == expected


# ---------------------------------------------------------------- network faults


@pytest.mark.parametrize("status", [403, 404, 410, 500])
def test_http_errors_are_fetch_errors_without_retry(server, fetch_settings, status):
    server.add("/x.html", status=status, body="nope")
    with pytest.raises(FetchError) as err:
        Fetcher(fetch_settings, sleep=lambda s: None).get(server.base + "/x.html")
    assert err.value.status == status and server.hits["/x.html"] == 1


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("retry_after,wait", [("2", 2.0), (None, 0.01), ("later", 0.01)])
def test_429_and_503_are_retried_honouring_retry_after(server, fetch_settings, status, retry_after, wait):
    def flaky(hit):
        if hit == 1:
            return status, {"Retry-After": retry_after} if retry_after else {}, b"busy"
        return 200, {"Content-Type": "text/html"}, page("Wieder da").encode()
    server.table["/busy"] = (200, {}, flaky, 0.0)
    waits: list[float] = []
    fetched = Fetcher(fetch_settings, sleep=waits.append).get(server.base + "/busy")
    assert fetched.status == 200 and server.hits["/busy"] == 2 and waits == [wait]


def test_retry_after_http_date_and_backoff_doubles(server, fetch_settings):
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after_seconds(when, 1.0) <= 30
    server.add("/down", status=503, body="down")
    waits: list[float] = []
    with pytest.raises(FetchError) as err:
        Fetcher(replace(fetch_settings, retries=3, backoff=0.5), sleep=waits.append).get(server.base + "/down")
    assert err.value.status == 503 and waits == [0.5, 1.0, 2.0] and server.hits["/down"] == 4


def test_connection_refused_is_retried_then_fails(fetch_settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends: nothing listens there
    waits: list[float] = []
    with pytest.raises(FetchError, match="network error") as err:
        Fetcher(fetch_settings, sleep=waits.append).get(f"http://127.0.0.1:{port}/x.html")
    assert err.value.status is None and len(waits) == fetch_settings.retries


def test_timeout_before_headers(server, fetch_settings):
    server.add("/slow", body=page("Langsam"), delay=1.0)
    with pytest.raises(FetchError, match="network error"):
        Fetcher(replace(fetch_settings, timeout=0.2, retries=1), sleep=lambda s: None).get(server.base + "/slow")
    assert server.hits["/slow"] == 2


def test_slow_drip_is_cut_off_by_the_total_read_timeout(server, fetch_settings):
    server.add("/drip", body=page("Tropfen"), drip=0.05)  # 16 bytes every 50 ms: never a read timeout
    settings = replace(fetch_settings, timeout=0.3, retries=0)  # total read budget 0.9 s
    started = time.monotonic()
    with pytest.raises(FetchError, match="slow drip"):
        Fetcher(settings).get(server.base + "/drip")
    assert time.monotonic() - started < 2.0


def test_truncated_transfer_is_a_fetch_error(server, fetch_settings):
    server.add("/cut", body=page("Abgeschnitten"), truncate=100)
    with pytest.raises(FetchError, match="network error"):
        Fetcher(fetch_settings, sleep=lambda s: None).get(server.base + "/cut")


def test_redirect_loop_and_too_many_redirects(server, fetch_settings):
    for i in range(8):
        server.add(f"/r{i}", status=302, headers={"Location": f"/r{i + 1}"})
    server.add("/self", status=301, headers={"Location": "/self"})
    with pytest.raises(FetchError, match="loop"):
        Fetcher(fetch_settings).get(server.base + "/self")
    with pytest.raises(FetchError, match="redirects"):
        Fetcher(fetch_settings).get(server.base + "/r0")


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/",
                                      "data:text/html,<p>x</p>", "javascript:alert(1)"])
def test_redirect_to_other_scheme_is_refused(server, fetch_settings, location):
    server.add("/evil", status=302, headers={"Location": location})
    with pytest.raises(FetchError, match="scheme"):
        Fetcher(fetch_settings).get(server.base + "/evil")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)",
                                 "data:text/html,hi", "gopher://example.org/", "//example.org/x"])
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(FetchError, match="scheme"):
        check_url(url, allow_private_hosts=True)


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://localhost/", "http://10.1.2.3/", "http://172.16.0.1/",
                                 "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
                                 "http://[fe80::1]/", "http://[fc00::1]/", "http://0.0.0.0/", "http://100.64.0.1/",
                                 "http://[::ffff:127.0.0.1]/", "http://224.0.0.1/", "http://127.1/"])
def test_private_loopback_and_link_local_are_refused_unless_allowed(url):
    with pytest.raises(FetchError, match="private"):
        check_url(url, allow_private_hosts=False)
    check_url(url, allow_private_hosts=True)


@pytest.mark.parametrize("url", ["http://[::1", "http://example.org:99999/", "http://exa mple.org/"])
def test_malformed_urls_become_fetch_error_rows(fetch_settings, url):
    sources = resolve_inputs([url], lambda: Fetcher(replace(fetch_settings, allow_private_hosts=False)))
    assert len(sources) == 1 and sources[0].error and sources[0].id
    assert extract_article(sources[0]).status == "fetch_error"


def test_robots_txt_is_respected_and_a_broken_one_allows(server, fetch_settings):
    server.add("/robots.txt", body="User-agent: *\nDisallow: /intern/\n", headers={"Content-Type": "text/plain"})
    server.add("/intern/a.html", body=page("Intern"))
    server.add("/presse/a.html", body=page("Presse"))
    fetcher = Fetcher(fetch_settings)
    with pytest.raises(FetchError, match="robots"):
        fetcher.get(server.base + "/intern/a.html")
    assert fetcher.get(server.base + "/presse/a.html").status == 200
    assert "/intern/a.html" not in server.hits and server.hits["/robots.txt"] == 1


@pytest.mark.parametrize("content_type,body,status", [
    ("image/png", page("Gut getarnt").encode(), "ok"),  # HTML served as an image
    ("text/html; charset=utf-8", b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not_html"),  # a PDF served as HTML
    ("text/html", b"\x89PNG\r\n\x1a\n" + bytes(500), "not_html"),
    ("application/octet-stream", b"", "empty"),
    ("text/html; charset=utf-8", page("Falscher Zeichensatz").encode("cp1252"), "ok"),  # charset lie
])
def test_content_type_lies_get_the_right_status(server, fetch_settings, content_type, body, status):
    server.add("/lie", body=body, headers={"Content-Type": content_type})
    sources = resolve_inputs([server.base + "/lie"], lambda: Fetcher(fetch_settings))
    got, article = status_of(sources[0])
    assert got == status
    if status == "ok":
        assert "Bezirksbürgermeisterin" in article.text


FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Presse</title>
<item><title>Eins</title><link>/news/1.html</link></item>
<item><title>Ohne Link</title></item>
<item><title>Leer</title><link>   </link></item>
<item><title>Datei</title><link>file:///etc/passwd</link></item>
<item><title>Weg</title><link>/news/gone.html</link></item>
<item><title>Zwei</title><link>/news/2.html</link></item>
<item><title>Kaputt &amp; <b>unclosed</title><link>/news/3.html</link>
</channel>"""  # the last item is cut off and misnested: the recovering parser drops it


def test_feed_with_broken_entries_gives_a_row_per_usable_entry(server, fetch_settings):
    server.add("/feed.xml", body=FEED, headers={"Content-Type": "application/rss+xml"})
    for i in (1, 2):
        server.add(f"/news/{i}.html", body=page(f"Meldung {i}"))
    sources = resolve_inputs([server.base + "/feed.xml"], lambda: Fetcher(fetch_settings))
    by_path = {s.url.replace(server.base, ""): s for s in sources}
    assert list(by_path) == ["/news/1.html", "file:///etc/passwd", "/news/gone.html", "/news/2.html"]
    assert "scheme" in by_path["file:///etc/passwd"].error and by_path["/news/gone.html"].http_status == 404
    assert all(by_path[f"/news/{i}.html"].error is None for i in (1, 2))


@pytest.mark.parametrize("body", [b"<?xml version='1.0'?><rss><channel>\x00\x01\xff", b"<?xml version='1.0'?><rss/>"])
def test_unreadable_feed_is_one_fetch_error_row(server, fetch_settings, body):
    server.add("/feed.xml", body=body, headers={"Content-Type": "application/rss+xml"})
    sources = resolve_inputs([server.base + "/feed.xml"], lambda: Fetcher(fetch_settings))
    assert len(sources) == 1 and "feed" in sources[0].error


def test_url_list_with_refused_schemes_gives_rows(server, fetch_settings, tmp_path):
    server.add("/ok.html", body=page("Gut"))
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{server.base}/ok.html\nfile:///etc/passwd\nftp://example.org/x\n")
    sources = resolve_inputs([str(listing)], lambda: Fetcher(fetch_settings))
    assert [s.error is None for s in sources] == [True, False, False]
    assert all("scheme" in s.error for s in sources[1:])


def test_manifest_cut_off_by_a_killed_run_is_tolerated(server, fetch_settings):
    server.add("/a.html", body=page("A"))
    server.add("/b.html", body=page("B"))
    Fetcher(fetch_settings).get(server.base + "/a.html")
    manifest = fetch_settings.raw_dir / "manifest.jsonl"
    manifest.write_text(manifest.read_text() + '{"url": "http://half-writ')  # killed mid-append
    fetcher = Fetcher(fetch_settings)
    assert fetcher.get(server.base + "/a.html").from_cache
    fetcher.get(server.base + "/b.html")
    assert set(RawStore(fetch_settings.raw_dir)._by_url) == {server.base + "/a.html", server.base + "/b.html"}


def test_read_limited_stops_at_the_size_limit():
    class Endless:
        def read1(self, n):
            return b"x" * n
    with pytest.raises(FetchError, match="larger"):
        read_limited(Endless(), max_bytes=1_000_000, total_timeout=10)


# ---------------------------------------------------------------- whole runs


@pytest.fixture(scope="module")
def finder():
    return EntityFinder(Settings())


def make_inputs(folder: Path) -> dict[str, str]:
    """One input per case (file name -> expected status), written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, data, status in BAD_FILES:
        if name.endswith((".html", ".htm", ".txt")):
            (folder / name).write_bytes(data)
            expected[Path(name).stem] = status
    for name, status, _lang, _contains in FIXTURE_CASES:
        (folder / name).write_bytes((ROBUST / name).read_bytes())
        expected[Path(name).stem] = status
    (folder / "same-1.html").write_text(page("Pankow unterzeichnet Charta"), encoding="utf-8")
    (folder / "same-2.txt").write_text(f"Pankow unterzeichnet Charta\n{BODY_DE}", encoding="utf-8")
    long = "Titel\n" + "Die Stadt hat die Charta der Vielfalt unterzeichnet. " * (MAX_TEXT_CHARS // 50 + 10)
    (folder / "too-long.txt").write_text(long, encoding="utf-8")
    sentence = "Titel\n" + ("Die Stadt Leipzig und die Stadt Dresden, " * 500) + "unterzeichneten die Charta."
    (folder / "long-sentence.txt").write_text(sentence, encoding="utf-8")
    (folder / "controls.txt").write_text(f"Titel\x00\n{EN_BODY}\x07\x1b", encoding="utf-8")
    expected.update({"same-1": "ok", "same-2": "duplicate", "too-long": "extract_error",
                     "long-sentence": "ok", "controls": "ok"})
    return expected


@pytest.mark.slow
def test_every_input_gets_a_row_and_the_run_never_crashes(tmp_path, finder, server, fetch_settings):
    expected = make_inputs(tmp_path / "in")
    server.add("/same1.html", body=page("Gleiche Meldung", EN_BODY))
    server.add("/same2.html", body=page("Gleiche Meldung", EN_BODY).replace("Startseite", "Home"))
    server.add("/teapot.html", status=500)
    urls = [server.base + p for p in ("/same1.html", "/same2.html", "/teapot.html", "/gone.html")]
    settings = replace(Settings(), fetch=fetch_settings)
    result = run([str(tmp_path / "in"), *urls, "file:///etc/passwd"], tmp_path / "out", settings,
                 cache_dir=tmp_path / "cache", finder=finder, progress=False)
    table = pd.read_csv(result.tables["articles"], keep_default_na=False).set_index("id")
    expected.update({"127-0-0-1-same1-html": "ok", "127-0-0-1-same2-html": "duplicate",
                     "127-0-0-1-teapot-html": "fetch_error", "127-0-0-1-gone-html": "fetch_error",
                     "etc-passwd": "fetch_error"})
    assert table.status.to_dict() == expected  # every input once, with its status: no row lost
    assert set(table.status) <= set(STATUSES) and result.exit_code == 1
    assert all(table.error[i] and "\n" not in table.error[i] for i in table.index if table.status[i] != "ok")
    assert table.duplicate_of["127-0-0-1-same2-html"] == "127-0-0-1-same1-html"
    assert table.duplicate_of["same-2"] == "same-1"
    assert table.source["127-0-0-1-same2-html"] == server.base + "/same2.html"  # both sources recorded
    events = pd.read_csv(result.tables["events"], keep_default_na=False)
    assert not any("same2" in a for a in events.articles)  # the duplicate is counted once
    assert dict(result.status_counts) == dict(table.status.value_counts())


@pytest.mark.slow
def test_cli_summary_counts_every_status_and_exit_codes(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.html").write_bytes(b"")
    (folder / "fr.txt").write_bytes((ROBUST / "fr-lyon.txt").read_bytes())
    args = ["--cache-dir", str(tmp_path / "c"), "--no-progress", "extract", str(folder), "--out", str(tmp_path / "o")]
    assert main(args) == 0  # empty and other-language inputs are processed, not failed
    err = capsys.readouterr().err
    for status in STATUSES:
        assert f"{status} {dict(empty=1, unsupported_language=1).get(status, 0)}" in err
    (folder / "doc.html").write_bytes(b"%PDF-1.4")
    assert main(args) == 1
    (tmp_path / "file").write_text("x")
    assert main(args[:-1] + [str(tmp_path / "file")]) == 2  # --out is a file: one line, exit 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("error:")


class FailingFinder(EntityFinder):
    """The real finder, except that spaCy fails on texts containing BOOM."""

    def docs(self, articles):
        if any("BOOM" in a.text for a in articles):
            raise ValueError("[E088] Text of length 2000000 exceeds maximum of 1000000.")
        return super().docs(articles)


@pytest.mark.slow
def test_a_failing_article_in_a_batch_fails_alone_and_is_not_cached(tmp_path, finder):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(f"Pankow unterzeichnet\n{BODY_DE}", encoding="utf-8")
    (folder / "b.txt").write_text(f"BOOM Pankow\n{BODY_DE} Noch ein Satz.", encoding="utf-8")
    (folder / "c.txt").write_text(f"Pankow zum dritten\n{BODY_DE} Ein anderer Satz.", encoding="utf-8")
    failing = FailingFinder(Settings())
    failing._nlp, failing._cities = finder._nlp, finder._cities  # share the loaded pipelines
    result = run([str(folder)], None, Settings(), cache_dir=tmp_path / "c", finder=failing, progress=False)
    assert [r.article.status for r in result.results] == ["ok", "extract_error", "ok"]
    assert "E088" in result.results[1].article.error and result.exit_code == 1
    cache = ResultCache(tmp_path / "c")
    assert cache.get(result.results[0].article.sha256) and cache.get(result.results[1].article.sha256) is None
    again = run([str(folder)], None, Settings(), cache_dir=tmp_path / "c", finder=finder, progress=False)
    assert again.nlp_articles == 1 and again.exit_code == 0  # only the failed one is tried again


@pytest.mark.slow
def test_corrupt_cache_entries_are_recomputed(tmp_path, finder):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(f"Pankow unterzeichnet\n{BODY_DE}", encoding="utf-8")
    first = run([str(folder)], None, Settings(), cache_dir=tmp_path / "c", finder=finder, progress=False)
    entry = next(p for p in (tmp_path / "c").rglob("*.json") if "articles" not in p.parent.parts)  # a result
    entry.write_text(entry.read_text()[:50])  # as if cut off
    again = run([str(folder)], None, Settings(), cache_dir=tmp_path / "c", finder=finder, progress=False)
    assert again.nlp_articles == 1 and again.results[0].mentions == first.results[0].mentions


# ---------------------------------------------------------------- interrupted runs (real subprocesses)


def article_copies(folder: Path, n: int = 40) -> Path:
    """``n`` distinct articles: the team's samples with a distinguishing last line."""
    folder.mkdir(parents=True)
    samples = sorted(SAMPLES.iterdir())
    for i in range(n):
        src = samples[i % len(samples)]
        data = src.read_text(encoding="utf-8")
        if src.suffix == ".html":  # into the first paragraph after the headline, so the extracted texts differ
            end = data.index("</p>", data.index("<p>", data.index("</h1>")))
            data = f"{data[:end]} Kopie {i} der Meldung.{data[end:]}"
        else:
            data += f"\nKopie {i} der Meldung.\n"
        (folder / f"{src.stem}-{i:02d}{src.suffix}").write_text(data, encoding="utf-8")
    return folder


def start_cli(inputs: Path, out: Path, cache: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "pipeline", "--cache-dir", str(cache), "--no-progress", "extract", str(inputs),
           "--out", str(out)]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def wait_for_cached(cache: Path, more_than: int, proc: subprocess.Popen, limit: float = 180.0) -> int:
    """Wait until the cache holds more than ``more_than`` results (or the process ends); return the count."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        count = cached_results(cache)
        if count > more_than:
            return count
        time.sleep(0.02)
    raise AssertionError(f"no new cached result (process exit {proc.poll()})")


def settled_count(cache: Path, quiet: float = 2.0, limit: float = 120.0) -> int:
    """The number of cached results once it has not changed for ``quiet`` seconds."""
    deadline, count, since = time.monotonic() + limit, cached_results(cache), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        time.sleep(0.1)
        now = cached_results(cache)
        if now != count:
            count, since = now, time.monotonic()
    return count


def cached_results(cache: Path) -> int:
    """Result entries in a cache folder (not its store of extracted articles)."""
    return sum(1 for p in cache.rglob("*.json") if "articles" not in p.parent.parts)


def tables_bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / f"{name}.csv").read_bytes() for name in TABLES if (out / f"{name}.csv").exists()}


def assert_complete_or_previous(out: Path, previous: dict[str, bytes]) -> None:
    """No truncated CSV: each table is the previous complete one (a killed run writes nothing partial)."""
    now = tables_bytes(out)
    assert now == previous
    for name in TABLES:
        pd.read_csv(out / f"{name}.csv")  # parses completely


@pytest.mark.slow
def test_killed_and_interrupted_runs_resume_and_lose_nothing(tmp_path, finder):
    inputs, out, cache = article_copies(tmp_path / "in"), tmp_path / "out", tmp_path / "cache"
    run([str(SAMPLES)], out, Settings(), cache_dir=tmp_path / "prev-cache", finder=finder, progress=False)
    previous = tables_bytes(out)  # tables of an earlier run in the same folder

    proc = start_cli(inputs, out, cache)
    wait_for_cached(cache, 0, proc)
    proc.kill()  # kill -9: no cleanup at all
    proc.wait(timeout=30)
    assert_complete_or_previous(out, previous)
    after_kill = settled_count(cache)  # its orphaned workers store the chunk they are on, then end

    proc = start_cli(inputs, out, cache)
    wait_for_cached(cache, after_kill, proc)
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "run the same command again" in stderr and "Traceback" not in stderr, stderr
    assert_complete_or_previous(out, previous)
    assert not list(out.glob(".*.tmp"))
    after_interrupt = cached_results(cache)
    assert after_kill < after_interrupt < 40

    proc = start_cli(inputs, out, cache)
    _stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    nlp_work = int(stderr.split("NLP work on ")[1].split()[0])
    assert nlp_work == 40 - after_interrupt  # only the missing work is done
    fresh = run([str(inputs)], tmp_path / "fresh", Settings(), cache_dir=tmp_path / "fresh-cache", finder=finder,
                progress=False)
    assert fresh.nlp_articles == 40
    assert tables_bytes(out) == tables_bytes(tmp_path / "fresh")  # same tables as an uninterrupted run
    assert len(pd.read_csv(out / "articles.csv")) == 40
    assert dict(fresh.status_counts) == {"ok": 40}

