"""Entity finding: spaCy pipelines per language plus the rule and gazetteer stages.

``EntityFinder.find`` returns ``Mention`` records of type CITY, PERSON, ORG and DATE with their
normalised values. Statistical NER proposes spans; cities are found and resolved by the GeoNames
gazetteer (which also takes the NER's location spans as candidates); dates by the date rules;
people and organisations are the NER's spans plus rule patterns, normalised and filtered.
"""
from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import spacy
from spacy.attrs import IDS, LOWER
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import EntityRuler
from spacy.vocab import Vocab
from spacy.tokens import Doc, Span

from . import dates, geo, orgs, people
from .records import Article, Mention
from .settings import Settings

PERSON_LABELS = {"PER", "PERSON"}
ORG_LABELS = {"ORG"}
PLACE_LABELS = {"LOC", "GPE", "ORG"}
DANGLING = frozenset("and of for the & und für der des von".split())  # a name does not end in these
RULE_ID = "press_rule"  # ent_id_ of spans found by the entity ruler (not the statistical NER)


def load_pipeline(lang: str, settings: Settings) -> Language:
    """The spaCy pipeline for a language, with entity-ruler patterns added before the NER."""
    if lang == "en":
        nlp = spacy.load(settings.english_model, exclude=["lemmatizer", "parser", "attribute_ruler", "tagger"])
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
    elif Path(settings.german_model).exists():
        nlp = spacy.load(settings.german_model)
        if not {"sentencizer", "senter", "parser"} & set(nlp.pipe_names):
            nlp.add_pipe("sentencizer", first=True)
        if settings.german_ner_labels and "ner" in nlp.pipe_names:
            nlp.add_pipe("keep_entity_labels", after="ner", config={"labels": list(settings.german_ner_labels)})
    else:  # no German model: rules and gazetteers only
        nlp = spacy.blank("de")
        nlp.add_pipe("sentencizer")
    add_rulers(nlp, lang)
    return nlp


@Language.factory("keep_entity_labels", default_config={"labels": []})
def keep_entity_labels(nlp: Language, name: str, labels: list[str]):
    """Drop the statistical NER's entities of other labels (the rules and gazetteer do better there)."""
    keep = set(labels)

    def component(doc: Doc) -> Doc:
        doc.ents = [e for e in doc.ents if e.label_ in keep]
        return doc
    return component


def add_rulers(nlp: Language, lang: str) -> None:
    """Person and organisation patterns as an entity ruler that yields to the statistical NER; then the
    registry's names (and, for German, the organisation-head patterns: "Senatsverwaltung für Umwelt,
    Verkehr und Klimaschutz") as a ruler that overrides it: the NER often cuts such names short or runs
    them on ("Bündnis 90" of "Bündnis 90/Die Grünen")."""
    heads_override = lang == "de"  # measured on the dev corpus: English NER spans are better left alone
    yielding = people.person_patterns(lang) + orgs.org_patterns(lang, with_prefix_heads=not heads_override,
                                                                with_registry=False)
    overriding = orgs.registry_patterns() + [{"label": "ORG", "pattern": p}
                                             for p in (orgs.prefix_patterns(lang) if heads_override else [])]
    last = next((p for p in ("keep_entity_labels", "ner") if p in nlp.pipe_names), None)
    flags = LexemeFlags(nlp.vocab)
    ruler = nlp.add_pipe("press_entity_ruler", name="press_ruler", after=last,
                         config={"overwrite_ents": False, "phrase_matcher_attr": "ORTH"})
    ruler.add_patterns([{**p, "pattern": flags.rewrite(p["pattern"]), "id": RULE_ID} for p in yielding])
    # German: the rule span wins over every entity it touches (our German NER's edges are the weaker ones);
    # English: only over entities it covers (en_core_web_sm's longer names stay), both measured on dev
    ents_filter = "spacy.prioritize_new_ents_filter.v1" if lang == "de" else "press.covering_ents_filter.v1"
    config = {"phrase_matcher_attr": "ORTH", "spans_key": None, "annotate_ents": True, "overwrite": False,
              "ents_filter": {"@misc": ents_filter}}
    ruler = nlp.add_pipe("span_ruler", name="press_head_ruler", after="press_ruler", config=config)
    ruler.add_patterns([{**p, "pattern": flags.rewrite(p["pattern"]), "id": RULE_ID} for p in overriding])


