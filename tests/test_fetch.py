"""Fetching through the one seam, against a local HTTP server on 127.0.0.1."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from conftest import BODY_DE, PAGE
from pipeline.fetch import Fetcher, FetchError, check_url, retry_after_seconds
from pipeline.inputs import resolve_inputs, url_id

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Presse</title>
<item><title>Eins</title><link>/news/1.html</link></item>
<item><title>Kaputt</title></item>
<item><title>Zwei</title><link>/news/2.html</link></item></channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>
<entry><title>One</title><link rel="alternate" href="/news/1.html"/></entry></feed>"""


def page(title: str) -> str:
    return PAGE.format(title=title, body=BODY_DE)


def test_page_is_stored_once_with_manifest(server, fetch_settings):
    server.add("/a.html", body=page("Pankow unterzeichnet"))
    fetcher = Fetcher(fetch_settings)
    first = fetcher.get(server.base + "/a.html")
    again = Fetcher(fetch_settings).get(server.base + "/a.html")  # a new run: read from the store
    assert first.status == 200 and not first.from_cache and again.from_cache
    assert server.hits["/a.html"] == 1
    record = json.loads((fetch_settings.raw_dir / "manifest.jsonl").read_text().splitlines()[0])
    assert set(record) >= {"url", "fetched_at", "sha256", "http_status"} and record["http_status"] == 200
    assert first.path.read_bytes().decode("utf-8").startswith("<!doctype html>")


def test_404_is_a_fetch_error_with_status(server, fetch_settings):
    with pytest.raises(FetchError) as err:
        Fetcher(fetch_settings).get(server.base + "/missing.html")
    assert err.value.status == 404


def test_redirect_is_followed_and_loop_detected(server, fetch_settings):
    server.add("/old", status=301, headers={"Location": "/new"})
    server.add("/new", body=page("Neu"))
    server.add("/loop1", status=302, headers={"Location": "/loop2"})
    server.add("/loop2", status=302, headers={"Location": "/loop1"})
    fetched = Fetcher(fetch_settings).get(server.base + "/old")
    assert fetched.final_url.endswith("/new") and fetched.status == 200
    with pytest.raises(FetchError, match="loop"):
        Fetcher(fetch_settings).get(server.base + "/loop1")


def test_redirect_to_other_scheme_is_refused(server, fetch_settings):
    server.add("/evil", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="scheme"):
        Fetcher(fetch_settings).get(server.base + "/evil")


def test_slow_page_times_out(server, fetch_settings):
    server.add("/slow", body=page("Langsam"), delay=1.5)
    settings = replace(fetch_settings, timeout=0.3, retries=0)
    with pytest.raises(FetchError, match="network error"):
        Fetcher(settings).get(server.base + "/slow")


def test_size_limit(server, fetch_settings):
    server.add("/big", body=b"<html>" + b"x" * 300_000)
    with pytest.raises(FetchError, match="larger"):
        Fetcher(fetch_settings).get(server.base + "/big")


def test_429_is_retried_honouring_retry_after(server, fetch_settings):
    def flaky(hit):
        if hit == 1:
            return 429, {"Retry-After": "0"}, b"slow down"
        return 200, {"Content-Type": "text/html"}, page("Wieder da").encode()
    server.table["/busy"] = (200, {}, flaky, 0.0)
    waits = []
    fetched = Fetcher(fetch_settings, sleep=waits.append).get(server.base + "/busy")
    assert fetched.status == 200 and server.hits["/busy"] == 2 and waits == [0.0]


def test_503_gives_up_after_retries(server, fetch_settings):
    server.add("/down", status=503, body="down")
    with pytest.raises(FetchError) as err:
        Fetcher(fetch_settings, sleep=lambda s: None).get(server.base + "/down")
    assert err.value.status == 503 and server.hits["/down"] == fetch_settings.retries + 1


def test_robots_txt_is_respected(server, fetch_settings):
    server.add("/robots.txt", body="User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"})
    server.add("/private/x.html", body=page("Geheim"))
    with pytest.raises(FetchError, match="robots"):
        Fetcher(fetch_settings).get(server.base + "/private/x.html")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)"])
def test_only_http_schemes(url):
    with pytest.raises(FetchError, match="scheme"):
        check_url(url, allow_private_hosts=True)


def test_private_hosts_refused_unless_allowed():
    with pytest.raises(FetchError, match="private"):
        check_url("http://127.0.0.1:9/x", allow_private_hosts=False)
    check_url("http://127.0.0.1:9/x", allow_private_hosts=True)


def test_retry_after_parsing():
    assert retry_after_seconds("3", 1.0) == 3.0
    assert retry_after_seconds(None, 1.5) == 1.5
    assert retry_after_seconds("soon", 2.0) == 2.0
    assert retry_after_seconds("100000", 1.0) == 60.0


def test_rss_feed_expands_to_items_and_skips_broken_entries(server, fetch_settings):
    server.add("/feed.xml", body=FEED, headers={"Content-Type": "application/rss+xml"})
    server.add("/news/1.html", body=page("Eins"))
    server.add("/news/2.html", body=page("Zwei"))
    sources = resolve_inputs([server.base + "/feed.xml"], lambda: Fetcher(fetch_settings))
    assert [s.url for s in sources] == [server.base + "/news/1.html", server.base + "/news/2.html"]
    assert all(s.error is None and s.path for s in sources)


def test_atom_feed_and_non_html_file(server, fetch_settings):
    server.add("/atom.xml", body=ATOM, headers={"Content-Type": "application/atom+xml"})
    server.add("/news/1.html", body=page("Eins"))
    server.add("/doc.pdf", body=b"%PDF-1.4 binary", headers={"Content-Type": "application/pdf"})
    sources = resolve_inputs([server.base + "/atom.xml", server.base + "/doc.pdf"], lambda: Fetcher(fetch_settings))
    assert len(sources) == 2 and sources[1].path  # the PDF is fetched; extraction gives it a status


def test_url_list_file_and_failed_url_keeps_a_source(server, fetch_settings, tmp_path):
    server.add("/ok.html", body=page("Gut"))
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# press releases\n{server.base}/ok.html\n\n{server.base}/gone.html\n")
    sources = resolve_inputs([str(listing)], lambda: Fetcher(fetch_settings))
    assert len(sources) == 2
    assert sources[0].error is None and "404" in sources[1].error and sources[1].http_status == 404


def test_url_ids_are_stable_slugs():
    assert url_id("https://www.berlin.de/ba-pankow/presse/123.php") == "www-berlin-de-ba-pankow-presse-123-php"
    long = url_id("https://example.org/" + "a" * 300)
    assert len(long) <= 80 and long == url_id("https://example.org/" + "a" * 300)
