"""Use cases: each takes a SQLAlchemy session and plain values, applies domain rules, and records history.

Callers (web routes, API, CLI, worker) commit; a service never commits on its own, so a request's
changes, its history rows and its outbox events land in one transaction or not at all.
"""