FLAGS = {IDS[f"FLAG{i}"]: f"FLAG{i}" for i in range(19, 64)}  # the lexeme flag bits spaCy leaves to users
WORD_ATTRS = ("TEXT", "ORTH", "LOWER")  # attributes of the word itself, so of the lexeme
SET_OPS = {"IN": True, "NOT_IN": False}


class WordTest:
    """A token pattern's set or regex test on the word (``{"LOWER": {"IN": [...]}}``, ``{"TEXT":
    {"REGEX": ...}}``) as a lexeme flag getter, with the Matcher's semantics: a set test compares the
    attribute's string, a regex is searched in it. A class, not a closure, so that a vocab pickles."""

    def __init__(self, attr: str, op: str, value, lower):
        self.attr, self.lower = attr, lower
        self.regex = re.compile(value) if op == "REGEX" else None
        self.values = frozenset(value) if op in SET_OPS else None

    def __call__(self, orth: str) -> bool:
        text = self.lower(orth) if self.attr == "LOWER" else orth
        return bool(self.regex.search(text)) if self.regex is not None else text in self.values


class LexemeFlags:
    """Rewrites token patterns so that their set and regex tests on the word are lexeme flags.

    spaCy's Matcher calls a Python predicate for such a test at every token for every pattern state that
    reaches it (with ~100 person and organisation patterns, 30% of a profiled run's time); a flag is
    computed once per word of the vocabulary and checked in C. The matches are the same. Tests on
    other attributes, and those beyond the 45 free flag bits, stay as they are."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab
        self.lower = vocab.lex_attr_getters.get(LOWER, str.lower)
        self.names: dict[tuple, str] = {}

    def rewrite(self, pattern):
        if not isinstance(pattern, list):  # a phrase pattern
            return pattern
        return [self._token(spec) for spec in pattern]

    def _token(self, spec: dict) -> dict:
        out = {}
        for attr, value in spec.items():
            tests = value if isinstance(value, dict) and attr.upper() in WORD_ATTRS else None
            if not tests or not set(tests) <= {"REGEX", *SET_OPS}:
                out[attr] = value
                continue
            rest = {}
            for op, arg in tests.items():
                flag = self._flag(attr.upper(), op, arg)
                if flag is None:
                    rest[op] = arg
                else:
                    out[flag] = SET_OPS.get(op, True)
            if rest:
                out[attr] = rest
        return out

    def _flag(self, attr: str, op: str, arg) -> str | None:
        if op != "REGEX" and not all(isinstance(v, str) for v in arg):  # ids, not strings: left as they are
            return None
        attr = "ORTH" if attr == "TEXT" else attr
        key = (attr, "REGEX" if op == "REGEX" else "SET", arg if op == "REGEX" else tuple(sorted(arg)))
        if key not in self.names:
            free = [i for i in FLAGS if i not in self.vocab.lex_attr_getters]
            if not free:
                return None
            test = WordTest(attr, "REGEX" if op == "REGEX" else "IN", arg, self.lower)
            self.names[key] = FLAGS[self.vocab.add_flag(test, free[0])]
        return self.names[key]


OPTIONAL_OPS = re.compile(r"\?|\*|\{0?,(\d+)\}")  # "?", "*", "{0,2}", "{,2}": ops that may match no token


def leading_optional(pattern) -> tuple[dict, int, list] | None:
    """A token pattern that opens with an optional token, split into that token's test (without its op),
    the most tokens it may match, and the rest: ``[{..., "OP": "{0,2}"}, A, B]`` -> ``({...}, 2, [A, B])``.
    None for phrase patterns, patterns without such an opening, and those that are nothing but it."""
    if not isinstance(pattern, list) or len(pattern) < 2 or not isinstance(pattern[0], dict):
        return None
    op = OPTIONAL_OPS.fullmatch(str(pattern[0].get("OP", "")))
    if op is None or any(isinstance(t, dict) and OPTIONAL_OPS.fullmatch(str(t.get("OP", ""))) for t in pattern[1:2]):
        return None
    most = 1 if op.group() == "?" else (10 ** 6 if op.group() == "*" else int(op.group(1)))
    return {k: v for k, v in pattern[0].items() if k != "OP"}, most, pattern[1:]


class PrefixSplitRuler(EntityRuler):
    """An entity ruler that matches a token pattern opening with an optional token (80 German organisation
    patterns open with up to two adjectives: "Deutsche", "Berliner") without that opening, then adds the
    matches that take in 1..n of the tokens before it that pass the opening's test. spaCy's Matcher pays
    for an optional first token at every token of the text (it starts a state there for every pattern);
    measured on 298 Berlin releases, matching took 4.6 s with the openings and 1.8 s split. The matches,
    and so the entities, are the same (tested against the plain Matcher)."""

    def __init__(self, *args, **kwargs):
        self._split: dict[tuple[str, int], tuple[Matcher, Matcher, int]] = {}
        super().__init__(*args, **kwargs)

    def add_patterns(self, patterns) -> None:
        plain = []
        for entry in patterns:
            split = leading_optional(entry["pattern"])
            if split is None:
                plain.append(entry)
                continue
            opening, most, core = split
            label = entry["label"]
            if "id" in entry:
                label = self._create_label(entry["label"], entry["id"])
                self._ent_ids[self.matcher._normalize_key(label)] = (entry["label"], entry["id"])
            key = (json.dumps(opening, sort_keys=True), most)
            if key not in self._split:
                prefix = Matcher(self.nlp.vocab, validate=self._validate)
                prefix.add("opening", [[opening]])
                self._split[key] = (prefix, Matcher(self.nlp.vocab, validate=self._validate), most)
            self._split[key][1].add(label, [core])
            self.token_patterns[label].append(entry["pattern"])  # listed as given (``patterns``, ``len``)
        super().add_patterns(plain)

    def clear(self) -> None:
        super().clear()
        self._split = {}

    def remove(self, ent_id: str) -> None:
        kept = [p for p in self.patterns if p.get("id") != ent_id]
        if len(kept) == len(self):
            super().remove(ent_id)  # raises spaCy's error for an unknown id
        self.clear()
        self.add_patterns(kept)

    def match(self, doc: Doc):
        self._require_patterns()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="\\[W036")
            matches = list(self.matcher(doc)) + list(self.phrase_matcher(doc))
            for prefix, core, most in self._split.values():
                found = core(doc)
                opens = {start for _, start, _ in prefix(doc)} if found else set()
                for match_id, start, end in found:
                    matches.append((match_id, start, end))
                    k = 1
                    while k <= most and start - k in opens:
                        matches.append((match_id, start - k, end))
                        k += 1
        final = {(m, start, end) for m, start, end in matches if start != end}
        return sorted(final, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)


@Language.factory("press_entity_ruler", default_config={"phrase_matcher_attr": None, "overwrite_ents": False,
                                                          "validate": False, "ent_id_sep": "||"})
def make_press_entity_ruler(nlp: Language, name: str, phrase_matcher_attr, overwrite_ents: bool, validate: bool,
                            ent_id_sep: str) -> PrefixSplitRuler:
    return PrefixSplitRuler(nlp, name, phrase_matcher_attr=phrase_matcher_attr, overwrite_ents=overwrite_ents,
                            validate=validate, ent_id_sep=ent_id_sep)


@spacy.registry.misc("press.covering_ents_filter.v1")
def make_covering_ents_filter():
    return covering_ents_filter


def covering_ents_filter(entities, spans) -> list:
    """Rule spans replace the entities they cover ("Bündnis 90" by "Bündnis 90/Die Grünen"), never one that
    reaches beyond them ("United Nations" leaves "United Nations Human Rights Office" alone); longest first."""
    kept = list(entities)
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (s.end - s.start, -s.start), reverse=True):
        if taken.intersection(range(span.start, span.end)):
            continue
        hit = [e for e in kept if e.start < span.end and span.start < e.end]
        if all(span.start <= e.start and e.end <= span.end for e in hit):
            kept = [e for e in kept if e not in hit] + [span]
            taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda s: s.start)


@dataclass
class EntityFinder:
    settings: Settings

    def __post_init__(self) -> None:
        self._nlp: dict[str, Language] = {}
        self._cities: geo.CityResolver | None = None

    def nlp(self, lang: str) -> Language:
        if lang not in self._nlp:
            self._nlp[lang] = load_pipeline(lang, self.settings)
        return self._nlp[lang]

    def for_settings(self, settings: Settings) -> "EntityFinder":
        """A finder for ``settings`` that shares this one's loaded pipelines where they are the same models."""
        other = EntityFinder(settings)
        same_models = (settings.german_model, settings.english_model, settings.german_ner_labels) == \
            (self.settings.german_model, self.settings.english_model, self.settings.german_ner_labels)
        if same_models:
            other._nlp = dict(self._nlp)
        other._cities = self._cities
        return other

    @property
    def cities(self) -> geo.CityResolver:
        if self._cities is None:
            self._cities = geo.CityResolver.load()
        return self._cities

    def docs(self, articles: list[Article]):
        """spaCy docs for articles of one language, batched."""
        if not articles:
            return []
        nlp = self.nlp(articles[0].language)
        return nlp.pipe((a.text for a in articles), batch_size=self.settings.nlp_batch_size)

    def find(self, article: Article, doc: Doc) -> list[Mention]:
        """All mentions of one article, sorted by position, non-overlapping per type."""
        lang = article.language
        sentences = [(s.start_char, s.end_char) for s in doc.sents]
        cities, dates_ = self._cities_in(article, doc), self._dates_in(article)
        found = cities + dates_
        taken = [(m.start, m.end) for m in found]
        # an organisation may contain a city ("Universität Leipzig", "Senatsverwaltung für Umwelt", whose
        # head names Berlin); it may not cross a city's edge or touch a date
        org_blocked = [(m.start, m.end) for m in dates_]
        people_found = canonical_people(self._people_in(doc, lang, taken, article.text))
        org_mentions = without_generic_acronyms(article.text, self._orgs_in(doc, lang, org_blocked, cities))
        if lang == "de":
            org_mentions += networks_in_compounds(article.text, [(m.start, m.end) for m in org_mentions])
        found += people_found + [m for m in org_mentions if not names_a_person(m, people_found)
                                 and (m.source != "ner" or statistical_org_fits(m.org, lang, article.text))]
        return sorted((with_sentence(m, sentences) for m in found), key=lambda m: (m.start, m.end, m.type))

    def _cities_in(self, article: Article, doc: Doc) -> list[Mention]:
        spans = [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in PLACE_LABELS]
        country = self.settings.publisher_country or {"de": "DE"}.get(article.language)
        matches = self.cities.find_cities(article.text, article.language, spans, publisher_country=country)
        return [Mention("CITY", m.text, m.start, m.end, city=m.city, source="gazetteer") for m in matches]

    def _dates_in(self, article: Article) -> list[Mention]:
        spans = dates.find_dates(article.text, article.language, article.published)
        return [Mention("DATE", d.text, d.start, d.end, iso_date=d.iso, source="date_rules") for d in spans]

    def _people_in(self, doc: Doc, lang: str, taken: list[tuple[int, int]], text: str) -> list[Mention]:
        out = []
        for ent in doc.ents:
            # an "organisation" or place that starts with a title or role and goes on with a name is a person
            # ("Dr Aoife Dunleavy", "Bezirksverordnete Lars Rauchfuß" where the NER said ORG)
            as_person = ent.label_ in ("ORG", "GPE") and orgs.starts_with_person_word(ent.text)
            if ent.label_ not in PERSON_LABELS and not as_person:
                continue
            sent = ent.sent
            person = people.parse_person(ent.text, sent.text, ent.start_char - sent.start_char, lang)
            if as_person and len(person.name.split(" ")) < 2:
                continue
            if lang == "de":
                ent, person = self._after_genitive_city(doc, ent, person)
            # a city or date inside the name blocks it; one inside the role before it does not (the gazetteer
            # reads "Senatorin" as Berlin's senate in "Senatorin Katharina Günther-Wünsch")
            name_at = ent.text.rfind(person.name.split(" ")[0]) if person.name else -1
            if overlaps(ent.start_char + max(name_at, 0), ent.end_char, taken):
                continue
            if person.name and people.is_plausible_person(person.name, lang):
                source = "rule" if ent.ent_id_ == RULE_ID else "ner"
                out.append(Mention("PERSON", ent.text, ent.start_char, ent.end_char, person=person, source=source))
        blocked = taken + [(e.start_char, e.end_char) for e in doc.ents if e.label_ in ORG_LABELS | PERSON_LABELS] \
            + [(m.start, m.end) for m in out]  # (a place label on a name is no reason: "Marta Zielińska")
        for sent, start, end in named_beside(doc, text, out, blocked):
            person = people.parse_person(doc[start:end].text, sent.text, doc[start].idx - sent.start_char, lang)
            if person.name and len(person.name.split(" ")) >= 2 and people.is_plausible_person(person.name, lang):
                out.append(Mention("PERSON", doc[start:end].text, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]),
                                   person=person, source="rule"))
        return sorted(out, key=lambda m: m.start)

    def _after_genitive_city(self, doc: Doc, ent, person):
        """German "Oberbürgermeister Hanois Nguyen Duc Chung": a large city in the genitive between the role
        and the name is the affiliation, and the name (which the patterns cut after two words) runs on."""
        words = person.name.split(" ")
        before = ent.text[:-len(person.name)].split() if person.name and ent.text.endswith(person.name) else []
        if len(words) < 2 or not words[0].endswith("s") or people.is_first_name(words[0]) \
                or not (before and people.is_role_word(before[-1])):
            return ent, person  # (only right after the role word: not "Iris Spranger", "Iri" being a city)
        city = self.cities.large_city(words[0][:-1])
        if city is None:
            return ent, person
        end = ent.end
        while end < len(doc) and end - ent.end < 2 and doc[end].text[:1].isupper() and doc[end].is_alpha \
                and not doc[end].is_sent_start and not people.is_role_word(doc[end].text):
            end += 1
        name = " ".join(words[1:] + [t.text for t in doc[ent.end:end]])
        return doc[ent.start:end], replace(person, name=name, affiliation=person.affiliation or city)

    def _orgs_in(self, doc: Doc, lang: str, taken: list[tuple[int, int]], cities: list[Mention]) -> list[Mention]:
        out = []
        no_org: set[str] = set()  # names that one mention shows to be a place or programme
        legal = orgs.legal_forms()
        ents = english_of_phrases(doc) if lang == "en" else list(doc.ents)
        for ent in ents:
            if ent.label_ not in ORG_LABELS or overlaps(ent.start_char, ent.end_char, taken):
                continue
            source = "rule" if ent.ent_id_ == RULE_ID else "ner"
            # a name ends at its legal form ("WBM … mbH vor Ort im Club X" -> "WBM … mbH")
            ent = next((doc[ent.start:t.i + 1] for t in ent[:-1] if t.text in legal and t.i > ent.start), ent)
            if source == "ner":  # a capitalised article inside starts a new phrase ("…-Institut Das Center …")
                ent = next((doc[ent.start:t.i] for t in ent[1:] if t.text in ("Der", "Die", "Das", "Den", "Dem", "Des")
                            and doc[t.i - 1].text not in ("/", "-")), ent)
            # a name ends at a line break ("… for Climate & Energy" + "\n" + "Lisbon, 30 June …")
            ent = next((doc[ent.start:t.i] for t in ent if "\n" in t.text), ent)
            if not len(ent):
                continue
            if lang == "en":  # where the small English model cuts names short or runs them on
                ent = before_possessive(with_name_before_acronym(doc, with_name_continued(doc, ent)))
            inside = [c for c in cities if overlaps(ent.start_char, ent.end_char, [(c.start, c.end)])]
            if inside and not more_than_cities(ent, inside):
                continue
            name = orgs.canonical_org(with_article(doc, ent, lang), lang)
            if lang == "en" and names_no_organisation(doc, ent) and orgs.fold(name) not in orgs.registry_index():
                no_org.add(orgs.fold(name))
                continue
            name = without_board(name) if lang == "en" else name
            if source == "ner" and (not orgs.is_plausible_statistical_org(name, lang)
                                    or ent.text.split()[-1].casefold() in DANGLING):
                continue  # ("Higher Education and": a span cut off inside a name)
            if name and orgs.is_plausible_org(name, lang):
                out.append(Mention("ORG", ent.text, ent.start_char, ent.end_char, org=name, source=source))
        return [m for m in out if orgs.fold(m.org) not in no_org]  # "the Digistat Patient Watch solution" tells


