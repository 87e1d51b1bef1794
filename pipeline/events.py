"""Events across articles: signature rows that describe one signing (same document, same or unstated date),
so a user can count signatories without double counting releases from several cities."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from .records import Signature


@dataclass
class Event:
    agreement: str
    date: str | None
    rows: list[Signature] = field(default_factory=list)

    @property
    def event_id(self) -> str:
        key = f"{self.agreement.casefold()}|{self.date or ''}"
        return "ev-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def same_agreement(a: str, b: str) -> bool:
    x, y = " ".join(a.casefold().split()), " ".join(b.casefold().split())
    return x == y or fuzz.token_sort_ratio(x, y) >= 85 or (min(len(x), len(y)) > 12 and (x in y or y in x))


def compatible_dates(a: str | None, b: str | None) -> bool:
    """Equal, one unstated, or one a month/year containing the other day."""
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def group_events(signatures: list[Signature]) -> list[Event]:
    """Signed rows grouped into events, in order of first appearance."""
    events: list[Event] = []
    for row in signatures:
        if row.status != "signed":
            continue
        event = next((e for e in events if same_agreement(e.agreement, row.agreement)
                      and compatible_dates(e.date, row.date)), None)
        if event is None:
            event = Event(row.agreement, row.date)
            events.append(event)
        event.rows.append(row)
        if row.date and (event.date is None or len(row.date) > len(event.date)):
            event.date = row.date
    return events


def event_rows(events: list[Event]) -> list[dict]:
    out = []
    for e in events:
        parties = list(dict.fromkeys(r.signatory for r in e.rows))
        articles = list(dict.fromkeys(r.article_id for r in e.rows))
        out.append({"event_id": e.event_id, "agreement": e.agreement, "date": e.date, "n_signatories": len(parties),
                    "signatories": "; ".join(parties), "n_articles": len(articles), "articles": "; ".join(articles)})
    return out
