"""Output tables (articles, entities, signatures, partnerships, events): documented columns in a stable order, written atomically (temp file, then rename)."""
from __future__ import annotations

import os
import tempfile
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from .events import event_rows, group_events
from .records import ArticleResult, Mention

# Column -> one-line meaning. The README's data dictionary is checked against these by a test.
COLUMNS: dict[str, dict[str, str]] = {
    "articles": {
        "id": "stable article id: file name without extension, or a slug of the URL's host and path",
        "source": "the input as given (path or URL)",
        "url": "URL the page was fetched from (empty for local files)",
        "title": "headline",
        "published": "publication date from the page metadata (ISO 8601), empty when not found",
        "site_name": "site name from the page metadata",
        "language": "detected language (ISO 639-1), empty when undetectable",
        "language_probability": "langdetect probability of that language",
        "n_chars": "characters of extracted text (headline + body)",
        "status": "ok, fetch_error, not_html, empty, unsupported_language, too_short, duplicate or extract_error",
        "error": "one-line reason when status is not ok",
        "duplicate_of": "for status duplicate: the id of the first article with the same text",
        "sha256": "sha256 of the raw input bytes",
    },
    "entities": {
        "article_id": "article id",
        "type": "CITY, PERSON, ORG or DATE",
        "text": "the mention as written",
        "start": "character offset of the mention in the article text (headline + newline + body)",
        "end": "end offset (exclusive)",
        "sentence": "the sentence containing the mention",
        "geonames_id": "CITY: GeoNames id (cities500); empty for units GeoNames lacks",
        "country": "CITY: ISO country code",
        "name": "normalised name: GeoNames name (CITY), name without titles (PERSON), canonical name (ORG)",
        "title": "PERSON: academic or honorific title (Dr., Prof. Dr., Cllr)",
        "role": "PERSON: office as stated in the text",
        "affiliation": "PERSON: city or organisation the person acts for, when stated",
        "iso_date": "DATE: ISO 8601 value at the stated precision (day, month, year, or start/end period)",
        "rule": "which component found or resolved the mention (ner, gazetteer rule, date_rules ...)",
    },
    "signatures": {
        "article_id": "article id",
        "signatory": "the signing party, normalised (GeoNames name for cities, canonical organisation name)",
        "geonames_id": "GeoNames id when the signatory is a city",
        "signatory_type": "city or org",
        "agreement": "the document's most specific name in the article",
        "date": "date of the signing (ISO 8601), empty when not stated",
        "person": "person who signed on the party's behalf, when stated",
        "role": "that person's role, when stated",
        "place": "where it was signed, when stated: the city after \"in\"/\"at\" in a signing sentence",
        "status": "signed, planned or refused (only signed rows are scored)",
        "evidence": "the sentence the row was read from",
        "evidence_start": "character offset of that sentence in the article text",
        "evidence_end": "end offset of that sentence",
    },
    "partnerships": {
        "article_id": "article id",
        "partnership": "name of the project, network, alliance or twinning",
        "kind": "project, network, twinning or alliance",
        "member": "a member, normalised (GeoNames name for cities, canonical organisation name)",
        "member_geonames_id": "GeoNames id when the member is a city",
        "member_type": "city or org",
        "role": "the member's role where stated (lead, partner, coordinator)",
        "start": "start date (ISO 8601) where stated",
        "end": "end date (ISO 8601) where stated",
        "evidence": "the sentence the row was read from",
        "evidence_start": "character offset of that sentence in the article text",
        "evidence_end": "end offset of that sentence",
    },
    "events": {
        "event_id": "stable id of one signing event (hash of document name and date)",
        "agreement": "the document signed (the first article's name for it)",
        "date": "date of the signing (the most precise stated), empty when no article states it",
        "n_signatories": "number of distinct signing parties over all articles",
        "signatories": "the signing parties, separated by '; '",
        "n_articles": "number of articles that report this signing",
        "articles": "ids of those articles, separated by '; '",
    },
}


def article_row(result: ArticleResult, duplicate_of: str | None = None) -> dict:
    a = result.article
    return {"id": a.id, "source": a.source, "url": a.url, "title": a.title, "published": a.published,
            "site_name": a.site_name, "language": a.language, "language_probability": a.language_probability,
            "n_chars": len(a.text), "status": a.status, "error": a.error, "duplicate_of": duplicate_of,
            "sha256": a.sha256}


def entity_row(article_id: str, text: str, m: Mention) -> dict:
    city, person = m.city, m.person
    name = city.name if city else person.name if person else m.org
    rule = f"{m.source}: {city.rule}" if city and city.rule else m.source
    return {"article_id": article_id, "type": m.type, "text": m.text, "start": m.start, "end": m.end,
            "sentence": text[m.sentence_start:m.sentence_end].strip(),
            "geonames_id": city.geonames_id if city else None, "country": city.country if city else None,
            "name": name, "title": person.title if person else None, "role": person.role if person else None,
            "affiliation": person.affiliation if person else None, "iso_date": m.iso_date, "rule": rule}


def build_frames(results: list[ArticleResult], duplicates: dict[str, str]) -> dict[str, pd.DataFrame]:
    """The four tables as DataFrames with the documented columns in order."""
    rows: dict[str, list[dict]] = {name: [] for name in COLUMNS}
    for r in results:
        rows["articles"].append(article_row(r, duplicates.get(r.article.id)))
        rows["entities"].extend(entity_row(r.article.id, r.article.text, m) for m in r.mentions)
        rows["signatures"].extend(asdict(s) for s in r.signatures)
        rows["partnerships"].extend(asdict(p) for p in r.partnerships)
    rows["events"] = event_rows(group_events([s for r in results for s in r.signatures]))
    return {name: frame(rows[name], list(cols)) for name, cols in COLUMNS.items()}


def frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    # column lists, not a list of dicts: pandas builds these several times faster
    df = pd.DataFrame({c: [row.get(c) for row in rows] for c in columns}, columns=columns)
    for col in ("geonames_id", "member_geonames_id"):
        if col in df:
            df[col] = df[col].astype("Int64")
    return df


def write_atomic(df: pd.DataFrame, path: Path, excel: bool = False) -> None:
    """CSV (UTF-8, BOM when ``excel``) via a temp file in the same folder, then an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig" if excel else "utf-8", newline="") as fh:
            df.to_csv(fh, index=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tables(frames: dict[str, pd.DataFrame], out: Path, excel: bool = False) -> dict[str, Path]:
    paths = {}
    for name, df in frames.items():
        paths[name] = out / f"{name}.csv"
        write_atomic(df, paths[name], excel=excel)
    return paths


def write_parquet(frames: dict[str, pd.DataFrame], out: Path) -> dict[str, Path]:
    """Each table as ``<name>.parquet`` beside the CSVs (needs pyarrow), each via a temp file and an atomic rename."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, df in frames.items():
        paths[name] = out / f"{name}.parquet"
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".parquet.tmp", dir=out)
        os.close(fd)
        try:
            df.to_parquet(tmp, engine="pyarrow", index=False)
            os.replace(tmp, paths[name])
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return paths
