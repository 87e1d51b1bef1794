"""Language detection with langdetect, seeded so that results are deterministic.

Mixed German/English text goes on as its majority language: when no single language is
probable enough but the supported languages together are, the most probable of them is taken.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from langdetect import DetectorFactory
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.ngram import NGram

from .records import Article

SAMPLE_CHARS = 20000


class _Normalised(dict):
    """``str.translate`` table of ``NGram.normalize`` (one character to one), filled as characters are met."""

    def __missing__(self, code: int) -> str:
        self[code] = value = NGram.normalize(chr(code))
        return value


_NORMALISED = _Normalised()
_SPACES = re.compile(" +")


@lru_cache(maxsize=1 << 15)
def _word_ngrams(word: str, spaced: bool, known: frozenset[str]) -> tuple[str, ...]:
    """The n-grams langdetect's NGram buffer yields while it reads ``word`` (normalised, no spaces) after a
    space or the start, and the space after it when ``spaced``; only those in ``known``. The buffer
    holds the last three characters since the space; a character that is upper case after an upper-case
    one (inside a capitalised word such as "EU") yields nothing."""
    padded = " " + word + (" " if spaced else "")
    out = []
    for j in range(1, len(padded)):
        if padded[j].isupper() and padded[j - 1].isupper():
            continue
        for n in range(1, min(j + 1, NGram.N_GRAM) + 1):
            gram = padded[j + 1 - n:j + 1]
            if gram != " " and gram in known:
                out.append(gram)
    return tuple(out)


class NgramDetector(Detector):
    """langdetect's Detector, its per-character loops done per word and in comprehensions: ``append``
    (collapse runs of spaces), ``_extract_ngrams`` (langdetect's NGram buffer resets at every space, so
    a word's n-grams depend on the word alone and are cached), ``_update_lang_prob`` and
    ``_normalize_prob`` (the same float operations in the same order). The text, the n-grams and their
    order, the seeded trials and so the probabilities are the same as langdetect's own (tested against
    ``langdetect.detect_langs``)."""

    def __init__(self, factory: DetectorFactory, known: frozenset[str]):
        super().__init__(factory)
        self.known = known

    def append(self, text: str) -> None:
        text = NGram.normalize_vi(self.MAIL_RE.sub(" ", self.URL_RE.sub(" ", text)))
        self.text += _SPACES.sub(" ", text[:self.max_text_length])

    def _extract_ngrams(self) -> list[str]:
        words = self.text.translate(_NORMALISED).split(" ")
        result: list[str] = []
        for k, word in enumerate(words):
            if word:
                result.extend(_word_ngrams(word, k < len(words) - 1, self.known))
        return result

    def _update_lang_prob(self, prob: list[float], word: str, alpha: float) -> bool:
        if word is None or word not in self.word_lang_prob_map:
            return False
        weight = alpha / self.BASE_FREQ
        prob[:] = [p * (weight + q) for p, q in zip(prob, self.word_lang_prob_map[word])]
        return True

    def _normalize_prob(self, prob: list[float]) -> float:
        total = sum(prob)
        prob[:] = [p / total for p in prob]
        best = 0.0
        for p in prob:
            if best < p:
                best = p
        return best


@lru_cache(maxsize=1)
def detector_factory() -> DetectorFactory:
    """langdetect's language profiles, loaded once per process (until ``release_profiles``)."""
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    return factory


@lru_cache(maxsize=1)
def known_ngrams() -> frozenset[str]:
    """The n-grams langdetect's profiles know."""
    return frozenset(detector_factory().word_lang_prob_map)


def release_profiles() -> None:
    """Drop the profiles and the n-gram cache from this process (the parent, once extraction is done)."""
    _word_ngrams.cache_clear()
    known_ngrams.cache_clear()
    detector_factory.cache_clear()


def language_probabilities(text: str, seed: int = 0) -> list[tuple[str, float]]:
    """(ISO 639-1 code, probability) pairs, most likely first; empty when langdetect cannot tell."""
    factory = detector_factory()
    factory.seed = seed
    detector = NgramDetector(factory, known_ngrams())
    try:
        detector.append(text[:SAMPLE_CHARS])
        return [(c.lang, round(c.prob, 4)) for c in detector.get_probabilities()]
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
