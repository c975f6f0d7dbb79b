"""Supervision through the API: the dashboard's figures, urging and replies, a department's own figures, the
monthly reports. The same services as the supervision pages.

One module per resource, all on the `api_supervision` blueprint (`bp`, in blueprint.py), imported in the order
the OpenAPI document lists their operations.
"""
from __future__ import annotations

# isort: off
from . import figures  # noqa: F401 - the dashboard, a department's own figures
from . import urging  # noqa: F401
from . import reports  # noqa: F401
# isort: on
from .blueprint import bp
