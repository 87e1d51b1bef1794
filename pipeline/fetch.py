"""Fetching: the one network seam of the project.

``Fetcher.get`` downloads a URL politely (timeouts, retries with back-off honouring Retry-After,
a size limit, a per-host delay, robots.txt, a clear user agent) and stores each page once under
``corpora/raw/`` with a manifest line (url, fetched_at, sha256, http status). A re-run reads the
stored page instead of fetching again. Only http(s) is fetched; private, loopback and link-local
addresses are refused unless ``allow_private_hosts`` is set.
"""
from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import logging
import socket
import time
import urllib.robotparser
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import urllib3

from .settings import FetchSettings

log = logging.getLogger(__name__)
RETRY_STATUSES = {429, 503}
NETWORK_ERRORS = (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 60.0


class FetchError(Exception):
    """A URL could not be fetched; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Fetched:
    url: str  # the URL asked for
    final_url: str
    status: int
    content_type: str
    path: Path  # stored raw bytes
    sha256: str
    from_cache: bool


def check_url(url: str, allow_private_hosts: bool) -> None:
    """Refuse non-http(s) schemes and, unless allowed, hosts on non-public addresses
    (private, loopback, link-local, shared, reserved, multicast)."""
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port
    except ValueError as exc:
        raise FetchError(f"malformed URL {url!r}: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"refused scheme {parts.scheme or '(none)'!r}: only http and https are fetched")
    if not host:
        raise FetchError(f"no host in URL {url!r}")
    if allow_private_hosts:
        return
    for address in resolve_host(host):
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise FetchError(f"refused private address {address} for {host} (use --allow-private-hosts)")


def resolve_host(host: str) -> list[str]:
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, None)})
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from exc


def retry_after_seconds(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), capped."""
    if not value:
        return default
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        pass
    try:
        from email.utils import parsedate_to_datetime

        delta = (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds()
        return min(max(delta, 0.0), MAX_RETRY_AFTER)
    except (TypeError, ValueError):
        return default


class RawStore:
    """Immutable store of fetched pages: ``pages/<sha256>`` plus an append-only ``manifest.jsonl``."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.manifest = self.root / "manifest.jsonl"
        self._by_url: dict[str, dict] = {}
        if self.manifest.exists():
            for line in self.manifest.read_text(encoding="utf-8", errors="replace").splitlines():
                record = manifest_record(line)
                if record is not None:
                    self._by_url[record["url"]] = record

    def lookup(self, url: str) -> dict | None:
        record = self._by_url.get(url)
        if record and (self.root / "pages" / record["sha256"]).exists():
            return record
        return None

    def put(self, url: str, final_url: str, status: int, content_type: str, body: bytes) -> dict:
        digest = hashlib.sha256(body).hexdigest()
        pages = self.root / "pages"
        pages.mkdir(parents=True, exist_ok=True)
        target = pages / digest
        if not target.exists():
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(body)
            tmp.replace(target)
        record = {"url": url, "final_url": final_url, "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "sha256": digest, "http_status": status, "content_type": content_type, "bytes": len(body)}
        with self.manifest.open("a", encoding="utf-8") as fh:
            fh.write(("\n" if ends_mid_line(self.manifest) else "") + json.dumps(record, ensure_ascii=False) + "\n")
        self._by_url[url] = record
        return record

    def path(self, record: dict) -> Path:
        return self.root / "pages" / record["sha256"]


def manifest_record(line: str) -> dict | None:
    """One manifest line as a record; None for blank lines and for a line cut off by a killed run."""
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except ValueError:
        log.warning("skipping a broken line in the raw manifest: %.80s", line)
        return None
    return record if isinstance(record, dict) and {"url", "sha256", "http_status"} <= set(record) else None


def ends_mid_line(path: Path) -> bool:
    """True when a file's last byte is not a newline (a run was killed while appending)."""
    try:
        with path.open("rb") as fh:
            fh.seek(-1, 2)
            return fh.read(1) != b"\n"
    except OSError:  # missing or empty
        return False


class Fetcher:
    """Polite HTTP client. Swap ``_request`` in tests, or serve pages from a local server."""

    def __init__(self, settings: FetchSettings, sleep=time.sleep):
        self.settings = settings
        self.store = RawStore(settings.raw_dir)
        self.http = urllib3.PoolManager(headers={"User-Agent": settings.user_agent})
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._sleep = sleep

    def get(self, url: str) -> Fetched:
        """Stored copy if there is one, else download (following redirects safely) and store."""
        record = self.store.lookup(url)
        if record is not None:
            return self._fetched(url, record, from_cache=True)
        final_url, status, content_type, body = self._follow(url)
        record = self.store.put(url, final_url, status, content_type, body)
        return self._fetched(url, record, from_cache=False)

    def _fetched(self, url: str, record: dict, from_cache: bool) -> Fetched:
        return Fetched(url, record.get("final_url", url), record["http_status"], record.get("content_type", ""),
                       self.store.path(record), record["sha256"], from_cache)

    def _follow(self, url: str) -> tuple[str, int, str, bytes]:
        seen = {url}
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            check_url(current, self.settings.allow_private_hosts)
            self._check_robots(current)
            status, headers, body = self._with_retries(current)
            if status in (301, 302, 303, 307, 308):
                location = headers.get("Location")
                if not location:
                    raise FetchError(f"redirect without Location from {current}", status)
                current = urljoin(current, location)
                if current in seen:
                    raise FetchError(f"redirect loop at {current}", status)
                seen.add(current)
                continue
            if status >= 400:
                raise FetchError(f"HTTP {status} for {current}", status)
            return current, status, headers.get("Content-Type", ""), body
        raise FetchError(f"more than {MAX_REDIRECTS} redirects from {url}")

    def _with_retries(self, url: str) -> tuple[int, dict, bytes]:
        delay = self.settings.backoff
        for attempt in range(self.settings.retries + 1):
            try:
                status, headers, body = self._polite_request(url)
            except NETWORK_ERRORS as exc:
                if attempt == self.settings.retries:
                    raise FetchError(f"network error for {url}: {type(exc).__name__}: {exc}") from exc
                self._sleep(delay)
                delay *= 2
                continue
            if status in RETRY_STATUSES and attempt < self.settings.retries:
                self._sleep(retry_after_seconds(headers.get("Retry-After"), delay))
                delay *= 2
                continue
            return status, headers, body
        raise FetchError(f"gave up on {url}")  # pragma: no cover - loop always returns or raises

    def _polite_request(self, url: str) -> tuple[int, dict, bytes]:
        host = urlsplit(url).netloc
        wait = self._last_request.get(host, 0.0) + self.settings.per_host_delay - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        try:
            return self._request(url)
        finally:
            self._last_request[host] = time.monotonic()

    def _request(self, url: str) -> tuple[int, dict, bytes]:
        """One GET without redirects or retries; reads at most ``max_bytes``."""
        timeout = urllib3.Timeout(connect=self.settings.timeout, read=self.settings.timeout)
        response = self.http.request("GET", url, redirect=False, retries=False, timeout=timeout, preload_content=False)
        try:
            body = read_limited(response, self.settings.max_bytes, self.settings.timeout * 3)
        except BaseException:
            response.close()  # part of the body is unread: the connection must not be reused
            raise
        finally:
            response.release_conn()
        return response.status, dict(response.headers), body

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._robots:
            self._robots[key] = self._load_robots(key)
        parser = self._robots[key]
        if parser is not None and not parser.can_fetch(self.settings.user_agent, url):
            raise FetchError(f"disallowed by robots.txt: {url}")

    def _load_robots(self, base: str) -> urllib.robotparser.RobotFileParser | None:
        try:
            status, _headers, body = self._polite_request(base + "/robots.txt")
        except (*NETWORK_ERRORS, FetchError):  # no usable robots.txt: everything is allowed
            return None
        if status >= 400:
            return None
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(body.decode("utf-8", errors="replace").splitlines())
        return parser


def read_limited(response, max_bytes: int, total_timeout: float) -> bytes:
    """Read a streamed body, failing past ``max_bytes`` or when a slow drip exceeds ``total_timeout``.

    ``read1`` returns after each network read, so the clock is checked however slowly bytes come."""
    chunks: list[bytes] = []
    size = 0
    started = time.monotonic()
    while True:
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"page larger than {max_bytes} bytes")
        if time.monotonic() - started > total_timeout:
            raise FetchError(f"page took longer than {total_timeout:g} s to arrive (slow drip)")
        chunks.append(chunk)
