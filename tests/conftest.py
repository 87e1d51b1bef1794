"""Shared fixtures: a local HTTP server on 127.0.0.1 (never the internet) and fast fetch settings."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.settings import FetchSettings

FIXTURES = Path(__file__).parent / "fixtures"

PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>{title}</title></head>
<body><nav><a href="/">Startseite</a> <a href="/presse">Presse</a></nav>
<article><h1>{title}</h1><p>{body}</p></article><footer>Rathausplatz 1, 10115 Berlin</footer></body></html>"""

BODY_DE = ("Der Bezirk Pankow hat am 4. Juni 2024 die Charta der Vielfalt unterzeichnet. Bezirksbürgermeisterin "
           "Erika Beispiel unterschrieb die Urkunde im Rathaus. Die Charta ist ein Netzwerk von Arbeitgebern, "
           "das sich für Vielfalt in der Arbeitswelt einsetzt. Damit schließt sich der Bezirk vielen Städten an.")


class Routes:
    """Path -> (status, headers, body or callable, delay). Counts hits per path.

    ``drip`` sends the body a few bytes at a time with that many seconds between pieces;
    ``truncate`` sends only that many body bytes (Content-Length stays the full size) and closes."""

    def __init__(self):
        self.table: dict[str, tuple] = {}
        self.hits: dict[str, int] = {}
        self.options: dict[str, dict] = {}

    def add(self, path: str, status: int = 200, body: bytes | str = b"", headers: dict | None = None, delay: float = 0.0,
            drip: float = 0.0, truncate: int | None = None):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.table[path] = (status, headers or {"Content-Type": "text/html; charset=utf-8"}, data, delay)
        self.options[path] = {"drip": drip, "truncate": truncate}


def make_handler(routes: Routes):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            routes.hits[self.path] = routes.hits.get(self.path, 0) + 1
            entry = routes.table.get(self.path)
            if entry is None:
                self.send_response(404)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"not found")
                return
            status, headers, body, delay = entry
            if callable(body):
                status, headers, body = body(routes.hits[self.path])
            time.sleep(delay)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            opts = routes.options.get(self.path, {})
            if opts.get("truncate") is not None:
                self.wfile.write(body[:opts["truncate"]])
                self.close_connection = True
            elif opts.get("drip"):
                self.drip(body, opts["drip"])
            else:
                self.wfile.write(body)

        def drip(self, body: bytes, pause: float, piece: int = 16):
            try:
                for i in range(0, len(body), piece):
                    self.wfile.write(body[i:i + piece])
                    self.wfile.flush()
                    time.sleep(pause)
            except OSError:  # the client gave up, as it should
                self.close_connection = True

        def log_message(self, *args):  # keep test output clean
            pass

    return Handler


@pytest.fixture()
def server():
    routes = Routes()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(routes))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    routes.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield routes
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def fetch_settings(tmp_path) -> FetchSettings:
    return FetchSettings(timeout=2.0, retries=2, backoff=0.01, per_host_delay=0.0, allow_private_hosts=True,
                         raw_dir=tmp_path / "raw", max_bytes=200_000)


def blank_rulers(patterns_for) -> dict:
    """Blank German and English pipelines with a sentencizer and an entity ruler of ``patterns_for(lang)``."""
    import spacy

    out = {}
    for lang in ("de", "en"):
        nlp = spacy.blank(lang)
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("entity_ruler").add_patterns(patterns_for(lang))
        out[lang] = nlp
    return out
