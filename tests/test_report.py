"""The HTML review report (pipeline/report.py) and the Parquet writer; a headless-Chromium check of the page.

Fast tests build records by hand. The slow ones run the pipeline on the sample articles once per
module (one EntityFinder), evaluate them, write the report and open it in headless Chromium (Debian's
``chromium``; installed with apt-get when missing and possible, else the browser test is skipped).
The browser's screenshot is kept under ``$REPORT_ARTIFACTS`` (default ``outputs/test-artifacts/``);
with ``UPDATE_SCREENSHOT=1`` it is also copied to ``docs/report.png`` for the README.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from pipeline.records import Article, ArticleResult, City, Mention, Partnership, PersonName, Signature
from pipeline.report import REPORT_NAME, Span, render_text, write_report, write_run_report
from pipeline.settings import ROOT, SAMPLES_DIR, Settings
from pipeline.tables import COLUMNS, build_frames, write_parquet

TEXT = ("Pankow unterzeichnet Charta <b>&</b>\n"
        "Am 4. Juni 2024 unterzeichnete Erika Beispiel für Pankow die Charta der Vielfalt. "
        "Pankow ist Mitglied im Netzwerk Mayors for Peace.")
SENT2 = TEXT.index("Am 4. Juni")
SENT3 = TEXT.index("Pankow ist")
ARTIFACTS = Path(os.environ.get("REPORT_ARTIFACTS", ROOT / "outputs" / "test-artifacts"))


# --------------------------------------------------------------------------- helpers


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = [m.start() for m in re.finditer(re.escape(needle), text)][nth]
    return start, start + len(needle)


def synthetic(article_id: str = "de-pankow", text: str = TEXT, title: str | None = None) -> ArticleResult:
    """One article with a city, a date, a person, a signature and a partnership."""
    art = Article(article_id, f"{article_id}.txt", None, title or text.split("\n")[0], text, "2024-06-05",
                  language="de", language_probability=0.99, sha256="ab" * 32)
    city = City("Pankow", 2855598, "DE", "borough")
    s2, e2 = SENT2, SENT3 - 1
    mentions = [Mention("CITY", "Pankow", 0, 6, 0, SENT2 - 1, city=city, source="gazetteer"),
                Mention("DATE", "4. Juni 2024", *at(text, "4. Juni 2024"), s2, e2, iso_date="2024-06-04",
                        source="date_rules"),
                Mention("PERSON", "Erika Beispiel", *at(text, "Erika Beispiel"), s2, e2,
                        person=PersonName("Erika Beispiel", role="Bezirksbürgermeisterin"), source="PER"),
                Mention("CITY", "Pankow", *at(text, "Pankow", 1), s2, e2, city=city, source="gazetteer"),
                Mention("ORG", "Mayors for Peace", *at(text, "Mayors for Peace"), SENT3, text.index(".", SENT3) + 1,
                        org="Mayors for Peace", source="ORG")]
    sig = Signature(article_id, "Pankow", 2855598, "city", "Charta der Vielfalt", "2024-06-04", "Erika Beispiel",
                    None, None, "signed", text[s2:e2], s2, e2)
    e3 = text.index(".", SENT3) + 1
    part = Partnership(article_id, "Mayors for Peace", "network", "Pankow", 2855598, "city", None, None, None,
                       text[SENT3:e3], SENT3, e3)
    return ArticleResult(art, mentions, [sig], [part])


def failed(article_id: str = "broken") -> ArticleResult:
    return ArticleResult(Article(article_id, f"{article_id}.html", None, "", "", None, status="not_html",
                                 error="not an HTML page"))


def report_of(results: list[ArticleResult], out: Path, **kwargs) -> str:
    path = write_report(results, build_frames(results, {}), out, **kwargs)
    assert path == out / REPORT_NAME
    return path.read_text(encoding="utf-8")


class Checker(HTMLParser):
    """Collects ids, local links, tags with classes, and checks that elements nest properly."""

    VOID = {"meta", "br", "input", "img", "link", "hr", "path", "use", "rect", "circle", "line", "polyline",
            "stop", "ellipse", "polygon"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.classes: list[tuple[str, str]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if "class" in a:
            self.classes.append((tag, a["class"]))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()


def check(page: str) -> Checker:
    c = Checker()
    c.feed(page)
    c.close()
    assert not c.problems, c.problems[:5]
    assert c.stack == [], c.stack
    return c


def classes(c: Checker, tag: str, cls: str) -> int:
    return sum(1 for t, k in c.classes if t == tag and cls in k.split())


def plain(fragment: str) -> str:
    """Text of an HTML fragment without the entity badges."""
    no_badges = re.sub(r'<span class="lbl">.*?</span>', "", fragment)
    return html.unescape(re.sub(r"<[^>]+>", "", no_badges))


# --------------------------------------------------------------------------- fast tests


def test_render_text_nests_crossing_spans_and_escapes():
    text = "a <script>x</script> & Berlin Mitte"
    spans = [Span(0, 20, 0, "span", "ev", ident="e1"), Span(15, 29, 1, "mark", "ent ent-CITY", "CITY x", "CITY"),
             Span(23, 35, 2, "mark", "rv rv-missed")]
    out = render_text(text, spans)
    check(f"<div>{out}</div>")
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert plain(out) == text
    assert out.count('id="e1"') == 1 and out.count('<span class="lbl">CITY</span>') == 1
    assert out.index('<span class="lbl">CITY</span>') > out.index("Berlin")


def test_report_links_every_row_to_its_evidence_and_highlights_entities(tmp_path):
    results = [synthetic(), failed()]
    page = report_of(results, tmp_path / "out")
    c = check(page)
    local = [h[1:] for h in c.hrefs if h.startswith("#")]
    evidence_links = [h for h in local if re.match(r"ev\d+-", h)]
    assert len(evidence_links) == 4  # 2 table rows + 2 per-article rows
    assert set(local) <= set(c.ids), set(local) - set(c.ids)
    assert {"t-signatures", "t-partnerships", "t-events", "chart-time", "chart-network"} <= set(c.ids)
    assert classes(c, "mark", "ent") == len(results[0].mentions)
    assert classes(c, "mark", "ent-PERSON") == 1 and classes(c, "span", "ev") == 2
    ev = re.search(r'<span class="ev" id="(ev0-\d+-\d+)"[^>]*>(.*?)</span>(?!<)', page, re.S)
    assert ev and plain(ev.group(2)).startswith("Am 4. Juni 2024")
    assert page.count("<svg") == 2 and "not_html" in page and "not an HTML page" in page
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in page and "<b>&</b>" not in page


def test_report_loads_nothing_from_outside(tmp_path):
    page = report_of([synthetic()], tmp_path)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"<(script|img|iframe|link)[^>]*\b(src|href)=", page, re.I)
    assert not re.search(r"url\((?!#)|@import|<!DOCTYPE svg", page, re.I)
    assert page.count("<script>") == 1 and page.count("<style>") == 1


def test_report_is_deterministic(tmp_path):
    results = [synthetic("a"), synthetic("b"), failed()]
    one = report_of(results, tmp_path / "x")
    two = report_of(results, tmp_path / "y")
    assert one == two


def test_summary_counts_statuses_languages_and_tops(tmp_path):
    other = synthetic("b", title="Zweite Meldung")
    page = report_of([synthetic("a"), other, failed()], tmp_path)
    summary = page[page.index('id="summary"'):page.index('id="tables"')]
    assert re.search(r"<b>3</b><span>articles</span>", summary) and re.search(r"<b>2</b><span>ok</span>", summary)
    assert re.search(r"<td>not_html</td><td>0</td><td>1</td><td>1</td>", summary)  # status x (de, —, total)
    assert re.search(r"<td>Charta der Vielfalt</td><td>1</td><td>2</td>", summary)  # 1 signatory, 2 articles
    assert re.search(r"<td>Mayors for Peace</td><td>network</td><td>1</td><td>2</td>", summary)
    assert ">2024-06<" in summary  # month on the time chart's axis


def eval_dir_with(tmp_path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    ev = tmp_path / "eval"
    ev.mkdir()
    entry = {"p": 0.5, "r": 0.25, "f1": 1 / 3, "tp": 1, "fp": 1, "fn": 3}
    lists = {name: {"all": entry} for name in ("cities", "persons")}
    lists["signatures"] = {"all": {"p": 1.0, "r": 1.0, "f1": 1.0, "tp": 1, "fp": 0, "fn": 0, "date_accuracy": 1.0,
                                   "date_hits": 1, "date_total": 1, "person_accuracy": None, "person_hits": 0,
                                   "person_total": 0}}
    (ev / "scores.json").write_text(json.dumps({"n_articles": 1, "articles": {"all": 1}, "lists": lists}))
    pd.DataFrame(rows, columns=["article", "list", "kind", "item"]).to_csv(ev / "errors.csv", index=False)
    return ev


def test_evaluation_adds_scores_and_marks_errors_in_the_text(tmp_path):
    ev = eval_dir_with(tmp_path, [("de-pankow", "persons", "missed", "Erika Beispiel"),
                                  ("de-pankow", "cities", "spurious", "Pankow (2855598)"),
                                  ("de-pankow", "organisations", "missed", "Bezirksamt Nirgendwo"),
                                  ("de-pankow", "partnerships", "spurious", "Mayors for Peace | Pankow (2855598)")])
    page = report_of([synthetic()], tmp_path / "out", eval_dir=ev)
    c = check(page)
    assert "t-scores" in c.ids and "<td>0.333</td>" in page and "1.000 (1/1)" in page and "n/a" in page
    missed = re.findall(r'<mark class="rv rv-missed"[^>]*>(.*?)</mark>', page)
    assert [plain(m) for m in missed] == ["Erika Beispiel"]
    spurious = re.findall(r'<mark class="rv rv-spurious" title="spurious \(cities\)[^>]*>(.*?)</mark>', page)
    assert [plain(m) for m in spurious] == ["Pankow", "Pankow", "Pankow"]  # headline, sentence 2, sentence 3
    assert "Bezirksamt Nirgendwo" in page and "(not found in the text)" in page
    assert "Evaluation: 4 item errors" in page


def test_no_evaluation_section_without_eval_files(tmp_path):
    page = report_of([synthetic()], tmp_path / "out", eval_dir=tmp_path / "missing")
    assert 'id="evaluation"' not in page and 'class="rv ' not in page and "item errors" not in page


def test_text_cap_keeps_every_evidence_anchor(tmp_path):
    results = [synthetic("a"), synthetic("b"), synthetic("c")]
    page = report_of(results, tmp_path, max_texts=1)
    c = check(page)
    assert classes(c, "div", "text") == 3 and classes(c, "div", "short") == 2
    local = {h[1:] for h in c.hrefs if h.startswith("#")}
    assert local <= set(c.ids) and sum(h.startswith("ev2-") for h in local) == 2
    assert "Full text for 1 of 3 articles" in page


def test_report_for_many_articles_stays_small(tmp_path):
    body = "Die Stadt Pankow arbeitet mit vielen Partnern zusammen. " * 30
    results = [synthetic(f"art-{i:04d}", TEXT + "\n" + body) for i in range(2000)]
    path = write_report(results, build_frames(results, {}), tmp_path)
    size = path.stat().st_size
    assert size < 6_000_000, size


def test_write_parquet_beside_the_csvs(tmp_path):
    frames = build_frames([synthetic(), failed()], {})
    paths = write_parquet(frames, tmp_path)
    assert set(paths) == set(COLUMNS) and all(p.suffix == ".parquet" for p in paths.values())
    for name, df in frames.items():
        back = pd.read_parquet(paths[name])
        assert list(back.columns) == list(COLUMNS[name])
        pd.testing.assert_frame_equal(back, df, check_dtype=False)
    assert str(pd.read_parquet(paths["signatures"])["geonames_id"].dtype) == "Int64"
    assert not list(tmp_path.glob(".*.tmp"))


# --------------------------------------------------------------------------- the real thing (slow)


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory) -> Path:
    """Run the samples once (one EntityFinder), evaluate them from the cache, write the report."""
    from pipeline.evaluate import evaluate
    from pipeline.nlp import EntityFinder
    from pipeline.run import run

    base = tmp_path_factory.mktemp("report")
    cache = base / "cache"
    result = run([str(SAMPLES_DIR / "articles")], None, Settings(), cache_dir=cache, finder=EntityFinder(Settings()),
                 progress=False)
    evaluate(SAMPLES_DIR, base / "eval", Settings(), cache_dir=cache, progress=False)
    return write_run_report(result, base / "out", eval_dir=base / "eval")


@pytest.mark.slow
def test_sample_report_shows_every_article_and_row(sample_report):
    page = sample_report.read_text(encoding="utf-8")
    c = check(page)
    ids = sorted(p.stem for p in (SAMPLES_DIR / "articles").iterdir())
    for article_id in ids:
        assert f'<small class="aid">{article_id}</small>' in page
    assert classes(c, "section", "article") == len(ids)
    local = {h[1:] for h in c.hrefs if h.startswith("#")}
    assert local <= set(c.ids)
    assert re.search(r"<td>Leipzig</td>", page) and "t-scores" in c.ids
    assert classes(c, "mark", "rv-missed") > 0 and classes(c, "mark", "rv-spurious") > 0
    for t in ("CITY", "PERSON", "ORG", "DATE"):
        assert classes(c, "mark", f"ent-{t}") > 1


# --------------------------------------------------------------------------- headless Chromium

BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


def find_chromium() -> str | None:
    for name in (os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def apt_possible() -> bool:
    return shutil.which("apt-get") is not None and hasattr(os, "geteuid") and os.geteuid() == 0


def apt_install_chromium() -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]
    if subprocess.run(cmd, env=env, capture_output=True, timeout=1200).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=600)
        subprocess.run(cmd, env=env, capture_output=True, timeout=1200, check=True)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None and apt_possible():
        apt_install_chromium()
        path = find_chromium()
        assert path, "apt-get installed chromium but no chromium binary is on PATH"
    if path is None:
        pytest.skip("no chromium binary, and apt-get is not usable here (needs root): browser test not run")
    return path


def browse(chromium: str, url: str, *args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([chromium, *BROWSER_FLAGS, f"--user-data-dir={profile}", *args, url],
                              capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dom_rows(dom: str, table_id: str) -> list:
    from lxml import html as lhtml

    tree = lhtml.fromstring(dom)
    return tree.xpath(f'//table[@id="{table_id}"]/tbody/tr')


@pytest.mark.slow
def test_report_in_headless_chromium(chromium, sample_report):
    from lxml import html as lhtml

    url = sample_report.resolve().as_uri()
    dom = browse(chromium, url, "--dump-dom")
    tree = lhtml.fromstring(dom)
    assert tree.xpath("//body/@data-ready") == ["1"], "the page's script did not run"
    for table_id, name in (("t-signatures", "signatures"), ("t-partnerships", "partnerships")):
        n_cols = len(COLUMNS[name]) - 2  # evidence offsets are not shown
        assert len(tree.xpath(f'//table[@id="{table_id}"]//th/button[@class="sort"]')) == n_cols
        assert tree.xpath(f'//table[@id="{table_id}"]/preceding-sibling::div[1]/input[@class="filter"]')
        assert tree.xpath(f'//table[@id="{table_id}"]/@data-visible') == [str(len(dom_rows(dom, table_id)))]
    assert tree.xpath('//div[@class="pager"]//span[@class="info"]/text()')[0].startswith("page 1 of 1")
    for t in ("CITY", "PERSON", "ORG", "DATE"):
        assert tree.xpath(f'//div[contains(@class,"text")]//mark[contains(@class,"ent-{t}")]'), t
    assert tree.xpath('//div[contains(@class,"text")]//span[@class="ev"][@id]')
    assert tree.xpath('//div[contains(@class,"text")]//mark[contains(@class,"rv-spurious")]')
    for chart in ("chart-time", "chart-network"):
        svg = tree.xpath(f'//figure[@id="{chart}"]//*[local-name()="svg"]')
        assert svg and len(svg[0].xpath('.//*[local-name()="text"]')) > 3, chart


@pytest.mark.slow
def test_tables_filter_and_sort_in_the_browser(chromium, sample_report):
    dom = browse(chromium, sample_report.resolve().as_uri() + "?q=leipzig&sort=-date", "--dump-dom")
    rows = dom_rows(dom, "t-signatures")
    shown = [r for r in rows if r.get("hidden") is None]
    assert shown and len(shown) < len(rows)
    assert all("leipzig" in r.text_content().lower() for r in shown)
    assert not any("leipzig" in r.text_content().lower() for r in rows if r.get("hidden") is not None)
    date_col = list(COLUMNS["signatures"]).index("date")
    dates = [r.xpath("./td")[date_col].text_content() for r in rows]
    filled = [d for d in dates if d]
    assert filled == sorted(filled, reverse=True) and dates[: len(filled)] == filled  # empty dates last


@pytest.mark.slow
def test_screenshot_is_kept(chromium, sample_report):
    from PIL import Image

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    browse(chromium, sample_report.resolve().as_uri(), f"--screenshot={shot}", "--window-size=1280,2000")
    shutil.copyfile(sample_report, ARTIFACTS / REPORT_NAME)
    with Image.open(shot) as im:
        assert im.size == (1280, 2000)
        colours = im.convert("RGB").resize((64, 100)).getcolors(64 * 100)
    assert colours is None or len(colours) > 20, "the screenshot is (nearly) blank"
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, ROOT / "docs" / "report.png")


def test_articles_are_paged_and_a_link_opens_the_right_page(chromium, tmp_path):
    results = [synthetic(f"art-{i:02d}") for i in range(45)]
    path = write_report(results, build_frames(results, {}), tmp_path)
    from lxml import html as lhtml

    first = lhtml.fromstring(browse(chromium, path.resolve().as_uri(), "--dump-dom"))
    visible = first.xpath('//section[contains(@class,"article")][not(@hidden)]/@id')
    assert visible == [f"a{i}" for i in range(20)]
    assert first.xpath('//span[@class="info"]/text()') == ["page 1 of 3 (45 articles)"]
    anchor = first.xpath('//section[@id="a44"]//span[@class="ev"]/@id')[0]
    jumped = lhtml.fromstring(browse(chromium, path.resolve().as_uri() + "#" + anchor, "--dump-dom"))
    assert jumped.xpath('//section[contains(@class,"article")][not(@hidden)]/@id') == [f"a{i}" for i in range(40, 45)]
    assert jumped.xpath('//span[@class="info"]/text()') == ["page 3 of 3 (45 articles)"]
