"""Field validators shared by the registry values and the importers."""

from __future__ import annotations

import re
from datetime import date

from jointcheck.errors import RegistryError

CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}", re.ASCII)


def require(value: str, field: str) -> str:
    """Return ``value`` stripped, or raise ``missing-field`` when it is empty."""
    text = value.strip()
    if not text:
        raise RegistryError("missing-field", f"{field} is missing")
    return text


def check_code(code: str, what: str) -> str:
    """Return ``code`` if it is a stable lower-case code (letters, digits, ``-``, ``_``)."""
    if not CODE_PATTERN.fullmatch(code):
        raise RegistryError("bad-code", f"{what} code {code!r} is not a lower-case code")
    return code


def parse_date(text: str, field: str) -> date:
    """Parse an ISO date (``YYYY-MM-DD``); raise ``bad-date`` naming the field."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise RegistryError("bad-date", f"{field} {text!r} is not a date (YYYY-MM-DD)") from None


def parse_positive(text: str, field: str) -> int:
    """Parse a positive whole number; raise ``bad-dose`` naming the field."""
    try:
        value = int(text.strip())
    except ValueError:
        raise RegistryError("bad-dose", f"{field} {text!r} is not a whole number") from None
    if value < 1:
        raise RegistryError("bad-dose", f"{field} must be 1 or more")
    return value
