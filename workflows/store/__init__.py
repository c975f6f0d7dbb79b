"""Persistence: SQLAlchemy 2 models shared by the web app (through Flask-SQLAlchemy) and the worker.

Whichever model a process imports first, the audit chain's hook is registered with it: every new history
row is chained on flush, for every session; and so are the configuration stamps' (config_stamps), which tell
each transaction whether the settings and the calendar this process keeps are still what the database holds."""
from . import audit_chain, config_stamps  # noqa: F401
