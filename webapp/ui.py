"""Template helpers every page uses: the current language, localised names, masked resident IDs."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_login import current_user

from workflows.demo import demo_logins as logins
from workflows.domain.roles import STAFF_ROLES
from workflows.domain.subjects import SubjectCode, SubjectKind


def current_locale() -> str:
    """The language as the switch names it: "en" or "zh_CN" (Babel itself says zh_Hans_CN)."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh_CN"


def localized(row) -> str:
    """A department's or measure's English name on English pages when it has one, else its name."""
    if row is None:
        return ""
    english = getattr(row, "name_en", "")
    return english if english and current_locale() == "en" else row.name


def visible_code(subject) -> str:
    """A person's resident ID in full only for staff and for the person; others see the middle masked."""
    if subject is None or subject.kind != SubjectKind.PERSON:
        return subject.code if subject is not None else ""
    user = current_user
    if getattr(user, "is_authenticated", False) and (
        user.roles & STAFF_ROLES or (user.subject_id == subject.id and user.claim_status == "confirmed")
    ):
        return subject.code
    return SubjectCode(SubjectKind.PERSON, subject.code).masked()


def here() -> str:
    """This page's local path with its query, for the language switch to come back to."""
    return request.full_path if request.query_string else request.path


def demo_logins() -> list[tuple[str, str]]:
    config = current_app.config.get("CREDIT_CASES")
    if not getattr(config, "demo", False):
        return []
    return logins()


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(current_locale=current_locale, here=here, demo_logins=demo_logins)
    app.jinja_env.filters.update(localized=localized, visible_code=visible_code)

