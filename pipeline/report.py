"""A self-contained HTML review report: every table row next to the sentence it was read from.

``write_report`` writes ``<out>/report.html``: a summary (articles by status and language, row
counts, top agreements and networks, two charts), the signatures, partnerships and events tables
(sortable and filterable in the page, each row linking to its evidence), and one section per
article with its text, entities highlighted by type, evidence sentences marked, and the rows read
from it. Given an evaluation folder (``scores.json``, ``errors.csv``) it adds the score table and
marks missed and spurious items per article.

Everything is inline (CSS, JS, SVG charts drawn with matplotlib, layout by networkx): the file
opens offline and loads nothing. Output is deterministic: the same inputs give the same bytes.
"""
from __future__ import annotations

import heapq
import html
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .records import ENTITY_TYPES, ArticleResult, Mention

if TYPE_CHECKING:  # pragma: no cover
    from .run import RunResult

REPORT_NAME = "report.html"
MAX_TEXTS = 300  # articles whose full text is shown; the rest show their evidence sentences only
PAGE_SIZE = 20  # articles per page in the browser
TOP_N = 10  # rows in the top agreements / networks tables
MAX_NETWORK_PARTNERSHIPS = 30  # partnerships drawn in the network chart
MAX_MARKS_PER_ITEM = 20  # text marks per missed/spurious item
EVIDENCE_CHARS = 160  # evidence shown in the tables (the link leads to the whole sentence)
TYPE_COLOURS = {"CITY": "#7aecec", "PERSON": "#aa9cfc", "ORG": "#feca74", "DATE": "#bfe1d9"}
STATUS_COLOURS = {"signed": "#3a7d44", "planned": "#e0a030", "refused": "#b03a2e"}
KIND_COLOURS = {"project": "#1f77b4", "network": "#9467bd", "twinning": "#2ca02c", "alliance": "#d62728"}
SALT = "press-release-reader"


# --------------------------------------------------------------------------- small helpers


def esc(value: Any) -> str:
    """Text for HTML (both content and attribute values); missing values as ''."""
    return html.escape(cell_text(value), quote=True)


def cell_text(value: Any) -> str:
    """A table value as display text: '' for None/NaN/NA, ints without '.0'."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    return str(value)


def article_anchor(index: int) -> str:
    return f"a{index}"


def evidence_anchor(index: int, start: int, end: int) -> str:
    return f"ev{index}-{start}-{end}"


def safe_href(source: str | None, url: str | None, out: Path) -> str | None:
    """Link to the article's page (http/https only) or its local file, relative to the report."""
    for candidate in (url, source):
        if candidate and re.match(r"^https?://", candidate, re.I):
            return candidate
    if source and Path(source).exists():
        return Path(os.path.relpath(Path(source).resolve(), Path(out).resolve())).as_posix()
    return None


# --------------------------------------------------------------------------- text highlighting


@dataclass(frozen=True)
class Span:
    """A range of the article text drawn as one element; lower layers enclose higher ones."""

    start: int
    end: int
    layer: int  # 0 evidence sentence, 1 entity, 2 review mark (missed/spurious)
    tag: str
    cls: str
    title: str = ""
    label: str = ""  # small badge shown at the end of the range
    ident: str = ""  # id attribute on the first piece

    def open(self, first: bool) -> str:
        ident = f' id="{esc(self.ident)}"' if self.ident and first else ""
        title = f' title="{esc(self.title)}"' if self.title else ""
        return f'<{self.tag} class="{esc(self.cls)}"{ident}{title}>'

    def close(self, last: bool) -> str:
        badge = f'<span class="lbl">{esc(self.label)}</span>' if self.label and last else ""
        return f"{badge}</{self.tag}>"


def span_key(span: Span) -> tuple:
    return (span.layer, span.start, -span.end, span.cls, span.ident, span.title)


def render_text(text: str, spans: Iterable[Span]) -> str:
    """Escaped text with the spans as properly nested elements (a crossing range is split in pieces)."""
    spans = sorted({s for s in spans if 0 <= s.start < s.end <= len(text)}, key=span_key)
    bounds = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    starts: dict[int, list[Span]] = {}
    for s in spans:
        starts.setdefault(s.start, []).append(s)
    active: list[tuple] = []  # heap of (end, key, span)
    stack: list[Span] = []
    out: list[str] = []
    for a, b in zip(bounds, bounds[1:]):
        while active and active[0][0] <= a:
            heapq.heappop(active)
        for s in starts.get(a, []):
            heapq.heappush(active, (s.end, span_key(s), s))
        wanted = sorted((item[2] for item in active), key=span_key)
        keep = common_prefix(stack, wanted)
        out.extend(s.close(s.end <= a) for s in reversed(stack[keep:]))
        out.extend(s.open(s.start == a) for s in wanted[keep:])
        stack = wanted
        out.append(html.escape(text[a:b], quote=False))
    out.extend(s.close(True) for s in reversed(stack))
    return "".join(out)


