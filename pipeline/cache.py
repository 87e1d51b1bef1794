"""Per-article result cache keyed by the raw content's sha256 and the pipeline version.

A re-run on unchanged input does no NLP work; a run killed at any moment resumes where it
stopped, because each article's result is written (atomically) as soon as it is done.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, replace
from functools import lru_cache
from pathlib import Path

from . import __version__
from .records import Article, ArticleResult, City, Mention, Partnership, PersonName, Signature
from .settings import MODELS_DIR, ROOT, Settings



def versioned(path: Path) -> bool:
    """Model and data files whose change must invalidate cached results (not docs, not scratch)."""
    return path.is_file() and "_work" not in path.parts and path.suffix != ".md" and "__pycache__" not in path.parts


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """__version__ plus a digest of the code and model/data files: any change invalidates the cache."""
    digest = hashlib.sha256(__version__.encode())
    code = [p for p in (ROOT / "pipeline").rglob("*.py") if "training" not in p.parts]  # training code: no effect
    files = sorted(code) + sorted(p for p in MODELS_DIR.rglob("*") if versioned(p))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return f"{__version__}-{digest.hexdigest()[:12]}"


def settings_key(settings: Settings) -> str:
    """Digest of the settings that change a result (languages, thresholds, models, priors); not the
    ones that only change how fast it is made (processes, batch size) or how pages are fetched."""
    s = settings
    parts = [s.languages, s.min_chars, s.min_language_probability, s.language_seed, s.german_model,
             s.english_model, s.german_ner_labels, s.publisher_country, s.fetch.max_bytes]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:8]


def result_to_dict(result: ArticleResult) -> dict:
    return asdict(result)


def result_from_dict(data: dict) -> ArticleResult:
    mentions = []
    for m in data["mentions"]:
        city = City(**m["city"]) if m.get("city") else None
        person = PersonName(**m["person"]) if m.get("person") else None
        mentions.append(Mention(**{**m, "city": city, "person": person}))
    return ArticleResult(Article(**data["article"]), mentions,
                         [Signature(**s) for s in data["signatures"]], [Partnership(**p) for p in data["partnerships"]])


def rebind(result: ArticleResult, article: Article) -> ArticleResult:
    """A cached result under another input's id, source and URL (same content)."""
    a = replace(result.article, id=article.id, source=article.source, url=article.url)
    sigs = [replace(s, article_id=a.id) for s in result.signatures]
    parts = [replace(p, article_id=a.id) for p in result.partnerships]
    return ArticleResult(a, result.mentions, sigs, parts)


class ResultCache:
    """Results as JSON files under ``root/<pipeline version>-<settings key>/``. A result is read when it is
    used and not kept (a long run's results would not fit in memory); the cache only remembers which
    results it has read whole, so that a run need not read one twice to know that it is there."""

    def __init__(self, root: Path, version: str | None = None, settings: Settings | None = None):
        self.root = Path(root) / f"{version or pipeline_version()}-{settings_key(settings or Settings())}"
        self._readable: set[str] = set()

    def __getstate__(self) -> dict:  # to a worker process: the folder, not what this process has read
        return {"root": self.root, "_readable": set()}

    def _path(self, sha: str) -> Path:
        return self.root / sha[:2] / f"{sha}.json"

    def get(self, sha: str | None) -> ArticleResult | None:
        if not sha:
            return None
        try:
            result = result_from_dict(json.loads(self._path(sha).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            self._readable.discard(sha)
            return None
        self._readable.add(sha)
        return result

    def has(self, sha: str | None) -> bool:
        """A readable result is stored for ``sha`` (read once to know, unless read before)."""
        return bool(sha) and (sha in self._readable or self.get(sha) is not None)

    def put(self, sha: str, result: ArticleResult) -> None:
        self._write(self._path(sha), result_to_dict(result))
        self._readable.add(sha)

    def _write(self, path: Path, data: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    # extracted articles whose NLP was not run (duplicates of another input's text): a re-run need not
    # extract them again either
    def _article_path(self, sha: str) -> Path:
        return self.root / "articles" / sha[:2] / f"{sha}.json"

    def put_article(self, sha: str, article: Article) -> None:
        self._write(self._article_path(sha), asdict(article))

    def get_article(self, sha: str) -> Article | None:
        try:
            return Article(**json.loads(self._article_path(sha).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def text_of(self, sha: str | None) -> str | None:
        """The extracted text of these raw bytes: from the article store, else from the result."""
        stored = (self.get_article(sha) or self.get(sha)) if sha else None
        if isinstance(stored, ArticleResult):
            stored = stored.article
        return stored.text if stored is not None else None


class StoredResults(Sequence):
    """Every input's result in input order, with the analysed ones left in the result cache and read back
    one at a time when used: a run over a whole archive holds its articles' metadata, not their texts,
    entities and relations (about 25 MB per 1,000 articles).

    ``articles`` are the inputs in order; an ok article whose id is not in ``kept`` has its result in
    ``cache`` (and may have lost its text: the cached result has it); ``kept`` holds the results that
    are not cached (failed analyses). Any other article's result is the article alone (a duplicate's
    text read back from the cache).
    """

    def __init__(self, articles: list[Article], kept: dict[str, ArticleResult], cache: ResultCache):
        self.articles = [kept[a.id].article if a.id in kept else replace(a, text="") if a.status == "ok" and a.text
                         else a for a in articles]  # (a run's ok articles come without their texts already)
        self.kept, self.cache = kept, cache

    def __len__(self) -> int:
        return len(self.articles)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._result(a) for a in self.articles[i]]
        return self._result(self.articles[i])

    def __iter__(self) -> Iterator[ArticleResult]:
        return (self._result(a) for a in self.articles)

    def _result(self, article: Article) -> ArticleResult:
        if article.id in self.kept:
            return self.kept[article.id]
        if article.status != "ok":  # a duplicate's text was dropped at preparation
            text = self.cache.text_of(article.sha256) if article.text_key and not article.text else None
            return ArticleResult(replace(article, text=text) if text is not None else article)
        cached = self.cache.get(article.sha256)
        if cached is None:  # removed from the cache while the run went on
            raise CacheLost(f"the cached result of {article.id} ({article.sha256}) is gone from {self.cache.root}; "
                            "run again to analyse it")
        return rebind(cached, article)


class CacheLost(RuntimeError):
    """A result that a run stored in the result cache could not be read back."""