# lower-case nouns after a name that make it a place or a programme, not an organisation: "the Fox Tech
# campus", "Randolph Air Force base", "the Connect Home program", "Robson, Mainland and Hamilton streets"
PLACE_OR_PROGRAMME_NOUNS = frozenset(
    "campus base port street streets avenue road square park district area corridor site airport station "
    "program programs programme programmes initiative initiatives campaign scheme solution cookbook".split())
COORDINATION = frozenset(", and or & our the".split())
CLOSING_QUOTES = frozenset("”\"’'»")


def names_no_organisation(doc: Doc, ent) -> bool:
    """English: the span is followed by a lower-case place or programme noun, directly or after a
    coordination of further names ("SA Tomorrow, Vision Zero, and our Smart City initiatives")."""
    for token in doc[ent.end:min(len(doc), ent.end + 12)]:
        if token.is_sent_start:
            return False
        if token.text in CLOSING_QUOTES or token.lower_ in COORDINATION or token.text[:1].isupper():
            continue
        return token.lower_ in PLACE_OR_PROGRAMME_NOUNS
    return False


def _two_name_words(doc: Doc, i: int) -> bool:
    """doc[i], doc[i + 1] could be a first name and a surname, and the name ends there."""
    if i + 1 >= len(doc) or doc[i].is_sent_start or doc[i + 1].is_sent_start:
        return False
    ends = i + 2 >= len(doc) or doc[i + 2].is_sent_start or not doc[i + 2].text[:1].isupper()
    return ends and all(people.is_name_word(t.text) and t.is_alpha or "-" in t.text[1:-1] for t in doc[i:i + 2])


