"""The HTTP API: FastAPI app, routers per area, error codes mapped to HTTP statuses here only."""
