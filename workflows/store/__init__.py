"""Persistence: SQLAlchemy 2 models shared by the web app (through Flask-SQLAlchemy) and the worker.

Whichever model a process imports first, the audit chain's hook is registered with it: every new history
row is chained on flush, for every session."""
from . import audit_chain  # noqa: F401
