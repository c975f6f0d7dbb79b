"""Security headers on every response; everything is served by the app itself (no CDN)."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import Flask

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def add_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def same_site_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: the log-in page and the language switch follow no other.

    Browsers drop tabs and line breaks from an address and read a backslash as a slash, so `/\t/evil.example/`
    and `/\\evil.example` are addresses of another site: a path with any of them, with any other control or
    white-space character, or with a scheme or host of its own is refused."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(unicodedata.category(c)[0] in "CZ" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
