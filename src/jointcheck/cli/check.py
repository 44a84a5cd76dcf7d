"""``jointcheck check``: verify a person's codes and give the one decision at the door."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from jointcheck.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    AnchorOption,
    AtOption,
    JsonOption,
    TrustOption,
    console,
    instant,
    print_json,
    read_input,
    trust_from,
    usage_error,
)
from jointcheck.cli.verify import verification_json
from jointcheck.errors import JointcheckError, PolicyError
from jointcheck.policy_sources import find_pack
from jointcheck.rules.decision import Decision, decide, decision_fields
from jointcheck.rules.policy import Outcome, PolicyPack
from jointcheck.trust.verify import Verification, verify

_STYLE = {Outcome.ADMIT: "bold white on green", Outcome.REGISTER: "bold black on cyan",
          Outcome.PERSUADE: "bold black on yellow", Outcome.RESTRICT: "bold white on dark_orange",
          Outcome.DENY: "bold white on red"}


def load_policy(id_or_file: str) -> PolicyPack:
    """Return the pack named on the command line, turning a bad one into a usage error."""
    try:
        return find_pack(id_or_file)
    except PolicyError as exc:
        usage_error(f"{exc.message} ({exc.code})")


def check_command(
    codes: list[str] = typer.Argument(..., metavar="QR...", help="QR texts, or @FILE (text or "
                                      "image), in any order: health code, certificates."),
    policy: str = typer.Option(..., "--policy", help="A shipped pack id or a pack file."),
    venue_category: str = typer.Option(..., "--venue-category", help="The venue's category "
                                       "slug (SPEC §4), e.g. nursing-home, mall-supermarket."),
    trust: list[Path] = TrustOption,
    anchor: list[Path] = AnchorOption,
    at: str | None = AtOption,
    as_json: bool = JsonOption,
) -> None:
    """Verify each QR and decide entry under a policy pack."""
    when = instant(at)
    pack = load_policy(policy)
    store, _ = trust_from(trust, anchor)
    verifications: list[Verification] = []
    for value in codes:
        try:
            texts = read_input(value)
        except JointcheckError as exc:
            verifications.append(Verification(False, None, None, None, None, exc))
            continue
        verifications += [verify(text, store, when) for text in texts]
    try:
        decision = decide(pack, verifications, venue_category, when)
    except PolicyError as exc:
        usage_error(f"{exc.message} ({exc.code})")
    if as_json:
        print_json(decision_json(decision) | {
            "at": when, "venue_category": venue_category,
            "credentials": [verification_json(v) for v in verifications]})
    else:
        _print_human(decision, verifications)
    raise typer.Exit(EXIT_OK if decision.outcome.admits else EXIT_REFUSED)


def decision_json(decision: Decision) -> dict[str, Any]:
    """Return the JSON fields of a decision (the contract of ``check --json``)."""
    return decision_fields(decision) | {"facts": decision.facts}


def _print_human(decision: Decision, verifications: list[Verification]) -> None:
    outcome = decision.outcome
    console.print(f"[{_STYLE[outcome]}] {outcome.value.upper()} [/] {decision.reason.en}")
    console.print(f"  {decision.reason.zh}")
    if decision.holder:
        console.print(f"  holder  {decision.holder.name}, born {decision.holder.birth_year}")
    console.print(f"  basis   {decision.basis.value}   rule {decision.rule}   policy "
                  f"{decision.policy_id} {decision.policy_version}")
    for note in decision.notes:
        console.print(f"  [dim]note: {note.en} / {note.zh}[/]")
    for result in verifications:
        kind = result.credential.type.value if result.credential else "unreadable"
        state = "valid" if result.valid else f"refused at {result.stage} ({result.code})"
        console.print(f"  [dim]{kind}: {state}[/]")
