"""What an operator runs beside the product: metrics and probes, logs, the schema check, backup and restore."""
