"""What people read for the identifiers that travel in notices and on pages: lists, statuses, processes.

Pure message ids (English, translated through webapp/translations), usable without Flask: the worker
renders notices with them, the web wraps them for the reader's language (webapp/labels.py).
"""
from __future__ import annotations


def N_(text: str) -> str:
    """Marks a message id for extraction; it is translated where it is shown."""
    return text


PROCESSES = {
    "objection": N_("Objection"),
    "repair_exit": N_("Credit repair (early exit from the blacklist)"),
    "conditional_acceptance": N_("Conditional acceptance (green channel)"),
    "redlist_removal": N_("Red-list removal"),
}

LISTS = {
    "red": N_("Red list"),
    "black": N_("Blacklist"),
    "key_attention": N_("Key-attention list"),
}

# list entries' and measures' statuses
STATUSES = {
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "exited": N_("Exited"),
    "purged": N_("Deleted"),
    "stopped": N_("Stopped"),
}


# the listings' categories: the blacklist's (credit repair has settings for them, workflows.domain.settings), then
# the red list's; a listing chooses one of them
CATEGORIES = {
    "market_regulation": N_("market regulation"),
    "tax": N_("tax"),
    "food_safety": N_("food safety"),
    "environment": N_("environment"),
    "court_enforcement": N_("court enforcement"),
    "tax_credit": N_("tax credit (grade A taxpayers)"),
    "contract_credit": N_("keeping contracts and credit"),
}

RED_LIST_CATEGORIES = ("tax_credit", "contract_credit")

# why a red-list entry leaves the list, as its removal case names the trigger (workflows.processes.redlist_removal)
REMOVAL_TRIGGERS = {
    "objection_revoked": N_("The listing was found to be wrong on objection"),
    "blacklisted": N_("Put on the blacklist or the key-attention list"),
    "abuse": N_("Abuse of red-list incentives reported"),
    "broken_commitment": N_("A written credit commitment was broken"),
    "expired": N_("Its validity period ended"),
    "criteria_changed": N_("The criteria changed"),
}


def mask_name(name: str, kind: str) -> str:
    """A subject's name as a notice or a public text shows it: an enterprise in full, a person by surname."""
    if kind != "person" or not name:
        return name
    return name[:1] + "**"