def common_prefix(a: Sequence[Span], b: Sequence[Span]) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def mention_title(m: Mention) -> str:
    """Hover text: the normalised value behind a mention."""
    if m.city:
        gid = f", GeoNames {m.city.geonames_id}" if m.city.geonames_id else ""
        country = f", {m.city.country}" if m.city.country else ""
        return f"CITY {m.city.name}{gid}{country}"
    if m.person:
        extra = "; ".join(x for x in (m.person.title, m.person.role, m.person.affiliation) if x)
        return f"PERSON {m.person.name}" + (f" ({extra})" if extra else "")
    if m.type == "DATE":
        return f"DATE {m.iso_date or ''}".strip()
    return f"{m.type} {m.org or m.text}"


def entity_spans(mentions: Iterable[Mention]) -> list[Span]:
    return [Span(m.start, m.end, 1, "mark", f"ent ent-{m.type}", mention_title(m), m.type) for m in mentions]


def evidence_spans(index: int, ranges: Iterable[tuple[int, int]]) -> list[Span]:
    return [Span(s, e, 0, "span", "ev", ident=evidence_anchor(index, s, e))
            for s, e in sorted(set(ranges))]


# --------------------------------------------------------------------------- evaluation marks


@dataclass(frozen=True)
class ItemError:
    list: str
    kind: str  # missed | spurious
    item: str


def item_parts(item: str) -> list[tuple[str, int | None]]:
    """'HEATWISE | Warsaw (756135)' -> [('HEATWISE', None), ('Warsaw', 756135)]."""
    parts = []
    for part in item.split(" | "):
        m = re.fullmatch(r"(.*?) \((\d+)\)", part.strip())
        parts.append((m.group(1), int(m.group(2))) if m else (part.strip(), None))
    return parts


def marked_part(error: ItemError) -> tuple[str, int | None]:
    """The name to look for in the text: the party of a signature, the member of a partnership."""
    parts = item_parts(error.item)
    return parts[1] if error.list == "partnerships" and len(parts) > 1 else parts[0]


def mention_values(m: Mention) -> set[str]:
    values = {m.text, m.org or "", m.iso_date or ""}
    values |= {m.city.name} if m.city else set()
    values |= {m.person.name} if m.person else set()
    return {v.casefold() for v in values if v}


def item_ranges(error: ItemError, text: str, mentions: Sequence[Mention]) -> list[tuple[int, int]]:
    """Where an item's name occurs: mentions with that value or GeoNames id, then literal occurrences."""
    name, gid = marked_part(error)
    found = {(m.start, m.end) for m in mentions
             if name.casefold() in mention_values(m) or (gid and m.city and m.city.geonames_id == gid)}
    if len(name) >= 3:
        found |= {(x.start(), x.end()) for x in re.finditer(re.escape(name), text, re.I)}
    return sorted(found)[:MAX_MARKS_PER_ITEM]


def review_spans(errors: Sequence[ItemError], text: str, mentions: Sequence[Mention]) -> tuple[list[Span], dict]:
    """Marks for missed/spurious items and how often each was marked."""
    spans, counts = [], {}
    for e in errors:
        ranges = item_ranges(e, text, mentions)
        counts[e] = len(ranges)
        spans += [Span(s, t, 2, "mark", f"rv rv-{e.kind}", f"{e.kind} ({e.list}): {e.item}") for s, t in ranges]
    return spans, counts


@dataclass(frozen=True)
class Evaluation:
    scores: dict | None
    errors: dict[str, list[ItemError]]  # article id -> errors


