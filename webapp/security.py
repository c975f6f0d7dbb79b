"""Security headers on every response; everything is served by the app itself (no CDN). Behind a TLS proxy: the
proxy's word on the scheme and the client believed only from the configured proxies, HSTS and Secure cookies over
HTTPS, absolute links on the configured base URL."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import Flask, g, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
}


HSTS = "max-age=31536000; includeSubDomains"


class TrustedProxies:
    """werkzeug's ProxyFix for requests from the configured proxies only: anyone else's X-Forwarded-* is ignored."""

    def __init__(self, wsgi_app, proxies: frozenset[str]):
        self.plain, self.proxies = wsgi_app, proxies
        self.fixed = ProxyFix(wsgi_app, x_for=1, x_proto=1, x_host=0, x_port=0, x_prefix=0)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.proxies:
            return self.fixed(environ, start_response)
        return self.plain(environ, start_response)


class SessionCookies(SecureCookieSessionInterface):
    """The session cookie is Secure on every HTTPS request (the proxy's word counts when it is trusted)."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def init_app(app: Flask) -> None:
    config = app.config["CREDIT_CASES"]
    if config.proxies:
        app.wsgi_app = TrustedProxies(app.wsgi_app, config.proxies)
    app.session_interface = SessionCookies()

    @app.after_request
    def add_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if _for_a_user():
            response.headers["Cache-Control"] = "no-store"
        elif _for_a_browser():  # a shared cache must not hand one browser's form token to another
            cache = response.headers.get("Cache-Control", "")
            if "public" in cache:
                response.headers["Cache-Control"] = cache.replace("public", "private")
        response.headers.pop("Server", None)
        return response


def _for_a_user() -> bool:
    """A response for a logged-in user or a token's bearer (a name, cases, notifications): no cache keeps it."""
    user = g.get("_login_user")
    return g.get("api_user") is not None or (user is not None and user.is_authenticated)


def _for_a_browser() -> bool:
    """A response carrying a CSRF token (every form, the language switch) or setting the session cookie."""
    return "csrf_token" in g or session.modified


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
