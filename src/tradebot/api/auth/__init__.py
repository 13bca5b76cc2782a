"""Passkey login, rotating refresh tokens and access JWTs (see README.md)."""
