"""Score predicted article tables against gold annotations (rules in GOLD_FORMAT.md).

Predictions come in the same JSON shape as a gold file. Per article and per list, predicted
items are matched one to one to gold items by a maximum matching that serves required gold
items first; optional gold items are never missed, and a prediction matched to one counts
nowhere. Nothing here does I/O: callers load JSON and write reports.

Policies beyond the table in GOLD_FORMAT.md:

- Names are compared after ``normalise_name``; person names also lose leading titles
  ("Dr.", "Prof. Dr. h.c.", "Herr", "Sir" ...) and trailing degrees ("PhD") on both sides.
- organisations: the predicted ``name`` must equal the gold name or a gold alias (predicted
  aliases are not used).
- cities: where gold has a GeoNames id the prediction must carry the same id; where gold's id
  is null, names must be equal.
- signing parties and partnership members: equal GeoNames ids when both sides have one, else
  the predicted name equals the gold name or, for organisations, one of the aliases the
  gold organisations list gives for it.
- agreements and partnership names: the predicted name equals the gold name or an alias, or
  ``token_sort_ratio`` >= 80 with one; among maximum matchings exact matches are preferred.
- only signature rows whose ``status`` is absent, null or "signed" are scored (both sides);
  an ``optional`` key on a prediction is ignored.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rapidfuzz import fuzz

LIST_NAMES = ("cities", "persons", "organisations", "dates", "signatories", "signatures", "partnerships")
MAIN_LANGUAGES = ("de", "en")
FUZZY_THRESHOLD = 80.0
EXACT, FUZZY, NO_MATCH = 2, 1, 0

T = TypeVar("T")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class PRF:
    """True/false positive and false negative counts with precision, recall and F1.

    Zero-division policy: precision = tp / (tp + fp), and when nothing was predicted
    (tp + fp == 0) it is 1.0 if there was also nothing to find (fn == 0), else 0.0.
    Recall likewise: tp / (tp + fn), and when there was nothing to find it is 1.0 if nothing
    was predicted (fp == 0), else 0.0. F1 is their harmonic mean, 0.0 when p + r == 0.
    So an empty gold list with an empty prediction scores 1.0 / 1.0 / 1.0.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        if self.tp + self.fp:
            return self.tp / (self.tp + self.fp)
        return 1.0 if self.fn == 0 else 0.0

    @property
    def recall(self) -> float:
        if self.tp + self.fn:
            return self.tp / (self.tp + self.fn)
        return 1.0 if self.fp == 0 else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, float | int]:
        """The scores and counts as a plain dict (for JSON reports)."""
        return {"p": self.precision, "r": self.recall, "f1": self.f1,
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass(frozen=True)
class ItemError:
    """One gold item the prediction missed, or one predicted item that matched nothing."""

    article_id: str
    list_name: str
    kind: str  # "missed" | "spurious"
    item: str  # readable key, e.g. "Prague (3067696)" or "Düsseldorf | Integrating Cities Charter"


@dataclass(frozen=True)
class ArticleScore:
    """Scores of one article: a PRF per list, signature attribute counts and item errors."""

    article_id: str
    language: str
    lists: dict[str, PRF]
    date_hits: int
    date_total: int
    person_hits: int
    person_total: int
    errors: tuple[ItemError, ...]


@dataclass(frozen=True)
class _Item(Generic[T]):
    """A comparable value with a readable label; ``optional`` only ever set on gold items."""

    value: T
    label: str
    optional: bool = False


@dataclass(frozen=True)
class _Party:
    """A signing party or partnership member: a city (GeoNames id) or an organisation."""

    gid: int | None
    names: frozenset[str]  # normalised name, plus gold organisation aliases on the gold side
    key: tuple[str, object] = ("name", "")  # set key: ("id", gid) for cities, else ("name", name)


@dataclass(frozen=True)
class _Named:
    """An agreement or partnership: normalised name and aliases; twinning flag."""

    names: tuple[str, ...]
    twinning: bool = False


@dataclass(frozen=True)
class _Row:
    """A signature row: who signed what, when and by whom (date ISO, person as person key)."""

    party: _Party
    agreement: _Named
    date: str | None
    person: str | None
    party_label: str = ""


@dataclass(frozen=True)
class _Matching:
    """Outcome of matching one list: required (gold, pred) index pairs, missed, spurious."""

    pairs: tuple[tuple[int, int], ...]
    missed: tuple[int, ...]
    spurious: tuple[int, ...]

    @property
    def prf(self) -> PRF:
        return PRF(len(self.pairs), len(self.spurious), len(self.missed))


# --------------------------------------------------------------------------- normalisation

_FOLD_EXTRA = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
                             "æ": "ae", "œ": "oe", "ı": "i"})
