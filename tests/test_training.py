"""Tests of the NER data converters (tiny team-written samples) and the shipped German pipeline."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from pipeline.training.convert import (
    Sentence, entities, iob1_to_iob2, map_tag, read_europarl, read_europeana, read_germeval,
    read_ler, read_smartdata, read_wikiann, sentence_to_doc, LER_MAP,
)

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "de_press_ner"


def ents(sent: Sentence):
    return [(" ".join(sent.words[s:e]), lab) for s, e, lab in entities(sent)]


def test_germeval_outer_level_and_mapping():
    sample = (
        "#\thttp://example.org/a\t[2024-01-01]\n"
        "1\tDie\tO\tO\n"
        "2\tBerliner\tB-LOCderiv\tO\n"
        "3\tSenatorin\tO\tO\n"
        "4\tAnna\tB-PER\tO\n"
        "5\tMuster\tI-PER\tO\n"
        "6\tbesuchte\tO\tO\n"
        "7\tdie\tO\tO\n"
        "8\tStadtwerke\tB-ORG\tO\n"
        "9\tPotsdam\tI-ORG\tB-LOC\n"
        "10\tund\tO\tO\n"
        "11\tden\tO\tO\n"
        "12\tEU-weiten\tB-LOCpart\tO\n"
        "13\tTatort\tB-OTH\tO\n"
        "14\t.\tO\tO\n"
        "\n"
        "#\thttp://example.org/b\t[2024-01-02]\n"
        "1\tHamburg\tB-LOC\tO\n"
        "2\twächst\tO\tO\n"
        "\n"
    )
    sents = read_germeval(sample.splitlines(keepends=True))
    assert len(sents) == 2
    assert sents[0].words[1] == "Berliner"
    assert ents(sents[0]) == [("Anna Muster", "PER"), ("Stadtwerke Potsdam", "ORG")]
    assert ents(sents[1]) == [("Hamburg", "LOC")]


def test_wikiann_prefix_and_tags():
    sample = "de:Das\tO\nde:Rote\tB-ORG\nde:Kreuz\tI-ORG\nde:in\tO\nde:Genf\tB-LOC\n\nde:Ada\tB-PER\n"
    sents = read_wikiann(sample.splitlines(keepends=True))
    assert sents[0].words == ["Das", "Rote", "Kreuz", "in", "Genf"]
    assert ents(sents[0]) == [("Rote Kreuz", "ORG"), ("Genf", "LOC")]
    assert ents(sents[1]) == [("Ada", "PER")]


def test_ler_fine_grained_mapping():
    sample = (
        "Richter B-RR\r\nMax I-RR\r\nBeispiel I-RR\r\nam O\r\nBundesgerichtshof B-GRT\r\nin O\r\n"
        "Karlsruhe B-ST\r\nnach O\r\n§ B-GS\r\n1 I-GS\r\nBGB I-GS\r\n. O\r\n\r\n"
        "Die O\r\nMusterbank B-UN\r\nAG I-UN\r\nin O\r\nBayern B-LD\r\n\r\n"
    )
    sents = read_ler(sample.splitlines(keepends=True))
    assert ents(sents[0]) == [("Richter Max Beispiel", "PER"), ("Bundesgerichtshof", "ORG"),
                              ("Karlsruhe", "LOC")]
    assert ents(sents[1]) == [("Musterbank AG", "ORG"), ("Bayern", "LOC")]
    assert set(LER_MAP.values()) == {"PER", "LOC", "ORG"}
    assert map_tag("B-VO", LER_MAP) == "O" and map_tag("I-LIT", LER_MAP) == "O"


def test_europarl_iob1_to_iob2():
    rows = [("Herr", "Herr", "NN", "I-NC", "O"), ("Muster", "Muster", "NE", "I-NC", "I-PER"),
            ("aus", "aus", "APPR", "I-PC", "O"), ("Irland", "Irland", "NE", "I-NC", "I-LOC"),
            ("Frankreich", "Frankreich", "NE", "I-NC", "B-LOC"),
            ("und", "und", "KON", "O", "O"), ("Euro", "Euro", "NN", "I-NC", "I-MISC"),
            ("Rat", "Rat", "NN", "I-NC", "I-ORG")]
    sample = "\n".join("\t".join(r) for r in rows) + "\n\n"
    (sent,) = read_europarl(sample.splitlines(keepends=True))
    assert sent.tags == ["O", "B-PER", "O", "B-LOC", "B-LOC", "O", "O", "B-ORG"]
    assert ents(sent) == [("Muster", "PER"), ("Irland", "LOC"), ("Frankreich", "LOC"), ("Rat", "ORG")]
    assert iob1_to_iob2(["I-X", "I-X", "B-X", "I-Y"]) == ["B-X", "I-X", "B-X", "B-Y"]


def test_europeana_cuts_sentences_and_drops_bad_tags():
    sample = "# file: x\nHerr O\nSchulze B-PER\nin O\nWien B-LOC\n. O\nDer O\nVerein B-ORg\nlacht ???\n"
    sents = read_europeana(sample.splitlines(keepends=True))
    assert len(sents) == 2
    assert ents(sents[0]) == [("Schulze", "PER"), ("Wien", "LOC")]
    assert ents(sents[1]) == []


def _mention(start, end, typ):
    return {"span": {"start": start, "end": end}, "type": typ}


def test_smartdata_offsets_types_and_missing():
    text = "Anna Muster von der Musterbahn AG fuhr von Köln nach Bonn. Die deutschen Züge am 1. Mai."
    def m(surface, typ, nth=0):
        i = -1
        for _ in range(nth + 1):
            i = text.index(surface, i + 1)
        return _mention(i, i + len(surface), typ)
    rec = {"text": {"string": text}, "conceptMentions": {"array": [
        m("Anna Muster", "person"), m("Musterbahn AG", "organization-company"),
        m("Köln", "location-city"), m("Bonn", "location-stop"), m("deutschen", "location"),
        m("1. Mai", "date"), m("Muster", "person"),  # overlapping, shorter: dropped
    ]}}
    payload = json.dumps(rec, indent=2) + "\n" + json.dumps({"text": {"string": "Leer."}})
    docs = read_smartdata(payload, spacy.blank("de"))
    assert len(docs) == 2
    doc = docs[0]
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Anna Muster", "PER"), ("Musterbahn AG", "ORG"), ("Köln", "LOC"), ("Bonn", "LOC")]
    adj = [t for t in doc if t.text == "deutschen"][0]
    assert adj.ent_iob_ == ""  # missing, not O
    assert [t for t in doc if t.text == "Mai"][0].ent_iob_ == "O"


def test_sentence_to_doc_roundtrip():
    sent = Sentence(["Das", "Rathaus", "Spandau", "(", "Berlin", ")", "."],
                    ["O", "B-LOC", "I-LOC", "O", "B-LOC", "O", "O"])
    doc = sentence_to_doc(spacy.blank("de").vocab, sent)
    assert doc.text == "Das Rathaus Spandau (Berlin)."
    assert [(e.text, e.label_) for e in doc.ents] == [("Rathaus Spandau", "LOC"), ("Berlin", "LOC")]


def test_german_tokenizer_keeps_hyphen_compounds():
    nlp = spacy.blank("de")
    words = [t.text for t in nlp("Die Integrating-Cities-Konferenz in Berlin-Brandenburg und "
                                 "Friedrichshain-Kreuzberg.")]
    for w in ("Integrating-Cities-Konferenz", "Berlin-Brandenburg", "Friedrichshain-Kreuzberg"):
        assert w in words


needs_model = pytest.mark.skipif(not (MODEL_DIR / "meta.json").exists(),
                                 reason="models/de_press_ner not built")


@needs_model
def test_shipped_pipeline_tags_obvious_sentence():
    nlp = spacy.load(MODEL_DIR)
    assert "sentencizer" in nlp.pipe_names and "ner" in nlp.pipe_names
    doc = nlp("Oberbürgermeister Stephan Keller besuchte am Montag die Europäische Kommission "
              "in Brüssel. Danach fuhr er zurück.")
    found = {(e.text, e.label_) for e in doc.ents}
    labels = {lab for _, lab in found}
    assert {"PER", "ORG", "LOC"} <= labels, found
    assert ("Stephan Keller", "PER") in found
    assert ("Brüssel", "LOC") in found
    assert len(list(doc.sents)) == 2
    assert "Friedrichshain-Kreuzberg" in [t.text for t in nlp("Bezirk Friedrichshain-Kreuzberg")]


@needs_model
def test_shipped_pipeline_size_and_metrics():
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert size <= 25 * 1024 * 1024
    metrics = json.loads((MODEL_DIR / "metrics.json").read_text())
    assert metrics["heldout"]["germeval"]["overall"]["f"] > 58.4
