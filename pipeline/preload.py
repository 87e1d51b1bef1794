"""Imported once by the worker processes' forkserver (see ``parallel.pool_context``), never by users.

It loads the heavy, read-only parts of the analysis: the GeoNames index (~200 MB of Python objects)
and the German and English spaCy pipelines with their rulers, for the default settings. Workers are
forked from the forkserver, so they start with these loaded and share their memory pages with it
(copy-on-write) instead of each holding a copy. ``gc.freeze`` keeps the garbage collector from
touching (and so copying) those pages in the workers.

A failure here only costs the sharing: a worker then loads what it needs itself.
"""
from __future__ import annotations

import gc
import logging

from . import parallel
from .nlp import EntityFinder
from .records import Article
from .run import analyse_one
from .settings import Settings

log = logging.getLogger(__name__)


WARM_UP = {"de": "Oberbürgermeisterin Dr. Anna Beispiel unterzeichnete am 3. März 2024 in Leipzig die Charta.",
           "en": "Mayor Jane Example signed the charter in Leeds on 3 March 2024."}


def preload() -> EntityFinder | None:
    try:
        finder = EntityFinder(Settings())
        finder.cities  # noqa: B018 - loads the index
        for lang in finder.settings.languages:
            nlp = finder.nlp(lang)
            if lang in WARM_UP:  # the word lists and indexes the analysis loads on first use
                text = WARM_UP[lang]
                analyse_one(Article(id="warm-up", source="", url=None, title="", text=text, published=None,
                                    language=lang), nlp(text), finder)
    except Exception:  # noqa: BLE001 - workers load for themselves
        log.warning("preloading the models for the worker processes failed", exc_info=True)
        return None
    return finder


parallel.PRELOADED = preload()
gc.freeze()
