"""Prefect flows: one per process, carrying out the consequences of its case events."""
