"""The fault script: `python -m tests.faults` (see __main__.py and README.md, Faults)."""
