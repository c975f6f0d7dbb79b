"""Each process's flow, by the process name its outbox events carry ("lists": a list entry's own events)."""
from __future__ import annotations

from .conditional_acceptance import conditional_acceptance_flow
from .list_lifecycle import list_lifecycle_flow
from .listing import listing_flow
from .objection import objection_flow
from .redlist_removal import redlist_removal_flow
from .repair_exit import repair_exit_flow

FLOWS = {
    "objection": objection_flow,
    "listing": listing_flow,
    "conditional_acceptance": conditional_acceptance_flow,
    "repair_exit": repair_exit_flow,
    "redlist_removal": redlist_removal_flow,
    "lists": list_lifecycle_flow,
}