_TITLES = ("dr", "prof", "professor", "dipl", "ing", "mag", "med", "rer", "nat", "phil", "jur",
           "habil", "mr", "mrs", "ms", "mx", "sir", "dame", "herr", "frau", "hon", "rev")
_LEADING_TITLES = re.compile(r"^(?:(?:%s) (?:h c )?)+" % "|".join(_TITLES))
_TRAILING_TITLES = re.compile(r"(?: (?:phd|mba|llm|msc))+$")


def _strip_diacritics(s: str) -> str:
    """Decompose and drop combining marks: 'Köpenick' -> 'Kopenick'."""
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _punctuation_to_space(s: str) -> str:
    """Replace every punctuation or symbol character by a space."""
    return "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in s)


def normalise_name(s: str | None) -> str:
    """Case-fold, strip diacritics, turn punctuation into spaces and collapse white space.

    >>> normalise_name("  Düsseldorf–Integrating-Cities ")
    'dusseldorf integrating cities'
    """
    folded = _strip_diacritics((s or "").casefold().translate(_FOLD_EXTRA))
    return " ".join(_punctuation_to_space(folded).split())


def person_key(name: str | None) -> str:
    """Normalised person name without leading titles or trailing degrees ('Dr. Götz' -> 'gotz')."""
    norm = normalise_name(name)
    stripped = _TRAILING_TITLES.sub("", _LEADING_TITLES.sub("", norm + " ").strip())
    return stripped or norm


# --------------------------------------------------------------------------- tolerant loading


def _items(doc: Any, key: str) -> list[Any]:
    """The list under ``key``; a missing, null or non-list value reads as empty."""
    value = doc.get(key) if isinstance(doc, Mapping) else None
    return list(value) if isinstance(value, list) else []


def _as_mapping(item: Any) -> Mapping[str, Any]:
    """An item as a mapping; a bare string is read as ``{"name": item}``."""
    if isinstance(item, Mapping):
        return item
    return {"name": str(item)} if item is not None else {}


def _text(value: Any) -> str:
    """A field as a stripped string ('' for null)."""
    return str(value).strip() if value is not None else ""


