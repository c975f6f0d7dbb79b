"""Flow tests: the real worker runs the real Prefect flows under Prefect's test harness, against a real
SMTP server and a real HTTP receiver, on SQLite and PostgreSQL. Their fixtures (`world`, `smtp`, `platform`,
`prefect_harness`) are in tests/conftest.py, shared with the browser tests."""