def named_beside(doc: Doc, text: str, found: list[Mention], blocked: list[tuple[int, int]]):
    """(sentence, start, end) token spans of two-word names that the patterns miss because the first name
    is not in the list, where the sentence's syntax marks a person:
    * after a found person and "und"/"and" ("Bernd Sieben und Fiete Lemke");
    * after a role word and a comma, the role perhaps with "von/of X" ("der stellvertretende
      Bürgermeister von Kiew, Taras Melnytschuk,"; "Partnerschaftsbeauftragten, Mirka Schuster,");
    * before a comma and a role word ("Annastacia Palaszczuk, Premier und …"; "Marta Zielińska,
      director of KBF")."""
    ends = {m.end for m in found}
    # only two capitalised words next to a comma or "und"/"and" are looked at (a regex over the text is much
    # cheaper than a look at every token)
    starts = set()
    for match in BESIDE_RE.finditer(text):
        group = 1 if match.group(1) else 2
        span = doc.char_span(match.start(group), match.end(group))
        if span is not None and len(span) == 2:
            starts.add(span.start)
    for i in sorted(starts):
        if not _two_name_words(doc, i) or overlaps(doc[i].idx, doc[i + 1].idx + len(doc[i + 1]), blocked):
            continue
        before = doc[i - 1] if i > 0 else None
        after_person = before is not None and before.lower_ in ("und", "and") and i > 1 and \
            doc[i - 2].idx + len(doc[i - 2]) in ends
        after_role = before is not None and before.text == "," and _role_before(doc, i - 1)
        before_role = i + 3 < len(doc) and doc[i + 2].text == "," and \
            (people.is_role_word(doc[i + 3].text) or people.is_modifier(doc[i + 3].text) and i + 4 < len(doc)
             and people.is_role_word(doc[i + 4].text))
        if after_person or after_role or before_role:
            yield doc[i].sent, i, i + 2


