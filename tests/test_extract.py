"""Extraction and language detection on team-written inputs, including broken ones."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import BODY_DE, PAGE
from pipeline.extract import decode_text, extract_article, is_binary
from pipeline.language import detect_language, with_language
from pipeline.records import Source

EN_BODY = ("The City of Exampleton signed the Covenant of Mayors for Climate and Energy on 12 March 2024. "
           "Lord Mayor Jane Sample said the council would cut emissions by half before 2030. "
           "The covenant brings together thousands of local governments across Europe.")


def source_for(tmp_path, name: str, data: bytes) -> Source:
    path = tmp_path / name
    path.write_bytes(data)
    return Source(path.stem, str(path), path=str(path))


def test_txt_first_line_is_title(tmp_path):
    art = extract_article(source_for(tmp_path, "de-x.txt", f"Pankow unterzeichnet Charta\n{BODY_DE}".encode()))
    assert art.status == "ok" and art.title == "Pankow unterzeichnet Charta"
    assert art.text.startswith("Pankow unterzeichnet Charta\nDer Bezirk Pankow") and art.id == "de-x"


def test_html_main_text_without_menu_and_footer(tmp_path):
    html = PAGE.format(title="Pankow unterzeichnet Charta", body=BODY_DE)
    art = extract_article(source_for(tmp_path, "p.html", html.encode()))
    assert art.status == "ok" and "Charta der Vielfalt unterzeichnet" in art.text
    assert "10115 Berlin" not in art.text and "Startseite" not in art.text
    assert art.text.split("\n")[0] == "Pankow unterzeichnet Charta"


def test_latin1_page_without_charset_keeps_umlauts(tmp_path):
    html = PAGE.format(title="Bürgermeisterin grüßt", body=BODY_DE).replace('<meta charset="utf-8">', "")
    art = extract_article(source_for(tmp_path, "l.html", html.encode("iso-8859-1")))
    assert "Bezirksbürgermeisterin" in art.text and "schließt" in art.text


def test_utf8_bom_is_dropped(tmp_path):
    art = extract_article(source_for(tmp_path, "b.txt", "\ufeffTitel\n".encode() + BODY_DE.encode()))
    assert art.title == "Titel"


@pytest.mark.parametrize("name,data,status", [
    ("empty.html", b"", "empty"),
    ("blank.txt", b"  \n\n ", "empty"),
    ("doc.html", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "not_html"),
    ("bin.html", bytes(range(256)) * 20, "not_html"),
    ("nav.html", b"<html><body><nav><a href='/'>Start</a><a href='/a'>A</a></nav></body></html>", "empty"),
])
def test_bad_inputs_get_a_status(tmp_path, name, data, status):
    art = extract_article(source_for(tmp_path, name, data))
    assert art.status == status and art.error


def test_missing_file_and_fetch_error():
    assert extract_article(Source("x", "/no/such/file.html", path="/no/such/file.html")).status == "fetch_error"
    assert extract_article(Source("y", "http://x", url="http://x", error="HTTP 404")).status == "fetch_error"


def test_truncated_html_and_control_characters(tmp_path):
    html = PAGE.format(title="Kaputt", body=BODY_DE + "\x00\x07 Ende")[:-40]
    art = extract_article(source_for(tmp_path, "t.html", html.encode()))
    assert art.status == "ok" and "\x00" not in art.text and "\x07" not in art.text


def test_decode_and_binary_helpers():
    assert decode_text("Grüße".encode("cp1252")) == "Grüße"
    assert decode_text("\ufeffA".encode()) == "A"
    assert is_binary(b"\x89PNG\r\n") and not is_binary("Grüße aus Köln".encode())


def test_language_is_deterministic_with_probability():
    first = [detect_language(BODY_DE) for _ in range(3)]
    assert first[0][0] == "de" and len(set(first)) == 1 and 0.5 < first[0][1] <= 1.0
    assert detect_language(EN_BODY)[0] == "en"


def test_language_probabilities_are_langdetects_own():
    """NgramDetector (per-word n-grams, comprehensions) gives langdetect's exact probabilities: same text,
    n-grams, order and seeded trials, on texts in several scripts, with URLs, capitals, runs of spaces."""
    import random

    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    from pipeline.language import NgramDetector, detector_factory, known_ngrams

    def langdetects(text: str, seed: int) -> list:
        DetectorFactory.seed = seed
        try:
            return [(c.lang, c.prob) for c in detect_langs(text)]
        except LangDetectException:
            return []

    def ours(text: str, seed: int) -> list:
        factory = detector_factory()
        factory.seed = seed
        detector = NgramDetector(factory, known_ngrams())
        try:
            detector.append(text)
            return [(c.lang, c.prob) for c in detector.get_probabilities()]
        except LangDetectException:
            return []

    rng = random.Random(7)
    texts = [BODY_DE, EN_BODY, BODY_DE + "  " + EN_BODY, "Die EU-KOMMISSION und die UNESCO   tagen  in  PRAG. ",
             "Siehe https://www.berlin.de/sen/ und presse@senatskanzlei.berlin.de für Details.  ",
             "Москва и Берлин подписали соглашение. Tiếng Việt có dấu. 東京都と北京市。 Ελληνικά ", "  ", "", "42",
             " A", "AB", "x "]
    texts += ["".join(chr(rng.randrange(32, 0x3100)) for _ in range(rng.randrange(1, 400))) for _ in range(60)]
    texts += ["".join(rng.choice("aAbBäÄ ß.-'\n") for _ in range(rng.randrange(1, 80))) for _ in range(60)]
    for seed in (0, 3):
        assert [ours(t, seed) for t in texts] == [langdetects(t, seed) for t in texts]


@pytest.mark.parametrize("text,status", [
    ("La ville de Lyon a signé la charte des villes interculturelles avec ses partenaires européens. " * 3,
     "unsupported_language"),
    ("Miasto Kraków podpisało porozumienie o współpracy z partnerami z Niemiec i Francji w ratuszu. " * 3,
     "unsupported_language"),
    ("Kurz.", "too_short"),
])
def test_other_languages_and_short_texts_are_recorded_not_processed(tmp_path, text, status):
    art = extract_article(source_for(tmp_path, "x.txt", f"Titel\n{text}".encode()))
    art = with_language(art, ("de", "en"), min_chars=200, min_prob=0.5)
    assert art.status == status and art.error


PAGES = Path(__file__).parent / "fixtures" / "pages"
EXPECT = json.loads((PAGES / "expectations.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_municipal_page_fixtures(name):
    exp = EXPECT[name]
    art = extract_article(Source(Path(name).stem, str(PAGES / name), path=str(PAGES / name)))
    if exp.get("empty"):
        assert art.status == "empty"
        return
    assert art.status == "ok" and art.title == exp["title"]
    assert art.text.startswith(exp["title"])  # the headline leads the text even when the body lacks it
    for sentence in exp["must_contain"]:
        assert sentence in art.text
    for boilerplate in exp["must_not_contain"]:
        assert boilerplate not in art.text
    if exp.get("published"):
        assert art.published == exp["published"]
