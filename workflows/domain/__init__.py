"""The pure domain: no Flask, Prefect or SQLAlchemy here (tests/unit/test_purity.py keeps it so)."""
