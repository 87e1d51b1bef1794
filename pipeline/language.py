"""Language detection with langdetect, seeded so that results are deterministic.

Mixed German/English text goes on as its majority language: when no single language is
probable enough but the supported languages together are, the most probable of them is taken.
"""
from __future__ import annotations

from dataclasses import replace

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from .records import Article

SAMPLE_CHARS = 20000


def language_probabilities(text: str, seed: int = 0) -> list[tuple[str, float]]:
    """(ISO 639-1 code, probability) pairs, most likely first; empty when langdetect cannot tell."""
    DetectorFactory.seed = seed
    try:
        return [(c.lang, round(c.prob, 4)) for c in detect_langs(text[:SAMPLE_CHARS])]
    except LangDetectException:
        return []


def detect_language(text: str, seed: int = 0) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, probability) of the most likely language, or (None, None) when it cannot tell."""
    found = language_probabilities(text, seed)
    return found[0] if found else (None, None)


def majority_language(found: list[tuple[str, float]], languages: tuple[str, ...],
                      min_prob: float) -> tuple[str, float] | None:
    """The most probable language when it is supported and the supported languages together reach
    ``min_prob`` (so mixed German/English text goes on as its majority language); else None."""
    if not found or found[0][0] not in languages:
        return None
    return found[0] if sum(p for lang, p in found if lang in languages) >= min_prob else None


def with_language(article: Article, languages: tuple[str, ...], min_chars: int, min_prob: float,
                  seed: int = 0) -> Article:
    """Record language and probability; set status for other languages or texts too short to tell."""
    if article.status != "ok":
        return article
    found = language_probabilities(article.text, seed)
    lang, prob = found[0] if found else (None, None)
    article = replace(article, language=lang, language_probability=prob)
    if len(article.text) < min_chars or lang is None:
        return replace(article, status="too_short", error=f"text of {len(article.text)} characters is too short to tell")
    if majority_language(found, languages, min_prob) is None:
        return replace(article, status="unsupported_language",
                       error=f"language {lang} (p={prob}) is not one of {', '.join(languages)}")
    return article
