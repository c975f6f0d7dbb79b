"""Who is acting, and route guards by role."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from workflows.domain.process import Actor
from workflows.domain.roles import Role
from workflows.services.admin import accounts
from workflows.services.casework.actors import actor_for
from workflows.store.models import User

from .extensions import db, login_manager


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session cookie (`<id>.<session generation>`, User.get_id), if the session has not ended: a
    cookie from before a log-out, a password change or disabling carries an older generation."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()) or int(user_id) > 2**31 - 1:
        return None
    user = accounts.signed_in_user(db.session, int(user_id))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def current_actor() -> Actor:
    if not getattr(current_user, "is_authenticated", False):
        return Actor(user_id=0, label="anonymous")
    return actor_for(current_user)


def roles_required(*roles: Role):
    """Log-in required, and one of these roles; anyone else gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