CAP_WORD = r"[A-ZÄÖÜÀ-ÖØ-ÞĀ-Ž][\w\-]*"
BESIDE_RE = re.compile(rf"(?:(?<=, )|(?<=\bund )|(?<=\band ))({CAP_WORD} {CAP_WORD})\b|\b({CAP_WORD} {CAP_WORD})(?=,)")


def _role_before(doc: Doc, comma: int) -> bool:
    """A role word right before the comma at ``comma``, or "role von/of/des X" (up to three words)."""
    for back in range(1, 5):
        j = comma - back
        if j < 0 or doc[j].is_sent_start and back > 1:
            return False
        if people.is_role_word(doc[j].text):
            return back == 1 or doc[j + 1].lower_ in ("von", "of", "des", "der", "in")
    return False


def english_of_phrases(doc: Doc) -> list:
    """English entities, where an organisation whose name ends in a head word is followed by "of (the)"
    and another organisation or place, as one: the NER splits "the Press and Information Office" + "of
    the" + "Federal State of Berlin" (label and rule mark of the first)."""
    ents, out, i = list(doc.ents), [], 0
    while i < len(ents):
        ent = ents[i]
        nxt = ents[i + 1] if i + 1 < len(ents) else None
        gap = doc[ent.end:nxt.start].text_with_ws if nxt is not None else ""  # (doc.text joins every token)
        gap = " " + gap if ent[-1].whitespace_ else gap
        if nxt is not None and ent.label_ in ORG_LABELS and nxt.label_ in ("ORG", "GPE") \
                and gap in (" of ", " of the ") and orgs.fold(ent[-1].text) in orgs.english_heads() \
                and orgs.fold(nxt.text) not in orgs.generic_org_words():  # not "Mayor's Office of the CTO"
            out.append(Span(doc, ent.start, nxt.end, label=ent.label_, span_id=ent.ent_id_))
            i += 2
            continue
        out.append(ent)
        i += 1
    return out


