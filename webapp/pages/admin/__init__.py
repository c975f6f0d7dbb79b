"""The administrator's pages: users, applicants' claims, departments, measure catalogue, settings, calendar.

One module per subject, all on the `admin` blueprint (`bp`, in blueprint.py).
"""
from __future__ import annotations

# isort: off
from . import users  # noqa: F401 - users, applicants' claims
from . import catalogue  # noqa: F401 - departments, measures
from . import settings  # noqa: F401 - settings, the holiday calendar
from . import numbering  # noqa: F401 - the written decisions' numbering patterns
# isort: on
from .blueprint import bp  # noqa: F401
