"""The pure domain of Rapporteur: commands in, events out, events folded into reports.

Nothing in this package performs I/O; `server` and `client` import it, never the reverse.
"""
