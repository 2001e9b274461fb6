"""Clients of Rapporteur: the async live client, the HTTP API client, the CLI."""
