"""Converters from the NER data formats in ``ner-data/`` to spaCy Docs with PER/LOC/ORG.

Every reader yields ``Sentence(words, tags)`` with IOB2 tags over the three target labels
(or, for SmartData, ``Doc`` objects built from character offsets). Label choices:

* GermEval 2014: outer level only. PER/LOC/ORG kept; ``*deriv`` ("Berliner", "deutsche"),
  ``*part`` ("EU-weit", "Berlin-Marathon") and OTH become O: they are not names of the
  entity itself, and the downstream entity lists want names only. The inner level is ignored.
* WikiANN: ``de:`` prefix stripped; PER/LOC/ORG as given.
* LER: ST city, LD country, LDS landscape, STR street -> LOC; ORG, UN company, INN institution,
  GRT court, MRK brand -> ORG; PER, RR judge, AN lawyer -> PER; norms, case law, literature,
  contracts (GS, VO, EUN, VS, VT, RS, LIT) -> O.
* Europarl (IOB1) -> IOB2; MISC -> O.
* Europeana (BIO, OCR-noisy historic newspapers): converter provided; malformed tags -> O.
* SmartData: person -> PER; location, location-city, location-stop, location-street -> LOC;
  organization, organization-company -> ORG; everything else (date, number, route, trigger ...)
  is left O. Location mentions that are adjectives (lower-case, "-isch-" forms) and mentions
  that do not align to token boundaries or contain whitespace tokens are marked *missing*
  (no loss) rather than O.
"""
from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from spacy.vocab import Vocab

LABELS = ("PER", "LOC", "ORG")

GERMEVAL_MAP = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}  # deriv/part/OTH -> O
LER_MAP = {
    "ST": "LOC", "LD": "LOC", "LDS": "LOC", "STR": "LOC",
    "ORG": "ORG", "UN": "ORG", "INN": "ORG", "GRT": "ORG", "MRK": "ORG",
    "PER": "PER", "RR": "PER", "AN": "PER",
}
PLAIN_MAP = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}  # WikiANN, Europarl, Europeana; MISC -> O
SMARTDATA_MAP = {
    "person": "PER",
    "location": "LOC", "location-city": "LOC", "location-stop": "LOC", "location-street": "LOC",
    "organization": "ORG", "organization-company": "ORG",
}
_ADJ_RE = re.compile(r"isch(e|en|er|es|em)?$")


@dataclass
class Sentence:
    words: list[str]
    tags: list[str]  # IOB2 over LABELS, "O" outside

    def text(self) -> str:
        return " ".join(self.words)


# ---------------------------------------------------------------- tag helpers
def map_tag(tag: str, mapping: dict[str, str]) -> str:
    """Map one ``B-X``/``I-X``/``O`` tag through ``mapping``; unmapped labels become O."""
    tag = tag.strip()
    if not tag or tag == "O" or len(tag) < 3 or tag[1] not in "-_" or tag[0].upper() not in "BI":
        return "O"
    label = mapping.get(tag[2:])
    return f"{tag[0].upper()}-{label}" if label else "O"


def iob1_to_iob2(tags: Sequence[str]) -> list[str]:
    """IOB1 (B- only between adjacent same-type entities) -> IOB2 (every entity starts with B-)."""
    out: list[str] = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def repair_iob2(tags: Sequence[str]) -> list[str]:
    """Make a mapped tag sequence valid IOB2 (an I- after O or another label starts an entity)."""
    return iob1_to_iob2(tags)


def _blocks(lines: Iterable[str]) -> Iterator[list[str]]:
    block: list[str] = []
    for line in lines:
        line = line.rstrip("\r\n")
        if not line.strip():
            if block:
                yield block
                block = []
            continue
        block.append(line)
    if block:
        yield block


def _open(path: str | Path):
    path = Path(path)
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


# ---------------------------------------------------------------- readers
def read_germeval(lines: Iterable[str]) -> list[Sentence]:
    """GermEval 2014 tsv: ``#`` source line, then ``idx<TAB>token<TAB>outer<TAB>inner``."""
    out = []
    for block in _blocks(lines):
        words, tags = [], []
        for line in block:
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 3:
                continue
            words.append(cols[1])
            tags.append(map_tag(cols[2], GERMEVAL_MAP))
        if words:
            out.append(Sentence(words, repair_iob2(tags)))
    return out


def read_wikiann(lines: Iterable[str]) -> list[Sentence]:
    """WikiANN: ``de:token<TAB>BIO``."""
    out = []
    for block in _blocks(lines):
        words, tags = [], []
        for line in block:
            tok, _, tag = line.rpartition("\t")
            if ":" in tok[:4]:
                tok = tok.split(":", 1)[1]
            if not tok:
                continue
            words.append(tok)
            tags.append(map_tag(tag, PLAIN_MAP))
        if words:
            out.append(Sentence(words, repair_iob2(tags)))
    return out


