"""REST API v1 (docs/api.md): FastAPI under /api/v1, personal access tokens."""
