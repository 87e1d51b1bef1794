"""The shared vocabulary of the pipeline: small frozen records passed between stages.

Every stage is a function from these records to these records; nothing here does I/O.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

ENTITY_TYPES = ("CITY", "PERSON", "ORG", "DATE")


@dataclass(frozen=True)
class Source:
    """One input: a local file or a URL (already fetched into ``path`` when ``url`` is set)."""

    id: str
    source: str  # what the user gave: a path or a URL
    url: str | None = None
    path: str | None = None  # local file holding the raw page or text
    http_status: int | None = None
    error: str | None = None  # set when the input could not be read or fetched


@dataclass(frozen=True)
class Article:
    """Extracted text and metadata of one input."""

    id: str
    source: str
    url: str | None
    title: str
    text: str  # headline + body; all character offsets refer to this string
    published: str | None  # ISO date
    site_name: str | None = None
    language: str | None = None
    language_probability: float | None = None
    status: str = "ok"
    error: str | None = None
    sha256: str | None = None
    # digest of the normalised text (duplicates are found by it); set where a run drops the text of an
    # article whose text the result cache holds (see ``parallel.stub``)
    text_key: str | None = None


def text_key(text: str) -> str:
    """Same key, same text for the duplicate check: white space and case do not count."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()


@dataclass(frozen=True)
class City:
    """A resolved city. ``geonames_id`` is None for units GeoNames lacks (kept by name)."""

    name: str
    geonames_id: int | None
    country: str | None
    rule: str = ""  # which rule or evidence chose this id (explainability)


@dataclass(frozen=True)
class PersonName:
    name: str
    title: str | None = None
    role: str | None = None
    affiliation: str | None = None


@dataclass(frozen=True)
class Mention:
    """An entity found in an article's text, with its normalised value."""

    type: str  # one of ENTITY_TYPES
    text: str
    start: int
    end: int
    sentence_start: int = 0
    sentence_end: int = 0
    city: City | None = None
    person: PersonName | None = None
    org: str | None = None  # canonical organisation name
    iso_date: str | None = None
    source: str = ""  # which component found it (ner, gazetteer, rule ...)
    # counted in the article's list of its type (see ``lists.finalise``): False for a lone word that names
    # no person, a project's name found as an organisation, a place or date left unresolved
    listed: bool = True


@dataclass(frozen=True)
class Signature:
    article_id: str
    signatory: str
    geonames_id: int | None
    signatory_type: str  # city | org
    agreement: str
    date: str | None
    person: str | None
    role: str | None
    place: str | None
    status: str  # signed | planned | refused
    evidence: str
    evidence_start: int
    evidence_end: int
    confidence: float | None = None  # probability that the row is right (relations.confidence), None without a model


@dataclass(frozen=True)
class Partnership:
    article_id: str
    partnership: str
    kind: str  # project | network | twinning | alliance
    member: str
    member_geonames_id: int | None
    member_type: str  # city | org
    role: str | None
    start: str | None
    end: str | None
    evidence: str
    evidence_start: int
    evidence_end: int
    confidence: float | None = None  # probability that the row is right (relations.confidence), None without a model


@dataclass
class ArticleResult:
    """Everything the pipeline found in one article."""

    article: Article
    mentions: list[Mention] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    partnerships: list[Partnership] = field(default_factory=list)
