"""The JSON API under /api/v1: bearer tokens (v1), one module per resource, the same services as the pages."""