def read_ler(lines: Iterable[str]) -> list[Sentence]:
    """LER CoNLL-2002: ``token tag`` (IOB2, fine-grained labels)."""
    out = []
    for block in _blocks(lines):
        words, tags = [], []
        for line in block:
            parts = line.split()
            if len(parts) < 2:
                continue
            words.append(parts[0])
            tags.append(map_tag(parts[-1], LER_MAP))
        if words:
            out.append(Sentence(words, repair_iob2(tags)))
    return out


def read_europarl(lines: Iterable[str]) -> list[Sentence]:
    """Europarl tsv: ``token lemma POS chunk NER`` with IOB1 NER tags."""
    out = []
    for block in _blocks(lines):
        words, tags = [], []
        for line in block:
            cols = line.split("\t")
            if len(cols) < 5:
                continue
            words.append(cols[0])
            tags.append(map_tag(cols[4], PLAIN_MAP))
        if words:
            out.append(Sentence(words, iob1_to_iob2(tags)))
    return out


def read_europeana(lines: Iterable[str], max_len: int = 60) -> list[Sentence]:
    """Europeana ``token tag`` BIO; ``#`` lines are metadata. The files have few blank lines,
    so sentences are also cut after a final ``.``/``!``/``?`` outside an entity (or at max_len)."""
    out = []
    words: list[str] = []
    tags: list[str] = []

    def flush():
        if words:
            out.append(Sentence(list(words), repair_iob2(tags)))
        words.clear()
        tags.clear()

    for line in lines:
        line = line.rstrip("\r\n")
        if line.startswith("# "):
            continue
        parts = line.split()
        if len(parts) < 2:
            flush()
            continue
        words.append(parts[0])
        tags.append(map_tag(parts[-1], PLAIN_MAP))
        if (parts[0] in {".", "!", "?"} and tags[-1] == "O") or len(words) >= max_len:
            flush()
    flush()
    return out


def _smartdata_records(text: str) -> Iterator[dict]:
    dec = json.JSONDecoder()
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return
        obj, i = dec.raw_decode(text, i)
        yield obj


def read_smartdata(text: str, nlp) -> list[Doc]:
    """SmartData: concatenated JSON documents with ``text.string`` and ``conceptMentions``
    (character offsets). Tokenised with ``nlp``'s tokenizer."""
    docs = []
    for rec in _smartdata_records(text):
        raw = (rec.get("text") or {}).get("string") or ""
        if not raw.strip():
            continue
        doc = nlp.make_doc(raw)
        spans, missing = [], []
        for m in ((rec.get("conceptMentions") or {}).get("array") or []):
            label = SMARTDATA_MAP.get(m.get("type"))
            if label is None:
                continue
            start, end = m["span"]["start"], m["span"]["end"]
            surface = raw[start:end]
            span = doc.char_span(start, end, label=label)
            if span is None:
                exp = doc.char_span(start, end, label=label, alignment_mode="expand")
                if exp is not None:
                    missing.append(exp)
                continue
            while len(span) and span[0].is_space:  # spaCy cannot tag whitespace tokens
                span = doc[span.start + 1:span.end]
            while len(span) and span[-1].is_space:
                span = doc[span.start:span.end - 1]
            if not len(span):
                continue
            span = Span(doc, span.start, span.end, label=label)
            if (label == "LOC" and (surface[:1].islower() or _ADJ_RE.search(surface))) or any(
                    t.is_space for t in span):
                missing.append(span)
                continue
            spans.append(span)
        spans = filter_spans(spans)
        covered = {i for s in spans for i in range(s.start, s.end)}
        missing = [s for s in filter_spans(missing)
                   if not any(i in covered for i in range(s.start, s.end))]
        doc.set_ents(spans, missing=missing, default="outside")
        docs.append(doc)
    return docs


# ---------------------------------------------------------------- to Docs
_NO_SPACE_BEFORE = set(".,;:!?)]}»“'%")
_NO_SPACE_AFTER = set("([{„«")


def sentence_to_doc(vocab: Vocab, sent: Sentence) -> Doc:
    words = sent.words
    spaces = []
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        spaces.append(nxt is not None and nxt not in _NO_SPACE_BEFORE and w not in _NO_SPACE_AFTER)
    return Doc(vocab, words=words, spaces=spaces, ents=list(sent.tags))


def entities(sent: Sentence) -> list[tuple[int, int, str]]:
    """(start, end, label) token spans of an IOB2 sentence."""
    out, start, label = [], None, None
    for i, tag in enumerate(list(sent.tags) + ["O"]):
        if start is not None and not tag.startswith("I-"):
            out.append((start, i, label))
            start = None
        if tag.startswith("B-"):
            start, label = i, tag[2:]
    return out


def load(reader, path: str | Path) -> list[Sentence]:
    with _open(path) as fh:
        return reader(fh)
