"""Administration through the API: users, claims, departments, measures, settings, calendar, licence matters, the
head of supervision; and the accounts' own endpoints (signing up, the caller's account).

One module per resource, all on the `api_admin` blueprint (`bp`, in blueprint.py); the accounts' own endpoints on
`api_accounts`. The resources are imported in the order the OpenAPI document lists their operations.
"""
from __future__ import annotations

# isort: off
from . import users  # noqa: F401 - users and applicants' claims
from . import catalogue  # noqa: F401 - departments and measures
from . import settings  # noqa: F401 - time limits and the holiday calendar
from . import numbering  # noqa: F401 - the written decisions' numbering patterns
from . import licence_matters  # noqa: F401
from . import head  # noqa: F401 - the head of supervision
# isort: on
from .accounts import accounts_bp
from .blueprint import bp
