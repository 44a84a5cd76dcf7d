"""What an issuer signs: strict schema, holder names, UVCIs, and the upstream DCC schema."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from jointcheck.credentials import payloads
from jointcheck.credentials.cwt import jsonable
from jointcheck.credentials.model import CodeColor, Subject, standardise_name
from jointcheck.credentials.payloads import (
    DCC_VERSION,
    UVCI_CHECK_ALPHABET,
    Holder,
    exemption_payload,
    health_code_body,
    name_block,
    recovery_payload,
    uvci,
    vaccination_payload,
)
from jointcheck.errors import SchemaError
from jointcheck.trust.verify import verify

CONFORMANCE_ENV = "JOINTCHECK_CONFORMANCE_DIR"
HOLDER = Holder.parse("Zhang Wei", "1990-05-17", pid="pid-zhang-wei-0001")
CID = "URN:UVCI:01:CN:FZCDC/ABCDEF234567#0"
COMMON = {"country": "CN", "certificate_id": CID}

def vaccination(**changes: Any) -> dict[str, Any]:
    options = {"dose": 1, "series": 2, "when": date(2024, 5, 1), "product": "BBIBP-CorV",
               "vaccine": "1157024006", "manufacturer": "ORG-100020693",
               "issuer": "Fangzi District CDC", **COMMON}
    holder = changes.pop("holder", HOLDER)
    return vaccination_payload(holder, **(options | changes))


def a_test(**changes: Any) -> dict[str, Any]:
    options = {"sampled_at": datetime(2024, 6, 1, 6, 30, tzinfo=UTC), "test_type": "LP6464-4",
               "result": "260415000", "issuer": "Fangzi District CDC", **COMMON}
    return payloads.test_payload(HOLDER, **(options | changes))


def recovery(**changes: Any) -> dict[str, Any]:
    options = {"first_positive": date(2024, 4, 1), "valid_from": date(2024, 4, 12),
               "valid_until": date(2024, 9, 28), "issuer": "Fangzi District CDC", **COMMON}
    return recovery_payload(HOLDER, **(options | changes))


def exemption(**changes: Any) -> dict[str, Any]:
    options = {"institution": "Fangzi People's Hospital", "institution_level": 2,
               "reason_category": "allergy", "valid_from": date(2024, 6, 1),
               "valid_until": date(2024, 8, 31), **COMMON}
    return exemption_payload(HOLDER, **(options | changes))


REFUSALS: dict[str, tuple[Callable[[], Any], str]] = {
    "dose-0": (lambda: vaccination(dose=0), "/v/0/dn"),
    "dose-10": (lambda: vaccination(dose=10), "/v/0/dn"),
    "series-0": (lambda: vaccination(series=0), "/v/0/sd"),
    "country-name": (lambda: vaccination(country="China"), "/v/0/co"),
    "country-lowercase": (lambda: vaccination(country="cn"), "/v/0/co"),
    "empty-issuer": (lambda: vaccination(issuer=""), "/v/0/is"),
    "empty-product": (lambda: vaccination(product=""), "/v/0/mp"),
    "not-a-uvci": (lambda: vaccination(certificate_id="12345"), "/v/0/ci"),
    "uvci-without-check": (lambda: vaccination(certificate_id=CID[:-2]), "/v/0/ci"),
    "unknown-disease": (lambda: vaccination(disease="covid"), "/v/0/tg"),
    "born-1850": (lambda: vaccination(holder=Holder.parse("Zhang Wei", "1850-01-01")), "/dob"),
    "name-without-letters": (lambda: vaccination(holder=Holder.parse("123", "1990-05-17")),
                             "/nam/fnt"),
    "test-type": (lambda: a_test(test_type="PCR"), "/t/0/tt"),
    "test-result": (lambda: a_test(result="positive"), "/t/0/tr"),
    "test-country": (lambda: a_test(country="CHN"), "/t/0/co"),
    "recovery-country": (lambda: recovery(country="C1"), "/r/0/co"),
    "exemption-level-0": (lambda: exemption(institution_level=0), "/e/0/il"),
    "exemption-level-4": (lambda: exemption(institution_level=4), "/e/0/il"),
    "exemption-reason": (lambda: exemption(reason_category="does not want to"), "/e/0/rc"),
    "health-code-pid": (lambda: health_code_body(
        Holder.parse("Zhang Wei", "1990-05-17", pid="has spaces in it!!"), CodeColor.GREEN),
        "/pid"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_issuance_schema_refuses_naming_the_path(case) -> None:
    build, path = REFUSALS[case]
    with pytest.raises(SchemaError) as caught:
        build()
    assert caught.value.code == "schema-invalid"
    assert caught.value.stage == "schema"
    assert caught.value.message.startswith(f"{path}: "), caught.value.message


def test_issuer_refuses_before_signing(issuer, issued_at) -> None:
    with pytest.raises(SchemaError) as caught:
        issuer.vaccination(HOLDER, dose=0, series=2, when=date(2024, 5, 1), at=issued_at)
    assert caught.value.message.startswith("/v/0/dn")


def test_exemption_cannot_end_before_it_starts() -> None:
    with pytest.raises(SchemaError) as caught:
        exemption(valid_from=date(2024, 6, 2), valid_until=date(2024, 6, 1))
    assert caught.value.code == "date-invalid"
    assert exemption(valid_from=date(2024, 6, 1), valid_until=date(2024, 6, 1))


def test_valid_payloads_have_the_dcc_structure() -> None:
    payload = vaccination()
    assert payload["ver"] == DCC_VERSION
    assert payload["dob"] == "1990-05-17"
    assert payload["nam"] == {"fn": "Zhang", "fnt": "ZHANG", "gn": "Wei", "gnt": "WEI"}
    assert payload["v"][0]["dt"] == "2024-05-01"
    assert a_test()["t"][0]["sc"] == "2024-06-01T06:30:00Z"
    beijing = datetime(2024, 6, 1, 22, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert a_test(sampled_at=beijing)["t"][0]["sc"] == "2024-06-01T14:30:00Z"
    assert recovery()["r"][0]["du"] == "2024-09-28"
    assert exemption()["e"][0] == {
        "tg": "840539006", "is": "Fangzi People's Hospital", "il": 2, "rc": "allergy",
        "df": "2024-06-01", "du": "2024-08-31", "co": "CN", "ci": CID}
    body = health_code_body(HOLDER, CodeColor.YELLOW)
    assert (body["col"], body["pid"]) == ("yellow", "pid-zhang-wei-0001")


# ---- holders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "family", "given"), [
    ("Zhang Wei", "Zhang", "Wei"),
    ("Zhang, Wei", "Zhang", "Wei"),
    ("  Zhang   Wei  ", "Zhang", "Wei"),
    ("van der Berg, Anna Maria", "van der Berg", "Anna Maria"),
    ("张伟", "张", "伟"),
    ("欧阳 娜娜", "欧阳", "娜娜"),
    ("欧阳娜娜", "欧", "阳娜娜"),  # without a space the first character is the family name
    ("Madonna", "Madonna", ""),
    ("张", "张", ""),
])
def test_holder_parse_forms(text, family, given) -> None:
    holder = Holder.parse(text, "1990-05-17", pid="p")
    assert (holder.family_name, holder.given_name) == (family, given)
    assert holder.birth_date == date(1990, 5, 17)
    assert holder.pid == "p"


@pytest.mark.parametrize(("text", "family_std", "given_std"), [
    ("张伟", "ZHANG", "WEI"),
    ("欧阳 娜娜", "OUYANG", "NANA"),
    ("吕 小雨", "LYU", "XIAOYU"),
    ("Müller-Lüdenscheidt, Jürgen", "MULLER<LUDENSCHEIDT", "JURGEN"),
    ("O'Neil, Mary Ann", "O<NEIL", "MARY<ANN"),
])
def test_names_are_standardised_for_the_dcc(text, family_std, given_std) -> None:
    block = name_block(Holder.parse(text, "1990-05-17"))
    assert (block["fnt"], block["gnt"]) == (family_std, given_std)


def test_single_name_has_no_given_name_block() -> None:
    assert name_block(Holder.parse("Madonna", "1958-08-16")) == {"fn": "Madonna",
                                                                 "fnt": "MADONNA"}


def test_standard_name_is_at_most_80_characters() -> None:
    assert len(standardise_name("A" * 200)) == 80


@pytest.mark.parametrize(("name", "born", "code"), [
    ("", "1990-05-17", "name-invalid"),
    ("   ", "1990-05-17", "name-invalid"),
    (", Wei", "1990-05-17", "name-invalid"),
    ("Zhang Wei", "1990-13-01", "date-invalid"),
    ("Zhang Wei", "17.05.1990", "date-invalid"),
    ("Zhang Wei", "", "date-invalid"),
])
def test_holder_parse_refusals(name, born, code) -> None:
    with pytest.raises(SchemaError) as caught:
        Holder.parse(name, born)
    assert caught.value.code == code


# ---- UVCI ------------------------------------------------------------------------------------


def test_uvci_shape() -> None:
    cid = uvci("cn", "fzcdc", "abc234")
    assert re.fullmatch(r"URN:UVCI:01:CN:FZCDC/ABC234#[0-9A-Z/:]", cid), cid
    assert uvci("CN", "FZCDC", "ABC234") == cid


@pytest.mark.parametrize("unique", ["ABC234", "XWUVTMJKTPKKIDS4", "37512422923"])
def test_uvci_check_character_catches_any_single_substitution(unique) -> None:
    cid = uvci("CN", "FZCDC", unique)
    body = cid[: cid.index("#")]
    start = body.index("/") + 1
    for i in range(start, len(body)):
        for replacement in UVCI_CHECK_ALPHABET:
            if replacement == body[i]:
                continue
            changed = body[:i] + replacement + body[i + 1:]
            assert uvci("CN", "FZCDC", changed[start:])[-1] != cid[-1], changed


@pytest.mark.parametrize("unique", ["ABC234", "XWUVTMJKTPKKIDS4", "AB"])
def test_uvci_check_character_catches_adjacent_transpositions(unique) -> None:
    cid = uvci("CN", "FZCDC", unique)
    for i in range(len(unique) - 1):
        a, b = unique[i], unique[i + 1]
        # Luhn mod N cannot see the first and last characters of its charset swapped.
        if a == b or {a, b} == {UVCI_CHECK_ALPHABET[0], UVCI_CHECK_ALPHABET[-1]}:
            continue
        swapped = unique[:i] + b + a + unique[i + 2:]
        assert uvci("CN", "FZCDC", swapped)[-1] != cid[-1], swapped


def test_reference_luhn_mod_n_reproduces_the_dcc_faq_example(uvci_check_character) -> None:
    # ehn-dcc-schema FAQ, "UVCI checksum": URN:UVCI:01:NL:187/37512422923 -> Z.
    assert uvci_check_character("URN:UVCI:01:NL:187/37512422923") == "Z"


def test_uvci_check_character_follows_the_dcc_faq() -> None:
    # Regression: it used to be Luhn mod 36 over 0-9A-Z without the prefix (#O here).
    assert uvci("NL", "187", "37512422923") == "URN:UVCI:01:NL:187/37512422923#Z"


@pytest.mark.parametrize("unique", ["ABC234", "XWUVTMJKTPKKIDS4", "2024/06/01/0001"])
def test_uvci_check_character_is_luhn_mod_38_over_the_whole_uvci(uvci_check_character,
                                                                 unique) -> None:
    cid = uvci("CN", "FZCDC", unique)
    body, check = cid.rsplit("#", 1)
    assert check == uvci_check_character(body)


def test_issued_certificate_ids_carry_a_valid_check_character(issuer,
                                                              uvci_check_character) -> None:
    for _ in range(20):
        cid = issuer.new_certificate_id()
        body, check = cid.rsplit("#", 1)
        assert check == uvci_check_character(body), cid


# ---- the upstream DCC schema -----------------------------------------------------------------


def conformance_root() -> Path:
    """Return where ../shared/conformance should be (as tests/conformance/conftest.py does)."""
    configured = os.environ.get(CONFORMANCE_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(__file__).resolve().parents[2].parent / "shared" / "conformance"


@pytest.fixture(scope="module")
def dcc_schema() -> Draft202012Validator:
    path = conformance_root() / "dcc-schema" / "DCC.combined-schema.json"
    if not path.is_file():
        pytest.skip(f"upstream DCC schema not found at {path} (set {CONFORMANCE_ENV}); "
                    "the issuance schema tests above still run")
    schema = json.loads(path.read_text("utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_issued_certificates_satisfy_the_upstream_dcc_schema(dcc_schema, issuer, holder,
                                                             shared_store, issued_at,
                                                             check_at) -> None:
    issued = [
        issuer.vaccination(holder, dose=1, series=2, when=date(2024, 5, 1), at=issued_at),
        issuer.test(holder, sampled_at=issued_at - timedelta(hours=2), at=issued_at,
                    centre="Fangzi test site"),
        issuer.recovery(holder, first_positive=date(2024, 4, 1), valid_from=date(2024, 4, 12),
                        valid_until=date(2024, 9, 28), at=issued_at),
        issuer.vaccination(Holder.parse("Müller-Lüdenscheidt, Jürgen", "1961-12-01"), dose=3,
                           series=3, when=date(2024, 1, 15), at=issued_at),
    ]
    for certificate in issued:
        result = verify(certificate.text, shared_store, check_at)
        assert result.valid, result.message
        payload = jsonable(dict(result.credential.payload))
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in dcc_schema.iter_errors(payload)]
        assert errors == [], (certificate.type, errors)


def test_upstream_schema_is_not_a_rubber_stamp(dcc_schema) -> None:
    payload = vaccination()
    payload["v"][0]["dn"] = "one"
    assert not dcc_schema.is_valid(payload)
    del payload["nam"]
    assert not dcc_schema.is_valid(payload)


@pytest.mark.parametrize(("family", "given", "shown"), [
    ("张", "伟", "张伟"), ("欧阳", "娜娜", "欧阳娜娜"), ("Müller", "Anna", "Müller Anna"),
    ("", "Madonna", "Madonna"),
])
def test_display_name_writes_chinese_names_together(family: str, given: str, shown: str) -> None:
    subject = Subject(family, given, "", "", "1990-01-01")
    assert subject.display_name == shown
