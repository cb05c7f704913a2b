"""Read-only REST API for BI (/api/v1): admin-issued bearer tokens, the route table, its OpenAPI document."""
