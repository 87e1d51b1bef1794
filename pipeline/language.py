"""Language detection with langdetect, seeded so that results are deterministic."""
from __future__ import annotations

from dataclasses import replace

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from .records import Article


def detect_language(text: str, seed: int = 0) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, probability) of the most likely language, or (None, None) when it cannot tell."""
    DetectorFactory.seed = seed
    try:
        best = detect_langs(text[:20000])[0]
    except LangDetectException:
        return None, None
    return best.lang, round(best.prob, 4)


def with_language(article: Article, languages: tuple[str, ...], min_chars: int, min_prob: float,
                  seed: int = 0) -> Article:
    """Record language and probability; set status for other languages or texts too short to tell."""
    if article.status != "ok":
        return article
    lang, prob = detect_language(article.text, seed)
    article = replace(article, language=lang, language_probability=prob)
    if len(article.text) < min_chars or lang is None:
        return replace(article, status="too_short", error=f"text of {len(article.text)} characters is too short to tell")
    if lang not in languages or prob < min_prob:
        return replace(article, status="unsupported_language",
                       error=f"language {lang} (p={prob}) is not one of {', '.join(languages)}")
    return article
