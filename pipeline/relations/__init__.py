"""Relations: signatures (who signed what, when, for whom) and partnerships (projects, networks,
twinnings and their members), read sentence by sentence from the found mentions.

Rule set ``press.relations.v2``; its word patterns live in ``models/rules/relations.json``.
Signatures: a sentence with a signing word names the document (or refers back to the article's
main document) and its parties (cities and organisations that are not merely the place of the
signing or part of the document's name). One row per party and document, with the date and the
person found with it. Partnerships: twinnings (twinning words + two cities), projects ("Projekt X",
"X project" + the cities and organisations listed with the name) and networks (a network
organisation + the parties that join it or sign its declaration).

Modules, each readable alone: ``text`` (sentences, word patterns), ``documents`` (document names),
``parties`` (who acts in a sentence), ``signatures`` and ``partnerships`` (the two tables' rows).
"""
from __future__ import annotations

from ..records import Article, Mention, Partnership, Signature
from .confidence import decide
from .documents import agreement_names, canonical_document, same_document
from .parties import container, genitive_attribute, in_role, with_canonical_orgs
from .partnerships import alliances, dedupe_partnerships, networks, projects, projects_of_agreements, twinnings
from .signatures import signatures
from .text import Sentence, rule, rules, sentences, sentences_from_text, signing_status
__all__ = ["Sentence", "agreement_names", "candidate_rows", "canonical_document", "container", "extract_relations", "genitive_attribute",
           "in_role", "rule", "rules", "same_document", "sentences", "sentences_from_text", "signing_status"]


def extract_relations(article: Article, doc, mentions: list[Mention],
                      decide_rows: bool = True) -> tuple[list[Signature], list[Partnership]]:
    """Signature and partnership rows of one article: the rules' candidates, each with the learned
    confidence and those under the model's threshold dropped (``decide_rows=False``: the candidates as
    the rules give them, which is what the classifier is trained on)."""
    rows = candidate_rows(article, doc, mentions)
    return decide(article, with_canonical_orgs(article, mentions), *rows) if decide_rows else rows


def candidate_rows(article: Article, doc, mentions: list[Mention]) -> tuple[list[Signature], list[Partnership]]:
    sents = sentences(article, doc)
    mentions = with_canonical_orgs(article, mentions)
    sigs = signatures(article, sents, mentions)
    found_projects = projects(article, sents, mentions)
    parts = twinnings(article, sents, mentions) + found_projects + projects_of_agreements(article, sigs, found_projects) \
        + networks(article, sents, mentions, sigs) + alliances(article, sents, mentions)
    return sigs, dedupe_partnerships(parts)