def load_evaluation(eval_dir: Path | None) -> Evaluation | None:
    """scores.json and errors.csv from an evaluation folder; None when neither is there."""
    if eval_dir is None:
        return None
    scores_path, errors_path = Path(eval_dir) / "scores.json", Path(eval_dir) / "errors.csv"
    if not scores_path.exists() and not errors_path.exists():
        return None
    scores = json.loads(scores_path.read_text(encoding="utf-8")) if scores_path.exists() else None
    errors: dict[str, list[ItemError]] = {}
    if errors_path.exists():
        df = pd.read_csv(errors_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for row in df.itertuples(index=False):
            errors.setdefault(row.article, []).append(ItemError(row.list, row.kind, row.item))
    return Evaluation(scores, errors)


# --------------------------------------------------------------------------- charts (inline SVG)


def svg_of(fig, prefix: str) -> str:
    """A matplotlib figure as an inline <svg> element: no XML prolog or date, ids prefixed (unique in the page)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', rf'url(#{prefix}-\1)', svg)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)


def chart_context():
    import matplotlib

    return matplotlib.rc_context({"svg.hashsalt": SALT, "svg.fonttype": "none", "font.size": 9,
                                  "font.family": "DejaVu Sans"})


def period_of(date: str, by_year: bool) -> str | None:
    m = re.match(r"(\d{4})(?:-(\d{2}))?", date or "")
    if not m:
        return None
    return m.group(1) if by_year or not m.group(2) else f"{m.group(1)}-{m.group(2)}"


def time_counts(signatures: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Signature rows per period (month, or year for spans over four years) and status; undated count."""
    dates = signatures["date"].fillna("").astype(str)
    years = dates.str[:4][dates.str.match(r"\d{4}")].astype(int)
    by_year = not years.empty and years.max() - years.min() > 4
    periods = dates.map(lambda d: period_of(d, by_year))
    dated = signatures.assign(period=periods)[periods.notna()]
    table = pd.crosstab(dated["period"], dated["status"]) if not dated.empty else pd.DataFrame()
    return table.sort_index(), int(periods.isna().sum())


def signatures_chart(signatures: pd.DataFrame) -> str:
    """Stacked bars: signature rows per month (or year) by status, as inline SVG."""
    table, undated = time_counts(signatures)
    if table.empty:
        return f'<p class="empty">No dated signatures ({undated} undated).</p>'
    from matplotlib.figure import Figure

    with chart_context():
        fig = Figure(figsize=(7, 2.8))
        ax = fig.subplots()
        bottom = [0] * len(table)
        for status in sorted(table.columns, key=lambda s: (s not in STATUS_COLOURS, s)):
            values = table[status].tolist()
            ax.bar(range(len(table)), values, bottom=bottom, label=status, color=STATUS_COLOURS.get(status, "#888"))
            bottom = [b + v for b, v in zip(bottom, values)]
        ax.set_xticks(range(len(table)), table.index.tolist(), rotation=45 if len(table) > 6 else 0, ha="right"
                      if len(table) > 6 else "center")
        ax.set_ylabel("signature rows")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(frameon=False, fontsize=8)
        ax.set_title(f"Signatures over time ({undated} undated not shown)", fontsize=10)
        return svg_of(fig, "svg-time")


def network_graph(partnerships: pd.DataFrame):
    """Bipartite graph: partnerships (the largest ones) and their members."""
    import networkx as nx

    pairs = partnerships[["partnership", "kind", "member", "member_type"]].fillna("").drop_duplicates()
    sizes = pairs.groupby("partnership")["member"].nunique()
    top = sorted(sizes.index, key=lambda p: (-sizes[p], p))[:MAX_NETWORK_PARTNERSHIPS]
    graph = nx.Graph()
    for row in pairs[pairs.partnership.isin(top)].sort_values(["partnership", "member"]).itertuples():
        graph.add_node(("p", row.partnership), kind=row.kind)
        graph.add_node(("m", row.member), kind=row.member_type or "org")
        graph.add_edge(("p", row.partnership), ("m", row.member))
    return graph


def network_chart(partnerships: pd.DataFrame) -> str:
    """Partnership network as inline SVG: squares are partnerships, circles cities and organisations."""
    if partnerships.empty:
        return '<p class="empty">No partnerships.</p>'
    import networkx as nx
    from matplotlib.figure import Figure

    graph = network_graph(partnerships)
    pos = nx.spring_layout(graph, seed=7, k=1.6 / math.sqrt(max(graph.number_of_nodes(), 1)))
    with chart_context():
        fig = Figure(figsize=(7, 5))
        ax = fig.subplots()
        for u, v in graph.edges:
            ax.plot([pos[u][0], pos[v][0]], [pos[u][1], pos[v][1]], color="#bbb", lw=0.8, zorder=1)
        for node, data in graph.nodes(data=True):
            is_p = node[0] == "p"
            colour = KIND_COLOURS.get(data["kind"], "#555") if is_p else ("#7aecec" if data["kind"] == "city"
                                                                        else "#feca74")
            ax.scatter(*pos[node], s=160 if is_p else 70, marker="s" if is_p else "o", color=colour,
                       edgecolors="#333", linewidths=0.5, zorder=2)
            ax.annotate(node[1], pos[node], xytext=(0, 7), textcoords="offset points", ha="center",
                        fontsize=8 if is_p else 7, fontweight="bold" if is_p else "normal", zorder=3)
        handles = [ax.scatter([], [], marker="s", color=c, label=k) for k, c in KIND_COLOURS.items()]
        handles += [ax.scatter([], [], marker="o", color="#7aecec", label="city"),
                    ax.scatter([], [], marker="o", color="#feca74", label="organisation")]
        ax.legend(handles=handles, frameon=False, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=6)
        ax.set_axis_off()
        ax.margins(0.12)
        ax.set_title("Partnership network (partnerships and their members)", fontsize=10)
        return svg_of(fig, "svg-net")


# --------------------------------------------------------------------------- HTML pieces


def html_table(df: pd.DataFrame, cols: Sequence[str] | None = None, table_id: str = "", cls: str = "",
               links: dict | None = None) -> str:
    """A <table> of ``cols`` (default all); ``links`` maps a column to row -> (href or None, text).

    Link functions see the whole row, so they may read columns that are not shown."""
    cols, links = list(df.columns if cols is None else cols), links or {}
    head = "".join(f'<th data-key="{esc(c)}">{esc(c)}</th>' for c in cols)
    body = "".join("<tr>" + "".join(table_cell(row, c, links.get(c)) for c in cols) + "</tr>"
                   for row in df.to_dict("records"))
    ident = f' id="{esc(table_id)}"' if table_id else ""
    return f'<table{ident} class="{esc(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def table_cell(row: dict, col: str, link) -> str:
    if link is None:
        return f"<td>{esc(row[col])}</td>"
    href, text = link(row)
    return f'<td><a href="{esc(href)}">{esc(text)}</a></td>' if href else f"<td>{esc(text)}</td>"


def status_language_table(articles: pd.DataFrame) -> str:
    """Articles by status (rows) and language (columns), with totals."""
    if articles.empty:
        return '<p class="empty">No articles.</p>'
    lang = articles["language"].fillna("").replace("", "—")
    table = pd.crosstab(articles["status"], lang, margins=True, margins_name="total")
    table = table.reset_index().rename(columns={"status": "status \\ language"})
    table.columns.name = None
    return html_table(table, cls="compact")


def count_cards(frames: dict[str, pd.DataFrame]) -> str:
    sigs, parts = frames["signatures"], frames["partnerships"]
    cards = [("articles", len(frames["articles"])), ("ok", int((frames["articles"]["status"] == "ok").sum())),
             ("entities", len(frames["entities"])), ("signatures", len(sigs)),
             ("signed", int((sigs["status"] == "signed").sum())), ("partnership rows", len(parts)),
             ("partnerships", parts["partnership"].nunique()), ("signing events", len(frames["events"]))]
    return '<div class="cards">' + "".join(
        f'<div class="card"><b>{n}</b><span>{esc(k)}</span></div>' for k, n in cards) + "</div>"


def top_agreements(signatures: pd.DataFrame) -> pd.DataFrame:
    signed = signatures[signatures["status"] == "signed"]
    grouped = signed.groupby("agreement").agg(signatories=("signatory", "nunique"), articles=("article_id", "nunique"))
    order = ["signatories", "articles", "agreement"]
    grouped = grouped.reset_index().sort_values(order, ascending=[False, False, True])
    return grouped.head(TOP_N)


def top_networks(partnerships: pd.DataFrame) -> pd.DataFrame:
    grouped = partnerships.groupby("partnership").agg(kind=("kind", "first"), members=("member", "nunique"),
                                                      articles=("article_id", "nunique"))
    grouped = grouped.reset_index().sort_values(["members", "articles", "partnership"], ascending=[False, False, True])
    return grouped.head(TOP_N)


def entity_counts(entities: pd.DataFrame) -> str:
    counts = entities["type"].value_counts()
    return " · ".join(f'<span class="ent ent-{t}">{t}<span class="lbl">{int(counts.get(t, 0))}</span></span>'
                      for t in ENTITY_TYPES)


def summary_section(frames: dict[str, pd.DataFrame]) -> str:
    return (f'<section id="summary"><h2>Summary</h2>{count_cards(frames)}<div class="grid"><div>'
            f'<h3>Articles by status and language</h3>{status_language_table(frames["articles"])}'
            f'<h3>Entities by type</h3><p>{entity_counts(frames["entities"])}</p></div>'
            f'<div><h3>Top agreements</h3>{html_table(top_agreements(frames["signatures"]), cls="compact")}'
            f'<h3>Top partnerships and networks</h3>{html_table(top_networks(frames["partnerships"]), cls="compact")}'
            "</div></div>"
            '<div class="charts">'
            f'<figure id="chart-time">{signatures_chart(frames["signatures"])}'
            "<figcaption>Signature rows by the date of signing, coloured by status.</figcaption></figure>"
            f'<figure id="chart-network">{network_chart(frames["partnerships"])}'
            "<figcaption>Squares: partnerships (colour = kind); circles: members (cities turquoise, "
            "organisations orange).</figcaption></figure></div></section>")


def evidence_link(index_of: dict[str, int]):
    def link(row: dict) -> tuple[str | None, str]:
        idx = index_of.get(row["article_id"])
        start, end = row.get("evidence_start"), row.get("evidence_end")
        text = shorten(cell_text(row["evidence"]))
        if idx is None or cell_text(start) == "" or cell_text(end) == "":
            return None, text
        return "#" + evidence_anchor(idx, int(start), int(end)), text
    return link


def shorten(text: str, limit: int = EVIDENCE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def article_link(index_of: dict[str, int], column: str = "article_id"):
    def link(row: dict) -> tuple[str | None, str]:
        idx = index_of.get(row[column])
        return ("#" + article_anchor(idx) if idx is not None else None), cell_text(row[column])
    return link


def row_table(df: pd.DataFrame, table_id: str, index_of: dict[str, int]) -> str:
    """A sortable data table of rows with article and evidence links (offset columns hidden)."""
    cols = [c for c in df.columns if c not in ("evidence_start", "evidence_end")]
    links = {"evidence": evidence_link(index_of), "article_id": article_link(index_of)}
    return html_table(df, cols, table_id, "data", links)


def events_table(events: pd.DataFrame, index_of: dict[str, int]) -> str:
    def first_article(row: dict) -> tuple[str | None, str]:
        ids = cell_text(row["articles"]).split("; ")
        idx = index_of.get(ids[0]) if ids else None
        return ("#" + article_anchor(idx) if idx is not None else None), cell_text(row["articles"])
    return html_table(events, None, "t-events", "data", {"articles": first_article})


def tables_section(frames: dict[str, pd.DataFrame], index_of: dict[str, int]) -> str:
    sigs, parts, events = frames["signatures"], frames["partnerships"], frames["events"]
    return (f'<section id="tables"><h2>Signatures <small>({len(sigs)} rows)</small></h2>'
            f'{row_table(sigs, "t-signatures", index_of)}'
            f'<h2>Partnerships <small>({len(parts)} rows)</small></h2>{row_table(parts, "t-partnerships", index_of)}'
            f'<h2>Signing events <small>({len(events)})</small></h2>{events_table(events, index_of)}</section>')


def score_table(scores: dict) -> str:
    """The evaluation's P/R/F1 and tp/fp/fn per list and language group, plus attribute accuracy."""
    lists = scores.get("lists", {})
    if not lists:
        return ""
    groups = list(next(iter(lists.values())).keys())
    counts = scores.get("articles", {})
    head1 = '<th rowspan="2">list</th>' + "".join(
        f'<th colspan="6">{esc(g)} (n={esc(counts.get(g, 0))})</th>' for g in groups)
    head2 = "".join("<th>P</th><th>R</th><th>F1</th><th>tp</th><th>fp</th><th>fn</th>" for _ in groups)
    rows = []
    for name, per_group in lists.items():
        cells = "".join(score_cells(per_group.get(g, {})) for g in groups)
        rows.append(f"<tr><th>{esc(name)}</th>{cells}</tr>")
    for attribute in ("date", "person"):
        cells = "".join(f'<td colspan="6">{esc(accuracy_text(lists.get("signatures", {}).get(g, {}), attribute))}</td>'
                        for g in groups)
        rows.append(f"<tr><th>signature {attribute} accuracy</th>{cells}</tr>")
    return (f'<table id="t-scores" class="compact scores"><thead><tr>{head1}</tr><tr>{head2}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def score_cells(entry: dict) -> str:
    if not entry:
        return '<td colspan="6"></td>'
    nums = "".join(f"<td>{entry[k]:.3f}</td>" for k in ("p", "r", "f1"))
    return nums + "".join(f"<td>{int(entry[k])}</td>" for k in ("tp", "fp", "fn"))


def accuracy_text(entry: dict, attribute: str) -> str:
    value = entry.get(f"{attribute}_accuracy")
    if value is None:
        return "n/a"
    return f"{value:.3f} ({entry.get(attribute + '_hits', 0)}/{entry.get(attribute + '_total', 0)})"


def evaluation_section(evaluation: Evaluation, index_of: dict[str, int]) -> str:
    errors = [(a, e) for a, errs in sorted(evaluation.errors.items()) for e in errs]
    by_kind = pd.DataFrame([{"list": e.list, "kind": e.kind} for _, e in errors], columns=["list", "kind"])
    counts = pd.crosstab(by_kind["list"], by_kind["kind"]).reset_index() if not by_kind.empty else by_kind
    worst = sorted(evaluation.errors, key=lambda a: (-len(evaluation.errors[a]), a))[:TOP_N]
    worst_html = "".join(
        f'<li><a href="#{article_anchor(index_of[a])}">{esc(a)}</a> ({len(evaluation.errors[a])})</li>'
        if a in index_of else f"<li>{esc(a)} ({len(evaluation.errors[a])})</li>" for a in worst)
    scores = score_table(evaluation.scores) if evaluation.scores else "<p>No scores.json.</p>"
    return (f'<section id="evaluation"><h2>Evaluation</h2>{scores}'
            f'<div class="grid"><div><h3>Item errors by list</h3>{html_table(counts, cls="compact")}</div>'
            f"<div><h3>Articles with most errors</h3><ol>{worst_html}</ol></div></div>"
            '<p class="legend"><span class="rv rv-spurious">spurious</span> predicted, not in gold '
            '· <span class="rv rv-missed">missed</span> in gold, not predicted (marked where the name occurs)</p>'
            "</section>")


# --------------------------------------------------------------------------- per article


def mini_rows(rows: Sequence[dict], index: int, columns: Sequence[str]) -> str:
    """An article's own rows: key columns and a link to the evidence sentence."""
    items = []
    for row in rows:
        anchor = evidence_anchor(index, int(row["evidence_start"]), int(row["evidence_end"]))
        desc = " · ".join(f'<span class="k">{esc(c)}</span> {esc(row[c])}' for c in columns if cell_text(row[c]))
        items.append(f'<li>{desc} <a class="evl" href="#{anchor}">evidence</a></li>')
    return "<ul>" + "".join(items) + "</ul>"


def error_list(errors: Sequence[ItemError], counts: dict) -> str:
    if not errors:
        return ""
    items = "".join(f'<li class="rv-{esc(e.kind)}"><b>{esc(e.kind)}</b> <span class="k">{esc(e.list)}</span> '
                    f"{esc(e.item)}{marked_note(counts.get(e, 0))}</li>" for e in errors)
    return f'<div class="errors"><h4>Evaluation: {len(errors)} item errors</h4><ul>{items}</ul></div>'


def marked_note(n: int) -> str:
    return f' <small>(marked {n}× in the text)</small>' if n else ' <small>(not found in the text)</small>'


def evidence_only(text: str, index: int, ranges: Sequence[tuple[int, int]], extra: list[Span]) -> str:
    """Only the evidence sentences of an article (for articles past the text cap)."""
    parts = []
    for s, e in sorted(set(ranges)):
        spans = [Span(x.start - s, x.end - s, x.layer, x.tag, x.cls, x.title, x.label, x.ident)
                 for x in extra if x.start >= s and x.end <= e]
        spans += evidence_spans(index, [(0, e - s)])
        inner = render_text(text[s:e], spans).replace(f'id="{evidence_anchor(index, 0, e - s)}"',
                                                     f'id="{evidence_anchor(index, s, e)}"')
        parts.append(f"<p>{inner}</p>")
    return '<div class="text short">' + "".join(parts) + "<p><small>(full text not included: text cap reached; " \
        "see entities.csv)</small></p></div>"


@dataclass(frozen=True)
class ArticleView:
    """What one article's section shows."""

    result: ArticleResult
    index: int
    signatures: list[dict]
    partnerships: list[dict]
    errors: list[ItemError]
    with_text: bool
    duplicate_of: str | None


def rows_by_article(df: pd.DataFrame) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in df.to_dict("records"):
        grouped.setdefault(row["article_id"], []).append(row)
    return grouped


def article_section(view: ArticleView, out: Path) -> str:
    result, index, errors = view.result, view.index, view.errors
    a, sigs, parts = result.article, view.signatures, view.partnerships
    ranges = [(int(r["evidence_start"]), int(r["evidence_end"])) for r in (*sigs, *parts)]
    marks, counts = review_spans(errors, a.text, result.mentions)
    ents = entity_spans(result.mentions)
    if view.with_text:
        body = f'<div class="text">{render_text(a.text, evidence_spans(index, ranges) + ents + marks)}</div>'
    elif ranges:
        body = evidence_only(a.text, index, ranges, ents + marks)
    else:
        body = ""
    href = safe_href(a.source, a.url, out)
    source = f'<a class="src" href="{esc(href)}">{esc(a.url or a.source)}</a>' if href else esc(a.url or a.source)
    meta = [f'<span class="pill st-{esc(a.status)}">{esc(a.status)}</span>', f"language {esc(a.language or '—')}",
            f"published {esc(a.published or '—')}", f"{len(a.text)} chars", f"{len(result.mentions)} entities",
            source]
    if a.error:
        meta.append(f'<span class="err">{esc(a.error)}</span>')
    if view.duplicate_of:
        meta.append(f"duplicate of {esc(view.duplicate_of)}")
    search = " ".join([a.id, a.title or "", a.language or "", a.status]).casefold()
    flags = " ".join(f for f, on in (("has-rows", bool(ranges)), ("has-errors", bool(errors))) if on)
    rows = ""
    if sigs:
        rows += "<h4>Signatures</h4>" + mini_rows(sigs, index, ("signatory", "agreement", "date", "person", "status"))
    if parts:
        rows += "<h4>Partnerships</h4>" + mini_rows(parts, index, ("partnership", "kind", "member", "role"))
    return (f'<section class="article {flags}" id="{article_anchor(index)}" data-search="{esc(search)}">'
            f'<h3>{esc(a.title or a.id)} <small class="aid">{esc(a.id)}</small></h3>'
            f'<p class="meta">{" · ".join(meta)}</p>{body}{rows}{error_list(errors, counts)}</section>')


def text_priority(results: Sequence[ArticleResult], frames: dict[str, pd.DataFrame],
                  evaluation: Evaluation | None, max_texts: int) -> set[int]:
    """Indices of articles shown with full text: those with rows or errors first, in input order."""
    with_rows = set(frames["signatures"]["article_id"]) | set(frames["partnerships"]["article_id"])
    with_errors = set(evaluation.errors) if evaluation else set()
    order = sorted(range(len(results)),
                   key=lambda i: (results[i].article.id not in with_rows | with_errors, i))
    return set(order[:max_texts])


def articles_section(results: Sequence[ArticleResult], frames: dict[str, pd.DataFrame], out: Path,
                     evaluation: Evaluation | None, max_texts: int) -> str:
    shown = text_priority(results, frames, evaluation, max_texts)
    dups = dict(zip(frames["articles"]["id"], frames["articles"]["duplicate_of"]))
    sigs, parts = rows_by_article(frames["signatures"]), rows_by_article(frames["partnerships"])
    errors = evaluation.errors if evaluation else {}
    sections = [article_section(ArticleView(r, i, sigs.get(r.article.id, []), parts.get(r.article.id, []),
                                            errors.get(r.article.id, []), i in shown,
                                            cell_text(dups.get(r.article.id)) or None), out)
                for i, r in enumerate(results)]
    legend = " ".join(f'<span class="ent ent-{t}">{t.title()}<span class="lbl">{t}</span></span>' for t in ENTITY_TYPES)
    note = (f"<p><small>Full text for {len(shown)} of {len(results)} articles (cap {max_texts}); the others show "
            "their evidence sentences.</small></p>") if len(shown) < len(results) else ""
    return (f'<section id="articles"><h2>Articles <small>({len(results)})</small></h2>'
            f'<p class="legend">{legend} <span class="ev-key">evidence sentence</span></p>{note}'
            f'<div id="article-list" data-page-size="{PAGE_SIZE}">{"".join(sections)}</div></section>')


# --------------------------------------------------------------------------- page


CSS = """
:root{--fg:#1d1d1f;--muted:#666;--line:#ddd;--bg:#fff;--accent:#2456a6}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:var(--fg);background:var(--bg);margin:0}
header{background:#20324d;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}
header nav a{color:#cfe0ff;margin-right:14px}main{padding:8px 24px 40px;max-width:1400px}
h2{border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:28px}h2 small,h3 small{color:var(--muted);font-weight:normal}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:110px;background:#f7f9fc}
.card b{display:block;font-size:22px}.card span{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:24px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px;margin-top:16px}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px}figure svg{max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:12px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}th,td{border:1px solid var(--line);padding:3px 6px;
text-align:left;vertical-align:top}thead th{background:#eef2f7;position:sticky;top:0}
table.data{width:100%}table.data td{max-width:420px}table.scores td{text-align:right}
tbody tr:nth-child(even){background:#fafbfc}tr[hidden]{display:none}
th button.sort{all:unset;cursor:pointer;display:block;width:100%}th button.sort::after{content:" \\2195";color:#999}
th[aria-sort=ascending] button.sort::after{content:" \\2191";color:var(--fg)}
th[aria-sort=descending] button.sort::after{content:" \\2193";color:var(--fg)}
.controls{display:flex;gap:10px;align-items:center;margin:6px 0}.controls input{padding:4px 8px;min-width:260px}
.count{color:var(--muted)}
.article{border:1px solid var(--line);border-radius:6px;padding:6px 14px;margin:12px 0}
.article[hidden]{display:none}.article h3{margin:6px 0}.aid{font-family:monospace}
.meta{color:var(--muted);margin:2px 0 8px}.pill{border-radius:8px;padding:0 6px;background:#e6f4ea;color:#1e5b2c}
.pill:not(.st-ok){background:#fde8e6;color:#8a1f11}.err{color:#8a1f11}
.text{white-space:pre-wrap;line-height:2.1;background:#fcfcfd;border-left:3px solid var(--line);padding:4px 10px}
.text.short{white-space:normal}
.ent{padding:1px 3px;border-radius:4px;color:inherit}.ent .lbl{font-size:9px;font-weight:bold;margin-left:3px;
vertical-align:middle;opacity:.75}
.ent-CITY{background:#7aecec}.ent-PERSON{background:#aa9cfc}.ent-ORG{background:#feca74}.ent-DATE{background:#bfe1d9}
.ev,.ev-key{background:linear-gradient(transparent 88%,#f5c04a 88%);}.ev:target,.flash{outline:3px solid #f5a623}
.rv{background:none;color:inherit;padding:0 1px}.rv-spurious{outline:2px dashed #d0021b}
.rv-missed{outline:2px dotted #1f6fd1}li.rv-spurious,li.rv-missed{outline:none}
.errors{background:#fff7f6;border:1px solid #f3d1cc;border-radius:6px;padding:2px 10px;margin:8px 0}
.k{color:var(--muted);font-size:12px}.evl{font-size:12px}.empty{color:var(--muted)}
.pager{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:8px 0}
"""

JS = r"""
(function(){
'use strict';
document.documentElement.classList.add('js');
var params=new URLSearchParams(location.search);
function val(td){return td?td.textContent.trim():'';}
function num(s){return s!==''&&isFinite(Number(s))?Number(s):null;}
function cmp(a,b){var x=num(a),y=num(b);if(x!==null&&y!==null)return x-y;return a.localeCompare(b);}
function sortTable(table,col,dir){var tb=table.tBodies[0];var rows=Array.prototype.slice.call(tb.rows);
 rows.sort(function(r1,r2){var a=val(r1.cells[col]),b=val(r2.cells[col]);
  if(a===''||b==='')return (a==='')-(b==='');return dir*cmp(a,b);});
 rows.forEach(function(r){tb.appendChild(r);});
 Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){
  if(i===col)th.setAttribute('aria-sort',dir>0?'ascending':'descending');else th.removeAttribute('aria-sort');});}
function filterTable(table,q,count){q=q.toLowerCase();var n=0,rows=table.tBodies[0].rows;
 for(var i=0;i<rows.length;i++){var ok=!q||rows[i].textContent.toLowerCase().indexOf(q)>=0;rows[i].hidden=!ok;if(ok)n++;}
 count.textContent=n+' of '+rows.length+' rows';table.setAttribute('data-visible',n);}
document.querySelectorAll('table.data').forEach(function(table){
 var ths=table.tHead.rows[0].cells;
 Array.prototype.forEach.call(ths,function(th,i){var b=document.createElement('button');b.className='sort';
  b.type='button';b.textContent=th.textContent;th.textContent='';th.appendChild(b);
  b.addEventListener('click',function(){sortTable(table,i,th.getAttribute('aria-sort')==='ascending'?-1:1);});});
 var box=document.createElement('div');box.className='controls';
 var input=document.createElement('input');input.type='search';input.className='filter';
 input.placeholder='Filter rows (any column)…';input.setAttribute('aria-label','filter '+table.id);
 var count=document.createElement('span');count.className='count';box.appendChild(input);box.appendChild(count);
 table.parentNode.insertBefore(box,table);
 input.addEventListener('input',function(){filterTable(table,input.value,count);});
 input.value=params.get('q')||'';filterTable(table,input.value,count);
 var s=params.get('sort');if(s){var desc=s.charAt(0)==='-';var key=desc?s.slice(1):s;
  Array.prototype.forEach.call(ths,function(th,i){if(th.getAttribute('data-key')===key)sortTable(table,i,desc?-1:1);});}
});
var list=document.getElementById('article-list');if(!list)return;
var size=parseInt(list.getAttribute('data-page-size'),10)||20;
var arts=Array.prototype.slice.call(list.querySelectorAll('section.article'));
var page=0,matching=arts;
var bar=document.createElement('div');bar.className='pager';
bar.innerHTML='<input type="search" class="filter" placeholder="Filter articles (id, title, language, status)…">'+
 '<select class="which"><option value="">all articles</option><option value="has-rows">with rows</option>'+
 '<option value="has-errors">with evaluation errors</option></select>'+
 '<button type="button" class="prev">‹ previous</button><span class="info"></span>'+
 '<button type="button" class="next">next ›</button>';
list.parentNode.insertBefore(bar,list);
var q=bar.querySelector('input'),which=bar.querySelector('select'),info=bar.querySelector('.info');
function apply(){var t=q.value.toLowerCase(),w=which.value;
 matching=arts.filter(function(a){return (!t||a.getAttribute('data-search').indexOf(t)>=0)&&(!w||a.classList.contains(w));});
 var pages=Math.max(1,Math.ceil(matching.length/size));page=Math.min(page,pages-1);
 arts.forEach(function(a){a.hidden=true;});
 matching.slice(page*size,(page+1)*size).forEach(function(a){a.hidden=false;});
 info.textContent='page '+(page+1)+' of '+pages+' ('+matching.length+' articles)';list.setAttribute('data-page',page+1);}
bar.querySelector('.prev').addEventListener('click',function(){if(page>0){page--;apply();}});
bar.querySelector('.next').addEventListener('click',function(){if((page+1)*size<matching.length){page++;apply();}});
q.addEventListener('input',function(){page=0;apply();});which.addEventListener('change',function(){page=0;apply();});
function reveal(){var id=decodeURIComponent(location.hash.slice(1));var el=id&&document.getElementById(id);if(!el)return;
 var art=el.closest('section.article');if(art&&art.hidden){q.value='';which.value='';page=0;apply();
  page=Math.floor(matching.indexOf(art)/size);apply();}
 el.scrollIntoView({block:'center'});el.classList.add('flash');setTimeout(function(){el.classList.remove('flash');},2000);}
window.addEventListener('hashchange',reveal);
apply();if(location.hash)reveal();
document.body.setAttribute('data-ready','1');
})();
"""


def page(body: str, title: str, sections: Sequence[tuple[str, str]]) -> str:
    nav = "<nav>" + "".join(f'<a href="#{ident}">{esc(name)}</a>' for ident, name in sections) + "</nav>"
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{esc(title)}</h1>{nav}</header><main>{body}</main><script>{JS}</script></body></html>\n")


def render_report(results: list[ArticleResult], frames: dict[str, pd.DataFrame], out: Path,
                  eval_dir: Path | None = None, max_texts: int = MAX_TEXTS) -> str:
    """The report as one HTML string (see ``write_report``)."""
    index_of: dict[str, int] = {}
    for i, r in enumerate(results):
        index_of.setdefault(r.article.id, i)
    evaluation = load_evaluation(eval_dir)
    parts = [summary_section(frames), tables_section(frames, index_of)]
    sections = [("summary", "Summary"), ("tables", "Tables")]
    if evaluation:
        parts.append(evaluation_section(evaluation, index_of))
        sections.append(("evaluation", "Evaluation"))
    parts.append(articles_section(results, frames, out, evaluation, max_texts))
    sections.append(("articles", "Articles"))
    return page("".join(parts), "Press release report", sections)


def write_report(results: list[ArticleResult], frames: dict[str, pd.DataFrame], out: Path,
                 eval_dir: Path | None = None, max_texts: int = MAX_TEXTS) -> Path:
    """Write ``out/report.html`` (atomically) and return its path.

    ``frames`` is ``build_frames`` output for the same results; ``eval_dir`` an evaluation output
    folder whose ``scores.json`` and ``errors.csv`` (if present) add scores and error marks.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / REPORT_NAME
    text = render_report(results, frames, out, eval_dir, max_texts)
    fd, tmp = tempfile.mkstemp(prefix=f".{REPORT_NAME}.", suffix=".tmp", dir=out)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_run_report(run_result: RunResult, out: Path, eval_dir: Path | None = None) -> Path:
    """``write_report`` for a ``pipeline.run.run`` result (tables rebuilt from its records)."""
    frames = run_result.summary_frames()
    return write_report(run_result.results, frames, out, eval_dir=eval_dir)