def with_name_before_acronym(doc: Doc, ent):
    """English: "the Alamo Area MPO", of which the NER took only the acronym: the capitalised words
    between "the" and an acronym belong to its name."""
    if len(ent) != 1 or not orgs.is_acronym(ent.text):
        return ent
    start = ent.start
    while start > 0 and doc[start - 1].text[:1].isupper() and doc[start - 1].is_alpha \
            and not doc[start - 1].is_sent_start and doc[start - 1].lower_ != "the":
        start -= 1
    return doc[start:ent.end] if start < ent.start and start > 0 and doc[start - 1].lower_ == "the" else ent


def before_possessive(ent):
    """English: "the Welsh Government’s Active Travel Fund" names the government's fund; the organisation
    is the part before the possessive when that part ends in an organisation head word (not "Mayor’s
    Council on …", whose possessive belongs to the name)."""
    for token in ent[1:-1]:
        if token.text in ("’s", "'s") and orgs.fold(ent.doc[token.i - 1].text) in orgs.english_heads():
            return ent.doc[ent.start:token.i]
    return ent


LOWER_CASE_HEADS = frozenset("college university institute academy".split())
# lower-case words inside foreign names: "Energi i Nord", "Banco de España", "Università di Bologna"
FOREIGN_NAME_GLUE = frozenset("i og och de di del della du van von y".split())


