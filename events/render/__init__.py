"""Views of one projection: each renderer takes a Report and returns a document."""
