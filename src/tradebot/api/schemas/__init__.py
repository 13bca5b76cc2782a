"""The API's pydantic response and request models (what OpenAPI publishes)."""