def with_name_continued(doc: Doc, ent):
    """English: a name that the NER cut before its lower-case head ("St. Philips college") or before a
    foreign name's glue word and the capitalised rest ("Energi" + "i Nord") is taken whole."""
    nxt = doc[ent.end] if ent.end < len(doc) else None
    if nxt is None or not nxt.is_lower:
        return ent
    if nxt.lower_ in LOWER_CASE_HEADS or (nxt.lower_ == "group" and len(ent) > 1 and not orgs.is_acronym(ent[-1].text)):
        return doc[ent.start:ent.end + 1]  # ("the Economic Innovation group"; not "the Siemens group")
    if nxt.lower_ in FOREIGN_NAME_GLUE and ent.end + 1 < len(doc) and doc[ent.end + 1].text[:1].isupper() \
            and not doc[ent.end + 1].is_sent_start and doc[ent.end + 1].ent_type_ in ("", "ORG"):
        end = ent.end + 1
        while end < len(doc) and doc[end].text[:1].isupper() and not doc[end].is_sent_start:
            end += 1
        return doc[ent.start:end]
    return ent


def without_board(name: str) -> str:
    """"C40 Board" is C40 (the registry knows it), "ECB Board" the ECB: the board of a known organisation
    or an acronym speaks for it."""
    head, _, last = name.rpartition(" ")
    if last == "Board" and head and (orgs.fold(head) in orgs.registry_index() or orgs.is_acronym(head)):
        return head
    return name


def networks_in_compounds(text: str, taken: list[tuple[int, int]]) -> list[Mention]:
    """German keeps hyphen compounds whole, so "Eurocities-Konferenz" hides a mention of the network: the
    registry's networks as the first part of a compound (only networks: "EU-Mittel" names no actor)."""
    out = []
    for match in COMPOUND_HEAD_RE.finditer(text):  # (a regex over the text: cheaper than every token)
        first, at = match.group(1), match.start(1)
        if orgs.is_network(first) and not overlaps(at, at + len(first), taken):
            out.append(Mention("ORG", first, at, at + len(first), org=orgs.canonical_org(first, "de"), source="rule"))
    return out


COMPOUND_HEAD_RE = re.compile(r"(?<![\w\-])(\w[\w&]+)-(?=\w)")


def canonical_people(found: list[Mention]) -> list[Mention]:
    """Every mention of one person carries the person's full name ('Giffey' -> 'Franziska Giffey'),
    its own title and role where stated, else the person's best-known ones."""
    clusters = people.cluster_persons([m.person for m in found])
    out = []
    for m in found:
        full = next((c for c in clusters if same_person(m.person.name, c.name)), None)
        if full is not None:
            merged = replace(full, title=m.person.title or full.title, role=m.person.role or full.role,
                             affiliation=m.person.affiliation or full.affiliation)
            m = replace(m, person=merged)
        out.append(m)
    return out


