"""REST API v1 for city systems: scoped tokens, cursor pages, ETags, rate limits, OpenAPI."""
