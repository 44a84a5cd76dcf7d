"""Health codes: colour, short life, their own prefix, and matching the holder of a certificate."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from jointcheck.credentials.health_code import HEALTH_CODE_CLAIM
from jointcheck.credentials.model import (
    CodeColor,
    CredentialType,
    HealthCodeEntry,
    Subject,
    same_holder,
)
from jointcheck.credentials.payloads import Holder, health_code_body
from jointcheck.errors import KeyStoreError, SchemaError
from jointcheck.trust.issuer import HEALTH_CODE_TTL
from jointcheck.trust.revocation import certificate_id_hash
from jointcheck.trust.verify import Verification, verify


def refused(result: Verification, stage: str, code: str) -> None:
    assert not result.valid
    assert (result.stage, result.code) == (stage, code), result.message


def subject(family: str, given: str, birth_date: str, pid: str | None = None) -> Subject:
    return Subject(family, given, "", "", birth_date, pid)


@pytest.mark.parametrize("color", list(CodeColor))
def test_health_code_reads_back_its_colour(issuer, holder, shared_store, issued_at, color,
                                           health_code_signer) -> None:
    issued = issuer.health_code(holder, color=color, at=issued_at)
    assert issued.text.startswith("HCODE1:")
    assert issued.type is CredentialType.HEALTH_CODE
    assert issued.kid == health_code_signer.kid
    result = verify(issued.text, shared_store, issued_at + timedelta(minutes=1))
    assert result.valid, result.message
    assert result.format == "health-code"
    credential = result.credential
    assert credential.type is CredentialType.HEALTH_CODE
    (entry,) = credential.entries
    assert isinstance(entry, HealthCodeEntry)
    assert entry.color is color
    assert re.fullmatch(r"[0-9a-f]{32}", entry.code_id)
    assert entry.code_id == credential.certificate_id == issued.certificate_id
    assert credential.subject.pid == holder.pid
    assert (credential.subject.family_std, credential.subject.given_std) == ("ZHANG", "WEI")
    assert credential.subject.birth_date == "1990-05-17"
    assert credential.expires_at == issued_at + HEALTH_CODE_TTL


def test_every_code_has_its_own_id(issuer, holder, issued_at) -> None:
    ids = {issuer.health_code(holder, color=CodeColor.GREEN, at=issued_at).certificate_id
           for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize("ttl", [timedelta(minutes=10), timedelta(minutes=30), timedelta(days=1)])
def test_replayed_code_after_its_ttl_is_expired(issuer, holder, shared_store, issued_at,
                                                ttl) -> None:
    issued = issuer.health_code(holder, color=CodeColor.GREEN, at=issued_at, ttl=ttl)
    assert issued.expires_at == issued_at + ttl
    assert verify(issued.text, shared_store, issued_at + ttl).valid
    result = verify(issued.text, shared_store, issued_at + ttl + timedelta(seconds=1))
    refused(result, "validity", "expired")
    assert "health code" in result.message
    # The screenshot still shows the colour and holder, but the verdict is the expiry.
    assert result.credential is not None
    assert result.credential.entries[0].color is CodeColor.GREEN


@pytest.mark.parametrize("ttl", [timedelta(0), timedelta(seconds=-1),
                                 timedelta(days=1, seconds=1), timedelta(days=7)])
def test_ttl_outside_a_second_to_a_day_is_refused(issuer, holder, issued_at, ttl) -> None:
    with pytest.raises(KeyStoreError) as caught:
        issuer.health_code(holder, color=CodeColor.RED, at=issued_at, ttl=ttl)
    assert caught.value.code == "ttl-invalid"


def test_shortest_ttl_is_accepted(issuer, holder, shared_store, issued_at) -> None:
    issued = issuer.health_code(holder, color=CodeColor.RED, at=issued_at,
                                ttl=timedelta(seconds=1))
    assert verify(issued.text, shared_store, issued_at + timedelta(seconds=1)).valid
    refused(verify(issued.text, shared_store, issued_at + timedelta(seconds=2)),
            "validity", "expired")


def test_health_code_needs_a_pseudonymous_id(issuer, issued_at) -> None:
    anonymous = Holder.parse("张伟", "1990-05-17")
    with pytest.raises(SchemaError) as caught:
        issuer.health_code(anonymous, color=CodeColor.GREEN, at=issued_at)
    assert caught.value.code == "pid-missing"
    with pytest.raises(SchemaError) as caught:
        health_code_body(Holder.parse("张伟", "1990-05-17", pid="short"), CodeColor.GREEN)
    assert caught.value.code == "schema-invalid"
    assert caught.value.message.startswith("/pid")


def test_health_code_is_not_a_certificate(issuer, holder, shared_store, issued_at) -> None:
    code = issuer.health_code(holder, color=CodeColor.GREEN, at=issued_at)
    as_certificate = "HC1:" + code.text.removeprefix("HCODE1:")
    refused(verify(as_certificate, shared_store, issued_at), "payload", "payload-invalid")


def test_certificate_is_not_a_health_code(vaccination, shared_store, check_at) -> None:
    as_code = "HCODE1:" + vaccination.text.removeprefix("HC1:")
    refused(verify(as_code, shared_store, check_at), "payload", "payload-invalid")


def test_certificate_signer_cannot_sign_health_codes(cose, dcc_signer, holder, store_for,
                                                     issued_at) -> None:
    body = health_code_body(holder, CodeColor.GREEN)
    claims = {1: "CN", 6: int(issued_at.timestamp()),
              4: int((issued_at + timedelta(minutes=10)).timestamp()),
              7: b"\x01" * 16, HEALTH_CODE_CLAIM: body}
    text = cose.signed_by(dcc_signer, claims, prefix="HCODE1:")
    refused(verify(text, store_for([dcc_signer]), issued_at), "trust", "key-usage")


@pytest.mark.parametrize(("claim", "value"), [
    ("col", "blue"), ("pid", ""), ("cti", None), ("exp", None),
])
def test_malformed_health_code_claims_are_refused(cose, health_code_signer, holder, store_for,
                                                  issued_at, claim, value) -> None:
    body = dict(health_code_body(holder, CodeColor.GREEN))
    claims = {1: "CN", 6: int(issued_at.timestamp()),
              4: int((issued_at + timedelta(minutes=10)).timestamp()),
              7: b"\x01" * 16, HEALTH_CODE_CLAIM: body}
    if claim in body:
        body[claim] = value
    else:
        del claims[{"cti": 7, "exp": 4}[claim]]
    text = cose.signed_by(health_code_signer, claims, prefix="HCODE1:")
    refused(verify(text, store_for([health_code_signer]), issued_at), "payload",
            "payload-invalid")


def test_revoked_health_code_is_refused(issuer, holder, signers, store_for, issued_at) -> None:
    code = issuer.health_code(holder, color=CodeColor.GREEN, at=issued_at)
    store = store_for(signers, revoked=[certificate_id_hash(code.certificate_id)])
    refused(verify(code.text, store, issued_at), "revocation", "revoked")


# ---- the same person -------------------------------------------------------------------------


def test_health_code_and_certificate_of_the_same_person_match(issuer, holder, shared_store,
                                                              vaccination, issued_at,
                                                              check_at) -> None:
    code = issuer.health_code(holder, color=CodeColor.GREEN, at=issued_at)
    a = verify(code.text, shared_store, issued_at).credential.subject
    b = verify(vaccination.text, shared_store, check_at).credential.subject
    assert a.pid is not None and b.pid is None
    assert same_holder(a, b) and same_holder(b, a)


def test_chinese_code_matches_a_passport_spelling_certificate(issuer, holder, shared_store,
                                                              issued_at) -> None:
    code = issuer.health_code(holder, color=CodeColor.GREEN, at=issued_at)
    passport = issuer.vaccination(Holder.parse("ZHANG, WEI", "1990-05-17"), dose=1, series=2,
                                  when=date(2024, 5, 1), at=issued_at)
    a = verify(code.text, shared_store, issued_at).credential.subject
    b = verify(passport.text, shared_store, issued_at).credential.subject
    assert same_holder(a, b)


@pytest.mark.parametrize(("name", "born"), [
    ("李娜", "1990-05-17"),
    ("张伟", "1990-05-18"),
    ("张娜", "1990-05-17"),
    ("王伟", "1990-05-17"),
], ids=["other-person", "namesake-born-a-day-later", "other-given-name", "other-family-name"])
def test_certificate_of_another_person_does_not_match(issuer, holder, shared_store, issued_at,
                                                      name, born) -> None:
    code = issuer.health_code(holder, color=CodeColor.GREEN, at=issued_at)
    other = issuer.vaccination(Holder.parse(name, born), dose=1, series=2,
                               when=date(2024, 5, 1), at=issued_at)
    a = verify(code.text, shared_store, issued_at).credential.subject
    b = verify(other.text, shared_store, issued_at).credential.subject
    assert not same_holder(a, b)
    assert not same_holder(b, a)


def test_homophone_names_match_as_a_passport_would(issuer, holder, shared_store,
                                                   issued_at) -> None:
    # 章伟 and 张伟 are both ZHANG WEI: without a pid, only what a passport shows is compared.
    code = issuer.health_code(holder, color=CodeColor.GREEN, at=issued_at)
    other = issuer.vaccination(Holder.parse("章伟", "1990-05-17"), dose=1, series=2,
                               when=date(2024, 5, 1), at=issued_at)
    a = verify(code.text, shared_store, issued_at).credential.subject
    b = verify(other.text, shared_store, issued_at).credential.subject
    assert same_holder(a, b)


def test_pseudonymous_ids_decide_when_both_carry_one() -> None:
    a = subject("张", "伟", "1990-05-17", pid="pid-a-000000000001")
    same_name_other_pid = subject("张", "伟", "1990-05-17", pid="pid-b-000000000002")
    other_name_same_pid = subject("李", "娜", "1985-01-01", pid="pid-a-000000000001")
    assert not same_holder(a, same_name_other_pid)
    assert same_holder(a, other_name_same_pid)
    # With a pid on one side only, names and birth date decide.
    no_pid = subject("张", "伟", "1990-05-17")
    assert same_holder(a, no_pid) and same_holder(no_pid, a)


@pytest.mark.parametrize(("partial", "full", "expected"), [
    ("1990", "1990-05-17", True),
    ("1990-05", "1990-05-17", True),
    ("1990-05-17", "1990", True),
    ("1991", "1990-05-17", False),
    ("1990-06", "1990-05-17", False),
    ("", "1990-05-17", False),
    ("199", "1990-05-17", False),
])
def test_partial_birth_date_matches_its_year(partial, full, expected) -> None:
    a = subject("张", "伟", partial)
    b = subject("张", "伟", full)
    assert same_holder(a, b) is expected


def test_names_are_compared_in_standard_form() -> None:
    latin = Subject("Zhang", "Wei", "ZHANG", "WEI", "1990-05-17")
    hanzi = subject("张", "伟", "1990-05-17")  # no standard form given: derived from the name
    other = subject("王", "伟", "1990-05-17")
    assert same_holder(latin, hanzi)
    assert not same_holder(latin, other)
    # A missing given name on one side does not decide against a match.
    family_only = Subject("", "", "ZHANG", "", "1990-05-17")
    assert same_holder(latin, family_only)
