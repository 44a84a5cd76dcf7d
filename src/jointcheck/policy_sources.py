"""Policy packs named on the command line or in settings: a shipped pack's id, or a file."""

from __future__ import annotations

from pathlib import Path

from jointcheck.errors import PolicyError
from jointcheck.rules.pack_files import SHIPPED, parse_pack_text, shipped_pack
from jointcheck.rules.policy import PolicyPack, load_pack


def load_pack_file(path: Path) -> PolicyPack:
    """Read, check and compile the pack in ``path``."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError("policy-unreadable", f"cannot read {path}: {error}") from error
    return load_pack(parse_pack_text(text, str(path)), str(path))


def find_pack(id_or_file: str) -> PolicyPack:
    """Return a shipped pack by id, or the pack in a file when given a path."""
    if id_or_file in SHIPPED:
        return shipped_pack(id_or_file)
    path = Path(id_or_file)
    if path.suffix.lower() in (".yaml", ".yml", ".json") or path.exists():
        return load_pack_file(path)
    return shipped_pack(id_or_file)
