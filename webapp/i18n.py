"""Chinese first (zh_CN), English second: the chosen language is kept in the session."""
from __future__ import annotations

from flask import Flask, has_request_context, request, session
from flask_login import current_user

from .extensions import babel

LANGUAGES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    if has_request_context() and request.path.startswith("/api/"):
        return "en"  # the API speaks English to integrators, whatever a browser chose
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LANGUAGES:
        return current_user.locale
    return "zh_CN"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def languages():
        return {"LANGUAGES": LANGUAGES}