def same_person(mention: str, full: str) -> bool:
    """'Giffey' or 'Franziska Giffey' is 'Franziska Giffey'."""
    a, b = mention.casefold().split(), full.casefold().split()
    return a == b or (len(a) == 1 and bool(b) and a[0] == b[-1])


def statistical_org_fits(name: str, lang: str, text: str) -> bool:
    """A statistical ORG span that is no description: not a generic plural ("Lighthouse Cities"), in German
    not a common noun ("Naturschutzgebiet"), in English not a word the article writes in lower case."""
    if orgs.is_plural_description(name):
        return False
    return not orgs.ends_in_generic_noun(name) if lang == "de" else not (lang == "en" and common_word(name, text))


def names_a_person(org: Mention, people_found: list[Mention]) -> bool:
    """'Gronkiewicz-Waltz' tagged as an organisation where the article names Hanna Gronkiewicz-Waltz."""
    key = org.org.casefold()
    full = [p.person.name for p in people_found if p.person and " " in (p.person.name or "")]  # not a lone word
    return any(key == name.casefold() or key == name.split(" ")[-1].casefold() for name in full)


def common_word(name: str, text: str) -> bool:
    """An English name the article also writes in lower case ('Hydrogen' / 'hydrogen', 'Alarm Management' /
    'alarm management') is a common word or phrase that the statistical NER took for an organisation."""
    return name[:1].isupper() and not any(orgs.is_acronym(w) for w in name.split(" ")) \
        and re.search(rf"(?<![\w\-./@]){re.escape(name.lower())}(?![\w\-@]|\.\w)", text) is not None  # not in URLs


def without_generic_acronyms(text: str, found: list[Mention]) -> list[Mention]:
    """Drop acronyms the article defines for something that is no organisation: "Intensive Care Units
    (ICU)", "memorandum of understanding (MOU)". An acronym whose bracketed definition follows an
    organisation mention ("Kraków Festival Office (KBF)"), or that the article never defines, stays."""
    def generic(acronym: str) -> bool:
        # "(ICU)", also with a prefix or a plural: "(e-SAF)", "(ICUs)"
        defined_at = re.search(rf"\((?:\w+-)?{re.escape(acronym)}s?\)", text)
        if defined_at is None:
            return False
        at = defined_at.start()
        letters = re.sub(r"[^A-Z]", "", acronym.upper())
        words = re.findall(r"[^\W\d_][\w\-]*", text[max(0, at - 120):at])
        content = [w for w in words if w.casefold() not in orgs.NAME_GLUE]
        # "intensive care units (ICU)", "memorandum of understanding (MOU)"
        defined = any("".join(w[0].upper() for w in ws[-len(letters):]) == letters for ws in (words, content))
        return defined and not any(m.start < at and at - m.end <= 2 and not orgs.is_acronym(m.org) for m in found)
    return [m for m in found if not (orgs.is_acronym(m.org) and " " not in m.org and generic(m.org))]


def with_article(doc: Doc, ent, lang: str) -> str:
    """The span's text, in German with the article before it ("der" + "Deutschen Umwelthilfe"): the
    article tells the case, so that the name's adjectives can be put back in the nominative."""
    if lang == "de" and ent.start > 0 and doc[ent.start - 1].lower_ in orgs.GERMAN_ARTICLES:
        return f"{doc[ent.start - 1].text} {ent.text}"
    return ent.text


def more_than_cities(ent, cities: list[Mention]) -> bool:
    """An organisation span around city mentions names more than them: it holds each city whole and
    a capitalised word besides ("Universität Leipzig", not "Bristol and" or "Stadt Leipzig" cut short)."""
    if any(c.start < ent.start_char or c.end > ent.end_char for c in cities):
        return False  # crosses a city's edge
    rest = ent.text
    for c in sorted(cities, key=lambda c: -c.start):
        rest = rest[:c.start - ent.start_char] + " " + rest[c.end - ent.start_char:]
    words = [w.strip(".,;:()–-") for w in rest.split()]
    return any(w[:1].isupper() and w.casefold() not in orgs.FUNCTION_WORDS for w in words)


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def with_sentence(mention: Mention, sentences: list[tuple[int, int]]) -> Mention:
    """Attach the enclosing sentence's character span."""
    for start, end in sentences:
        if start <= mention.start < end:
            return Mention(**{**mention.__dict__, "sentence_start": start, "sentence_end": end})
    return mention
