"""Persistence: SQLAlchemy 2 models shared by the web app (through Flask-SQLAlchemy) and the worker."""
