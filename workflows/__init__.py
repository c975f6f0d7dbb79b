"""Case workflows: the domain, its persistence, services and Prefect flows."""
