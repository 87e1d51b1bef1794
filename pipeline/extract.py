"""Extraction: raw page or text file -> ``Article`` (main text, title, publication date, site name).

The article text is the headline, a newline, then the body; every character offset in the
output tables refers to this string. HTML goes through trafilatura (favouring precision, so
menus, cookie banners, teasers and footers stay out); a ``.txt`` file's first line is the title.

Work is bounded: a local file larger than ``max_bytes`` (the fetch size limit) is not read
(status fetch_error), and a text longer than ``MAX_TEXT_CHARS`` is not analysed (extract_error),
so one huge page cannot exhaust memory or stall a run.
"""
from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from pathlib import Path

import trafilatura

from .records import Article, Source

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
HTML_SNIFF_RE = re.compile(rb"<(!doctype html|html|head|body|div|p|article|main|title)\b", re.I)
CHARSET_RE = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-]+)""", re.I)
BINARY_SIGNATURES = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
LATIN1_NAMES = {"latin-1", "iso8859-1", "ascii"}  # as browsers do: read as Windows-1252
MAX_INPUT_BYTES = 10_000_000  # default for local files; the run passes the fetch size limit
MAX_TEXT_CHARS = 100_000  # longer texts are not analysed (press releases are far shorter)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KB, if Python knows it."""
    match = CHARSET_RE.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", errors="ignore")
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name.startswith(("utf-16", "utf-32")):
        return None  # rot13, base64 ... are not page encodings; a UTF-16 label on 8-bit bytes is wrong
    return info.name


def decode_text(data: bytes) -> str:
    """Bytes -> str: UTF-8 (BOM dropped) when valid, else the declared charset, else Windows-1252.

    Windows-1252 (a superset of ISO-8859-1's printable range) is what German and English pages
    without a declared charset use in practice; statistical guessing misreads short German texts.
    """
    if data.startswith(UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data)
    if declared and declared != "utf-8" and declared not in LATIN1_NAMES:
        return data.decode(declared, errors="replace")
    return data.decode("cp1252", errors="replace")


def clean_text(text: str) -> str:
    """NFC, no control characters or stray BOMs, unified line ends, no trailing blanks."""
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text.replace("\u2028", "\n").replace("\u2029", "\n"))
    text = CONTROL_RE.sub(" ", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def is_binary(data: bytes) -> bool:
    """Known binary signatures, or many NUL/control bytes in the first 4 KB."""
    head = data[:4096]
    if head.startswith(UTF16_BOMS):
        return False
    if head.startswith(BINARY_SIGNATURES):
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return bool(head) and controls / len(head) > 0.10


def one_line(message: str) -> str:
    """The first non-blank line of a message, whitespace collapsed (errors fit one CSV cell line)."""
    lines = [ln for ln in str(message).splitlines() if ln.strip()]
    return " ".join(lines[0].split()) if lines else "unknown error"


def failed(source: Source, status: str, error: str, sha: str | None = None) -> Article:
    return Article(id=source.id, source=source.source, url=source.url, title="", text="", published=None,
                   status=status, error=one_line(error), sha256=sha)


def extract_html(html: str) -> tuple[str, str, str | None, str | None]:
    """(title, body, published, site name) from an HTML page."""
    doc = trafilatura.bare_extraction(html, favor_precision=True, with_metadata=True, include_comments=False,
                                      include_tables=True)
    if doc is None:
        return "", "", None, None
    return (doc.title or "").strip(), (doc.text or "").strip(), doc.date, doc.sitename


def looks_like_prose(body: str) -> bool:
    """False for what is left of a navigation-only page: a few link words, no sentence."""
    return len(body) >= 80 or bool(re.search(r"\w{3,}[.!?]", body))


def join_title(title: str, body: str) -> str:
    """Headline + body, without repeating a headline that the body already starts with."""
    if not title or body.startswith(title):
        return body or title
    return f"{title}\n{body}"


def read_input(path: str, max_bytes: int) -> bytes:
    """The raw bytes of a local input; OSError when unreadable, ValueError when over ``max_bytes``."""
    size = Path(path).stat().st_size
    if size > max_bytes:
        raise ValueError(f"input of {size} bytes is larger than the {max_bytes}-byte limit")
    with open(path, "rb") as fh:  # bounded read: the size may change or be unknown (pipes)
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"input of more than {max_bytes} bytes is larger than the limit")
    return data


def extract_article(source: Source, max_bytes: int = MAX_INPUT_BYTES) -> Article:
    """One source -> Article; failures become an Article with a status and a one-line error."""
    if source.error:
        return failed(source, "fetch_error", source.error)
    try:
        data = read_input(source.path, max_bytes)
    except OSError as exc:
        return failed(source, "fetch_error", f"cannot read {source.path}: {exc.strerror or exc}")
    except ValueError as exc:
        return failed(source, "fetch_error", str(exc))
    sha = sha256_bytes(data)
    if not data.strip():
        return failed(source, "empty", "the input is empty", sha)
    if is_binary(data):
        return failed(source, "not_html", "binary content (not HTML or text)", sha)
    try:
        return extract_from_bytes(source, data, sha)
    except Exception as exc:  # noqa: BLE001 - one broken page must not stop the run
        return failed(source, "extract_error", f"{type(exc).__name__}: {exc}".splitlines()[0], sha)


def extract_from_bytes(source: Source, data: bytes, sha: str) -> Article:
    raw = decode_text(data)
    is_txt = (source.path or "").lower().endswith(".txt") and not HTML_SNIFF_RE.search(data[:2048])
    if is_txt:
        text = clean_text(raw)
        title = text.split("\n", 1)[0].strip()
        published, site = None, None
    else:
        title, body, published, site = extract_html(raw)
        title, body = clean_text(title), clean_text(body)
        text = join_title(title, body) if looks_like_prose(body) else ""
    if not text.strip():
        return failed(source, "empty", "no main text found (navigation or boilerplate only)", sha)
    if len(text) > MAX_TEXT_CHARS:
        return failed(source, "extract_error", f"text of {len(text)} characters is longer than the "
                                               f"{MAX_TEXT_CHARS}-character limit for analysis", sha)
    return Article(id=source.id, source=source.source, url=source.url, title=title, text=text,
                   published=published, site_name=site, sha256=sha)
