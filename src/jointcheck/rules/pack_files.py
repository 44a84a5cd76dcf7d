"""The policy packs shipped with jointcheck (package data), and reading pack text."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import yaml

from jointcheck.errors import PolicyError
from jointcheck.rules.policy import PolicyPack, load_pack

SHIPPED = ("fangzi-2021", "yubei-2021", "baiyin-2021")


def parse_pack_text(text: str, source: str) -> Any:
    """Parse pack text (YAML, of which JSON is a subset); raise ``PolicyError`` naming the file."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise PolicyError("policy-unreadable",
                          f"{source} is not YAML or JSON{where}: {problem}") from error


@cache
def shipped_pack(pack_id: str) -> PolicyPack:
    """Return a pack shipped with jointcheck by its id."""
    if pack_id not in SHIPPED:
        raise PolicyError("policy-unknown", f"no shipped policy pack has the id {pack_id!r}; "
                          f"known: {', '.join(SHIPPED)}")
    resource = resources.files("jointcheck.rules").joinpath(f"packs/{pack_id}.yaml")
    source = f"{pack_id}.yaml"
    return load_pack(parse_pack_text(resource.read_text("utf-8"), source), source)


def pack_json(pack: PolicyPack) -> str:
    """Return the pack's document as JSON (what a checkpoint syncs)."""
    return json.dumps(pack.document, ensure_ascii=False, sort_keys=True)
