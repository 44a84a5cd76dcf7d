"""Foreign visitors: a SMART Health Card or a real EU DCC, with a health code of our issuer.

The visitor's certificate is verified against its own issuer's key (a JWKS, or the DCC's
document signer certificate) in the same trust store as our health-code signer.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from test_shc import CVX, ISS, bundle, immunization, make_jws, payload, public_jwk

from jointcheck.clock import parse_instant
from jointcheck.credentials.model import CodeColor
from jointcheck.credentials.payloads import Holder
from jointcheck.credentials.shc_qr import jws_to_numeric
from jointcheck.rules.decision import Decision, decide
from jointcheck.rules.pack_files import shipped_pack
from jointcheck.rules.scenarios import scenario_keys
from jointcheck.trust.certificates import load_certificate, trusted_key
from jointcheck.trust.issuer import Issuer
from jointcheck.trust.jwks import load_jwks
from jointcheck.trust.store import TrustStore
from jointcheck.trust.verify import verify

# The card's Patient (see test_shc.bundle): Zhang, Wei Li, born 1980-02-03.
VISITOR = Holder.parse("Zhang Wei Li", "1980-02-03", pid="pid-visitor-000000001")


@pytest.fixture(scope="module")
def shc_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def card(key: ec.EllipticCurvePrivateKey, *codes: str) -> str:
    """A SMART Health Card (QR text) of one Immunization per CVX code, a month apart."""
    doses = [immunization(code, f"2021-0{5 + i}-01") for i, code in enumerate(codes)]
    body = payload()
    body["vc"]["credentialSubject"]["fhirBundle"] = bundle(*doses)
    jws = make_jws(key, public_jwk(key)["kid"], body)
    return "shc:/" + jws_to_numeric(jws)[5:]


def decide_at_door(texts: list[str], store: TrustStore, at: datetime,
                   venue: str = "mall-supermarket") -> Decision:
    return decide(shipped_pack("fangzi-2021"), [verify(t, store, at) for t in texts], venue, at)


@pytest.fixture
def shc_store(store: TrustStore, shc_key: ec.EllipticCurvePrivateKey) -> TrustStore:
    """The session trust list (our health-code signer) and the card issuer's JWKS."""
    store.merge(load_jwks({"keys": [public_jwk(shc_key)]}, issuer=ISS, source="test"))
    return store


def code_for(issuer: Issuer, holder: Holder, at: datetime) -> str:
    return issuer.health_code(holder, color=CodeColor.GREEN, at=at - timedelta(minutes=1)).text


def test_smart_health_card_with_comirnaty_admits_vaccinated(
    issuer: Issuer, shc_store: TrustStore, shc_key: ec.EllipticCurvePrivateKey,
    check_at: datetime
) -> None:
    at = check_at  # after the card's nbf, while the session's health-code signer is valid
    shc = card(shc_key, "208", "208")
    assert verify(shc, shc_store, at).valid
    decision = decide_at_door([code_for(issuer, VISITOR, at), shc], shc_store, at)
    assert (decision.outcome.value, decision.basis.value) == ("admit", "vaccinated")
    assert decision.facts is not None
    assert decision.facts["vaccination"]["complete"] is True
    assert decision.holder is not None and decision.holder.birth_year == "1980"
    assert not decision.notes


def test_smart_health_card_with_codes_not_accepted_persuades(
    issuer: Issuer, shc_store: TrustStore, shc_key: ec.EllipticCurvePrivateKey,
    check_at: datetime
) -> None:
    at = check_at  # after the card's nbf, while the session's health-code signer is valid
    shc = card(shc_key, "213", "213")  # CVX 213: SARS-COV-2, unspecified formulation
    decision = decide_at_door([shc, code_for(issuer, VISITOR, at)], shc_store, at)
    assert (decision.outcome.value, decision.basis.value) == ("persuade", "unvaccinated")
    assert f"{CVX}|213" in " ".join(n.en for n in decision.notes)


def test_smart_health_card_of_someone_else_is_a_mismatch(
    issuer: Issuer, shc_store: TrustStore, shc_key: ec.EllipticCurvePrivateKey,
    check_at: datetime
) -> None:
    at = check_at  # after the card's nbf, while the session's health-code signer is valid
    other = Holder.parse("Zhang Wei Li", "1980-02-04", pid="pid-visitor-000000002")
    decision = decide_at_door([code_for(issuer, other, at), card(shc_key, "208", "208")],
                              shc_store, at)
    assert (decision.outcome.value, decision.basis.value) == ("deny", "holder-mismatch")


# ---- a real EU DCC from the conformance data -------------------------------------------------

# Cyprus test case 6: Comirnaty, dose 2 of 2 on 2021-06-02, expected to verify; its certificate
# is valid from 2021-06-02 to 2022-06-01 and its document signer until 2023-05-23, so both it and
# fangzi-2021 (in force from 2021-08-31) are valid on 2021-09-10.
DCC_CASE = "dcc-testdata/CY/2DCode/raw/6.json"
DCC_AT = parse_instant("2021-09-10T02:00:00Z")


@pytest.mark.conformance
def test_real_eu_dcc_with_comirnaty_admits_vaccinated(conformance_dir: Path) -> None:
    path = conformance_dir / DCC_CASE
    if not path.exists():
        pytest.skip(f"{DCC_CASE} is not in {conformance_dir}")
    case: dict[str, Any] = json.loads(path.read_text("utf-8"))
    dcc = case["JSON"]
    entry = dcc["v"][0]
    assert (entry["mp"], entry["dn"], entry["sd"]) == ("EU/1/20/1528", 2, 2)
    assert case["EXPECTEDRESULTS"].get("EXPECTEDVERIFY") is True
    certificate = load_certificate(case["TESTCTX"]["CERTIFICATE"].encode())

    issuer, store = scenario_keys(DCC_AT)
    store.add(trusted_key(certificate, "CY test DSC"))
    visitor = Holder.parse(f"{dcc['nam']['fn']}, {dcc['nam']['gn']}", dcc["dob"],
                           pid="pid-visitor-cy-00001")
    eu = verify(case["PREFIX"], store, DCC_AT)
    assert eu.valid, eu.message
    decision = decide_at_door([case["PREFIX"], code_for(issuer, visitor, DCC_AT)], store,
                              DCC_AT, "nursing-home")
    assert (decision.outcome.value, decision.basis.value) == ("admit", "vaccinated")
    assert decision.facts is not None and decision.facts["vaccination"]["complete"] is True
    meeting = decide_at_door([case["PREFIX"], code_for(issuer, visitor, DCC_AT)], store,
                             DCC_AT, "meeting")
    assert (meeting.outcome.value, meeting.rule) == ("admit", "meeting.vaccinated")
