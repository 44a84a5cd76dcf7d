"""The answer a checkpoint shows for the codes scanned so far, and what it still needs.

Codes are scanned in any order. After each, the checkpoint decides on what it has; the answer
says whether that decision is final or whether another code could still change it:

- no valid health code yet: the health code is needed (``needs: ["health-code"]``);
- a passing health code but no vaccination or contraindication certificate, and an outcome
  other than ``admit``: a certificate could still admit the person
  (``needs: ["certificate"]``).

A refusal (a forged or damaged code, a colour that does not pass, another person's code) is
final at once: no further code changes it. The worker may also end the scan with what is
there (a person without a certificate); the decision then stands as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jointcheck.credentials.model import CredentialType
from jointcheck.rules.decision import Decision, decision_fields
from jointcheck.rules.policy import Basis, Outcome
from jointcheck.trust.verify import Verification

HEALTH_CODE = "health-code"
CERTIFICATE = "certificate"
_CERTIFICATES = frozenset({CredentialType.VACCINATION, CredentialType.EXEMPTION})
_FINAL_BASES = frozenset({Basis.CREDENTIAL_INVALID, Basis.HOLDER_MISMATCH, Basis.CODE_COLOR})


def still_needed(decision: Decision, verifications: Sequence[Verification]) -> tuple[str, ...]:
    """Return the kinds of code that could still change ``decision`` (empty: it is final)."""
    if decision.basis in _FINAL_BASES:
        return ()
    if decision.basis is Basis.CREDENTIAL_MISSING:
        return (HEALTH_CODE,)
    if decision.outcome is Outcome.ADMIT:
        return ()
    for result in verifications:
        credential = result.credential
        if credential is not None and credential.type in _CERTIFICATES:
            return ()
    return (CERTIFICATE,)


def answer_fields(decision: Decision, verifications: Sequence[Verification],
                  needs: Sequence[str]) -> dict[str, Any]:
    """Return what a checkpoint shows: the decision, the reason, name and birth year only.

    Each credential is listed by type and verdict, never with its content.
    """
    return decision_fields(decision) | {
        "needs": list(needs),
        "final": not needs,
        "credentials": [{"type": v.credential.type.value if v.credential else None,
                         "valid": v.valid, "code": v.code, "stage": v.stage}
                        for v in verifications],
    }