def _gid(value: Any) -> int | None:
    """A GeoNames id as int; null, bool or non-numeric values read as None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def _optional(item: Any) -> bool:
    """Whether a gold item is marked ``optional: true``."""
    return isinstance(item, Mapping) and item.get("optional") is True


def _is_signed(row: Mapping[str, Any]) -> bool:
    """Only rows without a status, or with status 'signed', are scored."""
    status = row.get("status")
    return status is None or _text(status).casefold() == "signed"


def _label(name: str, gid: int | None) -> str:
    """Readable key of a place or party: 'Prague (3067696)' or just the name."""
    return f"{name} ({gid})" if gid is not None else name


# --------------------------------------------------------------------------- matching


def _hungarian_row(weights: Sequence[Sequence[int]], i: int, u: list, v: list, p: list) -> None:
    """Insert row ``i`` (1-based) into the assignment ``p`` (Hungarian algorithm, max weight)."""
    n, inf = len(weights), float("inf")
    minv, used, way = [inf] * (n + 1), [False] * (n + 1), [0] * (n + 1)
    p[0], j0 = i, 0
    while p[j0] != 0:
        used[j0], i0, delta, j1 = True, p[j0], inf, 0
        for j in range(1, n + 1):
            if not used[j]:
                cur = -weights[i0 - 1][j - 1] - u[i0] - v[j]
                if cur < minv[j]:
                    minv[j], way[j] = cur, j0
                if minv[j] < delta:
                    delta, j1 = minv[j], j
        for j in range(n + 1):
            if used[j]:
                u[p[j]] += delta
                v[j] -= delta
            else:
                minv[j] -= delta
        j0 = j1
    while j0:
        j1 = way[j0]
        p[j0], j0 = p[j1], j1


def max_weight_assignment(weights: Sequence[Sequence[int]]) -> list[int]:
    """Column assigned to each row of a square weight matrix, maximising the total weight."""
    n = len(weights)
    u, v, p = [0] * (n + 1), [0] * (n + 1), [0] * (n + 1)
    for i in range(1, n + 1):
        _hungarian_row(weights, i, u, v, p)
    result = [0] * n
    for j in range(1, n + 1):
        result[p[j] - 1] = j - 1
    return result


def _weights(quality: list[list[int]], optional: Sequence[bool], size: int) -> list[list[int]]:
    """Square weights that rank matchings by (#required, #optional, match quality) in turn."""
    opt = EXACT * size + 1
    req = size * (opt + EXACT) + 1
    rows = [[(opt if optional[g] else req) + q if q else 0 for q in row] for g, row in enumerate(quality)]
    padded = [row + [0] * (size - len(row)) for row in rows]
    return padded + [[0] * size for _ in range(size - len(padded))]


def _match(quality: list[list[int]], optional: Sequence[bool], n_pred: int) -> _Matching:
    """Optimal one-to-one matching of gold rows to predictions, given pairwise qualities."""
    size = max(len(quality), n_pred)
    assignment = max_weight_assignment(_weights(quality, optional, size)) if size else []
    matched = {g: p for g, p in enumerate(assignment[: len(quality)]) if p < n_pred and quality[g][p]}
    pairs = tuple((g, p) for g, p in sorted(matched.items()) if not optional[g])
    missed = tuple(g for g in range(len(quality)) if not optional[g] and g not in matched)
    taken = set(matched.values())
    spurious = tuple(p for p in range(n_pred) if p not in taken)
    return _Matching(pairs, missed, spurious)


def _match_items(gold: Sequence[_Item[Any]], pred: Sequence[_Item[Any]],
                 quality: Callable[[Any, Any], int]) -> _Matching:
    """Match predicted items to gold items under a pairwise quality (0 = no match)."""
    table = [[quality(g.value, p.value) for p in pred] for g in gold]
    return _match(table, [g.optional for g in gold], len(pred))


def _errors(article_id: str, list_name: str, gold: Sequence[_Item[Any]],
            pred: Sequence[_Item[Any]], matching: _Matching) -> tuple[ItemError, ...]:
    """Item-level errors of one list: missed gold items, then spurious predictions."""
    missed = [ItemError(article_id, list_name, "missed", gold[g].label) for g in matching.missed]
    spurious = [ItemError(article_id, list_name, "spurious", pred[p].label) for p in matching.spurious]
    return tuple(missed + spurious)


# --------------------------------------------------------------------------- comparisons


def _name_quality(pred: _Named, gold: _Named) -> int:
    """EXACT if the predicted name equals a gold name/alias, FUZZY if token-sort >= 80, else 0."""
    name = pred.names[0] if pred.names else ""
    if not name:
        return NO_MATCH
    if name in gold.names:
        return EXACT
    scores = (fuzz.token_sort_ratio(name, g, processor=None) for g in gold.names if g)
    return FUZZY if any(s >= FUZZY_THRESHOLD for s in scores) else NO_MATCH


def _partnership_quality(pred: _Named, gold: _Named) -> int:
    """Names match as agreements do; any twinning also matches any twinning."""
    quality = _name_quality(pred, gold)
    return max(quality, FUZZY) if pred.twinning and gold.twinning else quality


def _party_matches(gold: _Party, pred: _Party) -> bool:
    """Equal GeoNames ids when both sides have one, else a shared normalised name or alias."""
    if gold.gid is not None and pred.gid is not None:
        return gold.gid == pred.gid
    return bool(gold.names & pred.names)


def _city_quality(gold: tuple[int | None, str], pred: tuple[int | None, str]) -> int:
    """Same GeoNames id; where gold has none, same normalised name."""
    same = pred[0] == gold[0] if gold[0] is not None else bool(gold[1]) and pred[1] == gold[1]
    return EXACT if same else NO_MATCH


def _exact_quality(gold: Any, pred: Any) -> int:
    """EXACT for equal keys (persons, dates)."""
    return EXACT if gold and gold == pred else NO_MATCH


def _org_quality(gold: frozenset[str], pred: frozenset[str]) -> int:
    """The predicted name (a one-element set) is the gold name or one of its aliases."""
    return EXACT if gold & pred else NO_MATCH


# --------------------------------------------------------------------------- item readers


def _alias_index(gold: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Each normalised gold organisation name/alias -> all names of that organisation."""
    index: dict[str, frozenset[str]] = {}
    for org in map(_as_mapping, _items(gold, "organisations")):
        names = _org_names(org, with_aliases=True)
        for name in names:
            index[name] = index.get(name, frozenset()) | names
    return index


def _org_names(org: Mapping[str, Any], with_aliases: bool) -> frozenset[str]:
    """Normalised name of an organisation, plus its aliases when asked."""
    raw = [org.get("name")] + (_items(org, "aliases") if with_aliases else [])
    return frozenset(n for n in map(normalise_name, map(_text, raw)) if n)


def _party(item: Mapping[str, Any], name_key: str, aliases: Mapping[str, frozenset[str]]) -> _Party:
    """A party or member; ``aliases`` (gold side only) widens an organisation's names."""
    name, gid = normalise_name(_text(item.get(name_key))), _gid(item.get("geonames_id"))
    names = frozenset([name] if name else []) | aliases.get(name, frozenset())
    return _Party(gid, names, ("id", gid) if gid is not None else ("name", name))


def _named(item: Mapping[str, Any], name_key: str, alias_key: str) -> _Named:
    """An agreement or partnership: name first, then aliases, all normalised."""
    raw = [item.get(name_key)] + _items(item, alias_key)
    names = tuple(normalise_name(_text(n)) for n in raw)
    twinning = _text(item.get("kind")).casefold() == "twinning"
    return _Named(names, twinning)


def _city_items(doc: Mapping[str, Any], gold: bool) -> list[_Item[tuple[int | None, str]]]:
    """Cities keyed by (GeoNames id, normalised name)."""
    out = []
    for raw in _items(doc, "cities"):
        c = _as_mapping(raw)
        gid, name = _gid(c.get("geonames_id")), _text(c.get("name"))
        out.append(_Item((gid, normalise_name(name)), _label(name, gid), gold and _optional(raw)))
    return out


def _person_items(doc: Mapping[str, Any], gold: bool) -> list[_Item[str]]:
    """Persons keyed by their title-free normalised name."""
    people = [(_as_mapping(p), p) for p in _items(doc, "persons")]
    return [_Item(person_key(_text(p.get("name"))), _text(p.get("name")), gold and _optional(raw))
            for p, raw in people]


def _org_items(doc: Mapping[str, Any], gold: bool) -> list[_Item[frozenset[str]]]:
    """Organisations: gold with all names and aliases, predictions by name only."""
    orgs = [(_as_mapping(o), o) for o in _items(doc, "organisations")]
    return [_Item(_org_names(o, with_aliases=gold), _text(o.get("name")), gold and _optional(raw))
            for o, raw in orgs]


def _date_items(doc: Mapping[str, Any], gold: bool) -> list[_Item[str]]:
    """Dates as ISO strings; a date may be a string or ``{"value": ..., "optional": ...}``."""
    out = []
    for raw in _items(doc, "dates"):
        value = _text(raw.get("value")) if isinstance(raw, Mapping) else _text(raw)
        out.append(_Item(value, value, gold and _optional(raw)))
    return out


def _signed_rows(doc: Mapping[str, Any]) -> list[tuple[Mapping[str, Any], bool]]:
    """Signature rows that are scored, each with its gold ``optional`` flag."""
    rows = [(_as_mapping(r), _optional(r)) for r in _items(doc, "signatures")]
    return [(r, opt) for r, opt in rows if _is_signed(r)]


def _signature_items(doc: Mapping[str, Any], gold: bool,
                     aliases: Mapping[str, frozenset[str]]) -> list[_Item[_Row]]:
    """Signature rows as (party, agreement, date, person)."""
    out = []
    for r, opt in _signed_rows(doc):
        party = _party(r, "signatory", aliases)
        party_label = _label(_text(r.get("signatory")), party.gid)
        row = _Row(party, _named(r, "agreement", "agreement_aliases"), _text(r.get("date")) or None,
                   person_key(_text(r.get("person"))) or None, party_label)
        out.append(_Item(row, f"{party_label} | {_text(r.get('agreement'))}", gold and opt))
    return out


def _signatory_items(rows: Sequence[_Item[_Row]]) -> list[_Item[_Party]]:
    """The set of signing parties (keyed by GeoNames id, else normalised name), in first-seen
    order; a party is optional only if all its rows are optional."""
    parties: dict[tuple[str, object], _Item[_Party]] = {}
    for row in rows:
        party = row.value.party
        seen = parties.get(party.key)
        if seen is None or (seen.optional and not row.optional):
            label = seen.label if seen else row.value.party_label
            parties[party.key] = _Item(seen.value if seen else party, label, row.optional)
    return list(parties.values())


def _pair_items(doc: Mapping[str, Any], gold: bool,
                aliases: Mapping[str, frozenset[str]]) -> list[_Item[tuple[_Named, _Party]]]:
    """(partnership, member) pairs; optional when the partnership or the member is."""
    out = []
    for raw in _items(doc, "partnerships"):
        p = _as_mapping(raw)
        named = _named(p, "name", "aliases")
        for m_raw in _items(p, "members"):
            m = _as_mapping(m_raw)
            label = f"{_text(p.get('name'))} | {_label(_text(m.get('name')), _gid(m.get('geonames_id')))}"
            optional = gold and (_optional(raw) or _optional(m_raw))
            out.append(_Item((named, _party(m, "name", aliases)), label, optional))
    return out


# --------------------------------------------------------------------------- per-article scoring


def _pair_quality(gold: tuple[_Named, _Party], pred: tuple[_Named, _Party]) -> int:
    """A pair matches when the member matches and the partnership matches."""
    return _partnership_quality(pred[0], gold[0]) if _party_matches(gold[1], pred[1]) else NO_MATCH


def _row_quality(gold: _Row, pred: _Row) -> int:
    """A signature matches on signing party and agreement name."""
    return _name_quality(pred.agreement, gold.agreement) if _party_matches(gold.party, pred.party) else NO_MATCH


def _signatory_quality(gold: _Party, pred: _Party) -> int:
    return EXACT if _party_matches(gold, pred) else NO_MATCH


def _attribute_counts(gold: Sequence[_Item[_Row]], pred: Sequence[_Item[_Row]],
                      matching: _Matching) -> tuple[int, int, int, int]:
    """(date hits, date total, person hits, person total) over matched required rows."""
    pairs = [(gold[g].value, pred[p].value) for g, p in matching.pairs]
    dates = [(g.date, p.date) for g, p in pairs if g.date]
    persons = [(g.person, p.person) for g, p in pairs if g.person]
    return (sum(g == p for g, p in dates), len(dates), sum(g == p for g, p in persons), len(persons))


def _item_lists(pred: Mapping[str, Any], gold: Mapping[str, Any]) -> dict[str, tuple[list, list, Callable]]:
    """Per list name: gold items, predicted items and their pairwise quality."""
    aliases = _alias_index(gold)
    gold_rows, pred_rows = _signature_items(gold, True, aliases), _signature_items(pred, False, {})
    return {
        "cities": (_city_items(gold, True), _city_items(pred, False), _city_quality),
        "persons": (_person_items(gold, True), _person_items(pred, False), _exact_quality),
        "organisations": (_org_items(gold, True), _org_items(pred, False), _org_quality),
        "dates": (_date_items(gold, True), _date_items(pred, False), _exact_quality),
        "signatories": (_signatory_items(gold_rows), _signatory_items(pred_rows), _signatory_quality),
        "signatures": (gold_rows, pred_rows, _row_quality),
        "partnerships": (_pair_items(gold, True, aliases), _pair_items(pred, False, {}), _pair_quality),
    }


def score_article(pred: Mapping[str, Any], gold: Mapping[str, Any]) -> ArticleScore:
    """Score one predicted article against its gold annotation."""
    article_id = _text(gold.get("id")) or _text(pred.get("id"))
    language = _text(gold.get("language") or pred.get("language")).casefold()
    lists: dict[str, PRF] = {}
    errors: list[ItemError] = []
    counts = (0, 0, 0, 0)
    for name, (gold_items, pred_items, quality) in _item_lists(pred, gold).items():
        matching = _match_items(gold_items, pred_items, quality)
        lists[name] = matching.prf
        errors.extend(_errors(article_id, name, gold_items, pred_items, matching))
        if name == "signatures":
            counts = _attribute_counts(gold_items, pred_items, matching)
    return ArticleScore(article_id, language, lists, *counts, tuple(errors))


# --------------------------------------------------------------------------- corpus aggregation


def _groups(language: str) -> tuple[str, ...]:
    """Aggregation groups of an article: 'all' and its own language, if known."""
    return ("all", language) if language and language != "all" else ("all",)


def _group_order(languages: Iterable[str]) -> list[str]:
    """'all', 'de', 'en', then any other language seen, alphabetically."""
    others = sorted(set(languages) - {"all", *MAIN_LANGUAGES})
    return ["all", *MAIN_LANGUAGES, *others]


def _accuracy(hits: int, total: int) -> float | None:
    """hits / total, or None when there are no gold values."""
    return hits / total if total else None


def _attribute_fields(scores: Sequence[ArticleScore]) -> dict[str, Any]:
    """Signature date/person accuracy (and its counts) over a group of articles."""
    dh, dt = sum(s.date_hits for s in scores), sum(s.date_total for s in scores)
    ph, pt = sum(s.person_hits for s in scores), sum(s.person_total for s in scores)
    return {"date_accuracy": _accuracy(dh, dt), "date_hits": dh, "date_total": dt,
            "person_accuracy": _accuracy(ph, pt), "person_hits": ph, "person_total": pt}


def _group_entry(scores: Sequence[ArticleScore], list_name: str) -> dict[str, Any]:
    """Micro-averaged scores of one list over a group of articles."""
    entry: dict[str, Any] = sum((s.lists[list_name] for s in scores), PRF()).as_dict()
    return entry | _attribute_fields(scores) if list_name == "signatures" else entry


def aggregate(scores: Sequence[ArticleScore]) -> dict[str, Any]:
    """Micro-averaged P/R/F1 per list and per language group ('all', 'de', 'en', others).

    Groups without articles are present with zero counts (scored 1.0 by the PRF policy);
    ``articles`` gives the number of articles in each group.
    """
    groups = _group_order(lang for s in scores for lang in _groups(s.language))
    members = {g: [s for s in scores if g in _groups(s.language)] for g in groups}
    lists = {name: {g: _group_entry(members[g], name) for g in groups} for name in LIST_NAMES}
    return {"n_articles": len(scores), "articles": {g: len(members[g]) for g in groups}, "lists": lists}


# --------------------------------------------------------------------------- report


def _cell(entry: Mapping[str, Any]) -> str:
    """One group's P/R/F1 and counts."""
    return (f"{entry['p']:>6.3f}{entry['r']:>7.3f}{entry['f1']:>7.3f}"
            f"{entry['tp']:>6}{entry['fp']:>6}{entry['fn']:>6}")


def _accuracy_cell(entry: Mapping[str, Any], attribute: str) -> str:
    """One group's attribute accuracy as 'value (hits/total)', or 'n/a'."""
    value = entry.get(f"{attribute}_accuracy")
    text = "n/a" if value is None else f"{value:.3f} ({entry[attribute + '_hits']}/{entry[attribute + '_total']})"
    return f"{text:>38}"


def format_table(agg: Mapping[str, Any]) -> str:
    """A plain-text table: one row per list, P/R/F1 and tp/fp/fn per language group."""
    groups = list(next(iter(agg["lists"].values())).keys()) if agg["lists"] else ["all"]
    counts = agg.get("articles", {})
    head = "".join(f" | {f'{g} (n={counts.get(g, 0)})':<38}" for g in groups)
    sub = "".join(f" | {'P':>6}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}" for _ in groups)
    lines = [f"{'list':<26}{head}", f"{'':<26}{sub}"]
    for name, per_group in agg["lists"].items():
        lines.append(f"{name:<26}" + "".join(f" | {_cell(per_group[g])}" for g in groups))
    signatures = agg["lists"].get("signatures", {})
    for attribute in ("date", "person"):
        cells = "".join(f" | {_accuracy_cell(signatures.get(g, {}), attribute)}" for g in groups)
        lines.append(f"{'signature ' + attribute + ' accuracy':<26}{cells}")
    return "\n".join(lines)


def row_labels(pred: Mapping[str, Any], gold: Mapping[str, Any], list_name: str) -> list[int | None]:
    """For each predicted item of ``signatures`` (only rows with status signed are items) or
    ``partnerships`` (one (partnership, member) pair per member, in order), its outcome in the one-to-one
    matching: 1 matched a required gold item, 0 spurious, None matched an optional one (counts nowhere).
    What a classifier of rows is trained on."""
    gold_items, pred_items, quality = _item_lists(pred, gold)[list_name]
    matching = _match_items(gold_items, pred_items, quality)
    matched, spurious = {p for _, p in matching.pairs}, set(matching.spurious)
    return [1 if i in matched else 0 if i in spurious else None for i in range(len(pred_items))]
