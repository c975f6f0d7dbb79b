"""The Flask front end: `create_app()` is the application factory (`flask --app webapp`)."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user

from workflows.config import Config
from workflows.services.admin import calendar as calendar_service
from workflows.store.db import configure_engine, engine_options, private_sqlite_file

from . import errors, i18n, observability, security, ui
from .api.v1 import TOKEN_FIRST
from .blueprints import API, PAGES
from .extensions import DatabaseId, compiled_templates, csrf, db, login_manager
from .extensions import api as json_api  # not `api`: the name of the webapp.api package


class CreditCases(Flask):
    """Absolute links (`url_for(..., _external=True)`: the Atom feed, e-mails) are built on the configured base URL,
    never on the request's Host header, which any client sets (and a cache would keep)."""

    def url_for(self, endpoint: str, *, _anchor=None, _method=None, _scheme=None, _external=None, **values) -> str:
        if not _external:
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external,
                                   **values)
        path = super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False, **values)
        return self.config["CREDIT_CASES"].external_base + path


def create_app(test_config: dict | None = None, *, config: Config | None = None) -> Flask:
    config = config or Config.from_env(**(test_config or {}).pop("CREDIT_CASES", {}))
    app = CreditCases(__name__, instance_path=str(config.instance_path), instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseId
    app.jinja_options = {**app.jinja_options, "bytecode_cache": compiled_templates}
    app.config.update(
        CREDIT_CASES=config,
        SECRET_KEY=config.secret_key,
        SQLALCHEMY_DATABASE_URI=config.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(config.database_url),
        MAX_CONTENT_LENGTH=config.max_upload_bytes + 1024 * 1024,
        TESTING=config.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=config.base_url.startswith("https://"),
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE=config.default_locale,
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        API_TITLE="credit-cases API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"info": {"description": "Case workflows for credit objections, repair, green channel and red-list removal."}},
    )
    if test_config:
        app.config.update(test_config)

    private_sqlite_file(config.database_url)
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    i18n.init_app(app)
    json_api.init_app(app)

    errors.init_app(app)
    app.before_request(_calendar_as_stored)
    app.after_request(_ask_for_missing_calendar_years)
    ui.init_app(app)
    security.init_app(app)
    observability.init_app(app)
    app.register_blueprint(observability.bp)
    for blueprint in PAGES:
        app.register_blueprint(blueprint)
    for blueprint in API:
        csrf.exempt(blueprint)  # bearer tokens, not cookies: no CSRF exposure
        json_api.register_blueprint(blueprint)
    return app


def _calendar_as_stored() -> None:
    """Every request computes with the holiday arrangements the database holds now, whichever process imported them.

    A request with a bearer token installs them once its token's user is read (`token_required`); any other first
    reads the user of its session cookie, if it has one: that read carries the configuration's stamps
    (accounts.signed_in_user), so the stamps cost a signed-in request no statement of their own."""
    if request.endpoint == "static" or getattr(current_app.view_functions.get(request.endpoint), TOKEN_FIRST, False):
        return
    current_user._get_current_object()  # noqa: SLF001 (Flask-Login's lazy user, loaded here rather than later)
    calendar_service.install_from(db.session)


def _ask_for_missing_calendar_years(response):
    """An action refused for a year without a holiday arrangement is rolled back by now: ask the administrators
    for that year (once per year), in a transaction of its own."""
    if calendar_service.ask_for_missing_years(db.session):
        db.session.commit()
    return response
