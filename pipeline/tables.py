"""Output tables (articles, entities, signatures, partnerships, events): documented columns in a stable order, written atomically (temp file, then rename)."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from .events import event_rows, group_events
from .records import Article, ArticleResult, Mention

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
        "name": "normalised name: GeoNames name (CITY); the person's full name as clustered over the article, "
                "without titles (PERSON); the organisation's canonical name as clustered over the article (ORG)",
        "title": "PERSON: academic or honorific title (Dr., Prof. Dr., Cllr)",
        "role": "PERSON: office as stated in the text",
        "affiliation": "PERSON: city or organisation the person acts for, when stated",
        "iso_date": "DATE: ISO 8601 value at the stated precision (day, month, year, or start/end period)",
        "rule": "which component found or resolved the mention (ner, gazetteer rule, date_rules ...)",
        "listed": "True when the mention counts in the article's list of its type (what the evaluation scores: "
                  "distinct names of listed rows); False for a lone word that names no person, a project's name "
                  "found as an organisation, a place or date left unresolved",
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
        "confidence": "probability that the row is right, from the classifier trained on the dev gold "
                      "(models/relations/classifier.json); sort or filter by it when reviewing",
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
        "confidence": "probability that the row is right, from the classifier trained on the dev gold "
                      "(models/relations/classifier.json); sort or filter by it when reviewing",
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
            "affiliation": person.affiliation if person else None, "iso_date": m.iso_date, "rule": rule,
            "listed": m.listed}


# articles per part when the tables are written in parts: a part's rows are transient memory (writing
# 2,000 Berlin results from the cache: process peak 403 MB with parts of 1,000, 313 MB with 250, 276 MB
# with 100, in about the same time)
TABLE_CHUNK = 200


def table_rows(name: str, results: list[ArticleResult], duplicates: dict[str, str]) -> list[dict]:
    """The rows of one table for these results."""
    if name == "articles":
        return [article_row(r, duplicates.get(r.article.id)) for r in results]
    if name == "entities":
        return [entity_row(r.article.id, r.article.text, m) for r in results for m in r.mentions]
    if name == "signatures":
        return [asdict(s) for r in results for s in r.signatures]
    if name == "partnerships":
        return [asdict(p) for r in results for p in r.partnerships]
    return event_rows(group_events([s for r in results for s in r.signatures]))  # events: over all articles


def build_frames(results: Sequence[ArticleResult], duplicates: dict[str, str],
                 entity_columns: list[str] | None = None, chunk: int | None = None) -> dict[str, pd.DataFrame]:
    """The five tables as DataFrames with the documented columns in order (``entity_columns``: only these
    columns of the largest table, for a caller that needs no more). With ``chunk``, the rows are made
    that many articles at a time (row dicts take several times the frames' memory) and the parts
    joined: the same values."""
    if chunk is None:
        return {name: frame(table_rows(name, results, duplicates), columns_of(name, entity_columns))
                for name in COLUMNS}
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in COLUMNS}
    for frames in frames_in_parts(results, duplicates, chunk, entity_columns):
        for name, df in frames.items():
            parts[name].append(df)
    return {name: joined(dfs) for name, dfs in parts.items()}


def joined(dfs: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames of the same columns as one; empty parts are left out (their object columns would turn a
    column of integers into floats)."""
    full = [df for df in dfs if len(df)] or dfs[:1]
    return pd.concat(full, ignore_index=True) if len(full) > 1 else full[0]


def columns_of(name: str, entity_columns: list[str] | None = None) -> list[str]:
    return entity_columns if name == "entities" and entity_columns else list(COLUMNS[name])


def frames_in_parts(results: Sequence[ArticleResult], duplicates: dict[str, str], chunk: int,
                    entity_columns: list[str] | None = None) -> Iterator[dict[str, pd.DataFrame]]:
    """For each part of ``chunk`` articles (each taken once: from the result cache, for
    ``StoredResults``), the frames of the per-article tables; last, the events table, which is
    grouped over all articles and made from their signatures alone."""
    signatures = []
    for start in range(0, max(len(results), 1), chunk):
        part = results[start:start + chunk]
        yield {name: frame(table_rows(name, part, duplicates), columns_of(name, entity_columns))
               for name in COLUMNS if name != "events"}
        signatures += [s for r in part for s in r.signatures]
    yield {"events": frame(event_rows(group_events(signatures)), list(COLUMNS["events"]))}


def write_tables_streamed(results: Sequence[ArticleResult], duplicates: dict[str, str], out: Path,
                          excel: bool = False, chunk: int = TABLE_CHUNK) -> dict[str, Path]:
    """``write_tables(build_frames(...))`` with the same bytes, but built and written in parts
    (``frames_in_parts``), so memory does not grow with the corpus. The files are renamed into place
    together once all are written."""
    paths = {name: Path(out) / f"{name}.csv" for name in COLUMNS}
    with atomic_files(list(paths.values()), excel) as files:
        handles, started = dict(zip(COLUMNS, files)), set()
        for frames in frames_in_parts(results, duplicates, chunk):
            for name, df in frames.items():
                df.to_csv(handles[name], index=False, header=name not in started)
                started.add(name)
    return paths


@contextmanager
def atomic_files(paths: list[Path], excel: bool = False):
    """Text files written via temp files in their folders (UTF-8, BOM when ``excel``), fsynced and renamed
    into place one after the other when the block ends without error; else all temp files removed."""
    stack, tmps = ExitStack(), []
    try:
        with stack:
            handles = []
            for path in paths:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
                tmps.append(tmp)
                handles.append(stack.enter_context(os.fdopen(fd, "w", encoding="utf-8-sig" if excel else "utf-8",
                                                             newline="")))
            yield handles
            for fh in handles:
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, path in zip(tmps, paths):
            os.replace(tmp, path)
    except BaseException:
        for tmp in tmps:
            Path(tmp).unlink(missing_ok=True)
        raise


def frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    # column lists, not a list of dicts: pandas builds these several times faster
    df = pd.DataFrame({c: [row.get(c) for row in rows] for c in columns}, columns=columns)
    for col in ("geonames_id", "member_geonames_id"):
        if col in df:
            df[col] = df[col].astype("Int64")
    return df


def write_atomic(df: pd.DataFrame, path: Path, excel: bool = False) -> None:
    """CSV (UTF-8, BOM when ``excel``) via a temp file in the same folder, then an atomic rename."""
    with atomic_files([Path(path)], excel) as (fh,):
        df.to_csv(fh, index=False)


def write_tables(frames: dict[str, pd.DataFrame], out: Path, excel: bool = False) -> dict[str, Path]:
    """Each frame as ``out/<name>.csv``, all renamed into place once all are written."""
    paths = {name: Path(out) / f"{name}.csv" for name in frames}
    with atomic_files(list(paths.values()), excel) as files:
        for df, fh in zip(frames.values(), files):
            df.to_csv(fh, index=False)
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


# --- up-to-date check: a re-run whose tables would come out the same does not write them again -------

MANIFEST = ".outputs.json"  # in the output folder: the key of the run that wrote it and its files


def outputs_key(articles: Iterable[Article], duplicates: dict[str, str], salt: str, options: tuple = ()) -> str:
    """Digest of everything the tables are made from: the results' cache key (``salt``: pipeline version
    and settings; a cached result is a function of the raw bytes' sha256 under it), every article's
    metadata and status, the duplicates and the writing ``options``. Equal keys, equal tables."""
    digest = hashlib.sha256(repr((salt, options)).encode())
    for article in articles:
        fields = asdict(article)
        fields.pop("text")  # follows from the sha256 of the raw bytes
        digest.update(repr((sorted(fields.items()), duplicates.get(article.id))).encode())
    return digest.hexdigest()


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def current_outputs(out: Path, key: str) -> dict[str, Path] | None:
    """The files a run with ``key`` wrote to ``out``, when the manifest says so and none of them has
    changed or gone since (size and modification time); else None."""
    try:
        manifest = json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
        if manifest["key"] != key:
            return None
        paths = {name: Path(out) / rel for name, (rel, _) in manifest["files"].items()}
        if all(_stamp(paths[name]) == stamp for name, (_, stamp) in manifest["files"].items()):
            return paths
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def record_outputs(out: Path, key: str, paths: dict[str, Path]) -> None:
    """Write the manifest (atomically) after the files it lists are written."""
    out = Path(out)
    files = {name: [str(Path(p).relative_to(out)), _stamp(Path(p))] for name, p in paths.items()
             if Path(p).is_file() and Path(p).resolve().parent == out.resolve()}
    fd, tmp = tempfile.mkstemp(prefix=f"{MANIFEST}.", suffix=".tmp", dir=out)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"key": key, "files": files}, fh)
    os.replace(tmp, out / MANIFEST)
