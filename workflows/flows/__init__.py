"""Prefect flows: one per process, made from its definition's plan (registry), carrying out its steps as task runs."""
