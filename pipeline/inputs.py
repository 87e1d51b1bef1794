"""Turn what the user names (folders, files, URLs, URL lists, RSS/Atom feeds) into ``Source`` records."""
from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .fetch import Fetcher, FetchError
from .records import Source

ARTICLE_SUFFIXES = (".html", ".htm", ".txt")
log = logging.getLogger(__name__)
URL_RE = re.compile(r"^https?://\S+$", re.I)
ANY_URL_RE = re.compile(r"^[a-z][a-z0-9+.\-]*://\S*$", re.I)  # list lines; non-http(s) ones get refused rows
FEED_CONTENT_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml")
ATOM = "{http://www.w3.org/2005/Atom}"
MAX_ID_LEN = 80


class UsageError(Exception):
    """The user named something that is not a usable input."""


def slugify(text: str) -> str:
    """Lowercase letters, digits and '-' only."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")


def url_id(url: str) -> str:
    """Stable id for a URL: slug of host and path (and query), shortened with a hash when long."""
    try:
        parts = urlsplit(url)
        slug = slugify(f"{parts.hostname or ''} {parts.path} {parts.query}")
    except ValueError:  # malformed URL (bad IPv6 literal ...): a hash still gives a stable id
        slug = ""
    if len(slug) > MAX_ID_LEN:
        digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:8]
        slug = slug[: MAX_ID_LEN - 9].rstrip("-") + "-" + digest
    return slug or hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]


def file_id(path: Path) -> str:
    """Stable id for a file: its name without extension (so gold/<id>.json lines up)."""
    return path.stem


def is_url_list(path: Path) -> bool:
    """A text file whose non-blank, non-comment lines are all URLs (with at least one http(s) URL)."""
    try:
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8-sig", errors="replace").splitlines()]
    except OSError:
        return False
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    return any(URL_RE.match(ln) for ln in lines) and all(ANY_URL_RE.match(ln) for ln in lines)


def read_url_list(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def files_in(folder: Path) -> list[Path]:
    """Article files below a folder, sorted for determinism (the raw store is skipped)."""
    found = [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES]
    return sorted(found)


def looks_like_feed(content_type: str, body: bytes) -> bool:
    head = body[:2000].lstrip().lower()
    if any(content_type.lower().startswith(t) for t in FEED_CONTENT_TYPES):
        return b"<rss" in head or b"<feed" in head or b"<rdf" in head
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head)


def feed_links(body: bytes, base_url: str) -> list[str]:
    """Item links of an RSS 2.0 / RSS 1.0 / Atom feed; broken entries are skipped.

    Raises ``FetchError`` when the feed cannot be parsed at all."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise FetchError(f"broken feed: {exc}") from exc
    if root is None:
        raise FetchError("broken feed: no XML root element")
    links: list[str] = []
    for item in root.iter("item", "{http://purl.org/rss/1.0/}item"):
        link = item.findtext("link") or item.findtext("{http://purl.org/rss/1.0/}link")
        if link and link.strip():
            links.append(urljoin(base_url, link.strip()))
    for entry in root.iter(f"{ATOM}entry"):
        for link in entry.findall(f"{ATOM}link"):
            if link.get("rel", "alternate") == "alternate" and link.get("href"):
                links.append(urljoin(base_url, link.get("href").strip()))
                break
    return list(dict.fromkeys(links))


def local_sources(arg: str) -> list[Source] | None:
    """Sources for a local path, None when ``arg`` is not an existing path."""
    path = Path(arg)
    if path.is_dir():
        return [Source(file_id(p), str(p), path=str(p)) for p in files_in(path)]
    if path.is_file():
        if path.suffix.lower() in (".html", ".htm"):
            return [Source(file_id(path), str(path), path=str(path))]
        if is_url_list(path):
            return None  # handled as a URL list by the caller
        return [Source(file_id(path), str(path), path=str(path))]
    return None


def url_sources(url: str, fetcher: Fetcher, from_feed: bool = False) -> list[Source]:
    """Fetch a URL; a feed expands into its items (one level), a page is one source.

    Never raises: a URL that cannot be fetched (or a feed that cannot be read) is one source with an error."""
    try:
        fetched = fetcher.get(url)
        if from_feed or not looks_like_feed(fetched.content_type, head_bytes(fetched.path)):
            return [Source(url_id(url), url, url=url, path=str(fetched.path), http_status=fetched.status)]
        links = feed_links(fetched.path.read_bytes(), fetched.final_url)
        if not links:
            raise FetchError("feed without any item links")
    except FetchError as exc:
        return [failed_url(url, str(exc), exc.status)]
    except Exception as exc:  # noqa: BLE001 - one bad URL must not stop the run
        log.warning("unexpected error for %s", url, exc_info=True)
        return [failed_url(url, f"{type(exc).__name__}: {exc}")]
    return [s for link in links for s in url_sources(link, fetcher, from_feed=True)]


def failed_url(url: str, error: str, status: int | None = None) -> Source:
    return Source(url_id(url), url, url=url, http_status=status, error=error)


def head_bytes(path: Path, n: int = 2000) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def resolve_inputs(args: list[str], fetcher_factory) -> list[Source]:
    """All sources named by ``args``, in order, ids made unique. ``fetcher_factory`` builds the Fetcher lazily."""
    sources: list[Source] = []
    fetcher: Fetcher | None = None
    for arg in args:
        local = local_sources(arg)
        if local is not None:
            sources.extend(local)
            continue
        if Path(arg).is_file():
            urls = read_url_list(Path(arg))
        elif URL_RE.match(arg) or "://" in arg:
            urls = [arg]
        else:
            raise UsageError(f"input not found: {arg!r} is neither an existing file or folder nor a URL")
        fetcher = fetcher or fetcher_factory()
        for url in urls:
            sources.extend(url_sources(url, fetcher))
    return unique_ids(sources)


def unique_ids(sources: list[Source]) -> list[Source]:
    """Suffix repeated ids with -2, -3 ... so every article keeps its own row."""
    seen: dict[str, int] = {}
    out = []
    for src in sources:
        n = seen.get(src.id, 0) + 1
        seen[src.id] = n
        out.append(src if n == 1 else Source(**{**src.__dict__, "id": f"{src.id}-{n}"}))
    return out
