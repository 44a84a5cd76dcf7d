"""Reporting maths: local-day windows and daily street roll-ups (pure; no database, no clock)."""
