"""Turning a stored user (or the API's `accounts.SignedIn` value of one) into the domain's Actor."""
from __future__ import annotations

from workflows.domain.process import Actor
from workflows.store.models import User


def actor_for(user: User | None) -> Actor:
    if user is None:
        return Actor.system()
    return Actor(
        user_id=user.id,
        roles=user.roles,
        department_id=user.department_id,
        subject_id=user.subject_id if user.claim_status == "confirmed" else None,
        label=user.display_name or user.username,
    )
