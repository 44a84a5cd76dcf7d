"""Which signer issues: the newest valid one for the type, the last added on a tie."""

from __future__ import annotations

from typing import Any

from tests.unit.conftest import HEALTH_CODE, ISSUED_AT, T0

from jointcheck.credentials.model import CredentialType
from jointcheck.trust.issuer import Issuer, IssuerProfile


def test_of_two_signers_made_in_the_same_second_the_last_added_signs(new_signer: Any) -> None:
    first, second = new_signer(HEALTH_CODE, not_before=T0), new_signer(HEALTH_CODE, not_before=T0)
    assert first.certificate.not_valid_before_utc == second.certificate.not_valid_before_utc
    issuer = Issuer(IssuerProfile(), [first, second])
    assert issuer.signer_for(CredentialType.HEALTH_CODE, ISSUED_AT) is second
    assert Issuer(IssuerProfile(), [second, first]).signer_for(
        CredentialType.HEALTH_CODE, ISSUED_AT) is first
