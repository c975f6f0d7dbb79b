"""List work through the API: escalation of a key-attention subject to the blacklist, red-list and blacklist
re-evaluation, the green channel's catalogue, granted licences, and a green case's notice and materials.

One module per resource, all on the `api_lists` blueprint (`bp`, in blueprint.py), imported in the order the
OpenAPI document lists their operations.
"""
from __future__ import annotations

# isort: off
from . import escalation  # noqa: F401
from . import reevaluation  # noqa: F401
from . import blacklist_reevaluation  # noqa: F401
from . import licence_matters  # noqa: F401 - the catalogue, granted licences
from . import green_cases  # noqa: F401
# isort: on
from .blueprint import bp
