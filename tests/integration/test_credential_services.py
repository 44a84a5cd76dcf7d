"""Issuing from the registry and setting health-code colours, with a second user for red and
yellow, audited, and verifiable by a checkpoint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from jointcheck.clock import FixedClock
from jointcheck.config import RegistryKeys
from jointcheck.errors import AccessDenied, JointcheckError
from jointcheck.keystore import KeyStore, init_keystore
from jointcheck.registry.people import Contraindication
from jointcheck.rules.decision import decide
from jointcheck.rules.pack_files import shipped_pack
from jointcheck.security.access import Principal, Role
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services import audit
from jointcheck.services.audit import AuditTrail
from jointcheck.services.health_codes import (
    approve_color_change,
    color_history,
    reject_color_change,
    request_color_change,
)
from jointcheck.services.issuance import (
    IssuingKeys,
    issue_exemption_certificate,
    issue_health_code,
    issue_vaccination_certificate,
    revoke_credential,
)
from jointcheck.services.registry_import import import_residents, import_vaccinations
from jointcheck.storage.db import unit_of_work
from jointcheck.storage.repositories.residents import ContraindicationRepository
from jointcheck.trust.issuer import IssuerProfile
from jointcheck.trust.trustlist import load_trust_list
from jointcheck.trust.verify import verify
from tests.integration.conftest import AT, TZ, Database, write

AUDIT_KEY = b"a" * 32
CLOCK = FixedClock(AT)
AUTHORITY = Principal("authority", Role.HEALTH_AUTHORITY, "fz")
APPROVER = Principal("approver", Role.HEALTH_AUTHORITY, "fz")
STREET_TWO = Principal("street2", Role.STREET_OFFICER, "fz.s02")
ZHANG, LI = "110101199003070011", "110101198501020022"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    return init_keystore(tmp_path_factory.mktemp("keys"), b"passphrase-123", AT - timedelta(days=1),
                         IssuerProfile())


@pytest.fixture
def district(areas: Database, keys: RegistryKeys, tmp_path: Path) -> Database:
    with unit_of_work(areas.sessions) as session:
        import_residents(session, write(tmp_path / "r.csv", f"""
            id_number,name,sex,birth_date,phone,address,area
            {ZHANG},张伟,男,1990-03-07,,,fz.s01.c01.g01
            {LI},李娜,F,1985-01-02,,,fz.s01.c02
            """), keys, AT, TZ)
        import_vaccinations(session, write(tmp_path / "v.csv", f"""
            id_number,product,dose_number,series_total,date,site,lot
            {ZHANG},BBIBP-CorV,1,2,2021-05-01,Fangzi CDC,L1
            {ZHANG},BBIBP-CorV,2,2,2021-06-01,Fangzi CDC,L2
            """), keys, AT, TZ)
        ContraindicationRepository(session).add(Contraindication(
            pid(LI, keys), "Fangzi People's Hospital", 2, "allergy", date(2026, 1, 1),
            date(2027, 1, 1), "URN:UVCI:01:CN:FZ/EX1"))
    return areas


def pid(number: str, keys: RegistryKeys) -> str:
    return pseudonymise(number, keys.pseudonym_key)


@pytest.fixture
def work(district: Database) -> Iterator[tuple[object, AuditTrail]]:
    with unit_of_work(district.sessions) as session:
        yield session, AuditTrail(session, AUDIT_KEY, CLOCK)


def test_issued_credentials_verify_and_decide(district: Database, keys: RegistryKeys,
                                              store: KeyStore) -> None:
    signing = IssuingKeys(store.issuer(), keys.cipher)
    with unit_of_work(district.sessions) as session:
        trail = AuditTrail(session, AUDIT_KEY, CLOCK)
        code = issue_health_code(session, trail, signing, AUTHORITY, pid(ZHANG, keys))
        certificate = issue_vaccination_certificate(session, trail, signing, AUTHORITY,
                                                    pid(ZHANG, keys))
    trust = load_trust_list(store.trust_list_path.read_bytes(), [store.anchor]).store
    results = [verify(text, trust, AT) for text in (code.text, certificate.text)]
    assert all(r.valid for r in results), [r.code for r in results]
    decision = decide(shipped_pack("fangzi-2021"), results, "nursing-home", AT)
    assert (decision.outcome.value, decision.basis.value) == ("admit", "vaccinated")
    assert decision.holder is not None and decision.holder.name == "张伟"
    with district.session() as session:
        assert audit.verify(session, AUDIT_KEY).count == 2


def test_a_red_code_needs_a_second_user_and_the_resident_sees_why(
        district: Database, keys: RegistryKeys, store: KeyStore) -> None:
    person = pid(ZHANG, keys)
    resident = Principal("zhang", Role.RESIDENT, person)
    with unit_of_work(district.sessions) as session:
        trail = AuditTrail(session, AUDIT_KEY, CLOCK)
        change = request_color_change(session, trail, AUTHORITY, person, "red",
                                      "close contact of a confirmed case")
        assert change.status == "pending"
        with pytest.raises(AccessDenied) as same:
            approve_color_change(session, trail, AUTHORITY, change.id)
        assert same.value.code == "same-approver"
        assert approve_color_change(session, trail, APPROVER, change.id).status == "applied"
        color, history = color_history(session, trail, resident, person)
    assert color == "red"
    assert [(h.to_color, h.reason, h.requested_by, h.decided_by) for h in history] == [
        ("red", "close contact of a confirmed case", "authority", "approver")]
    signing = IssuingKeys(store.issuer(), keys.cipher)
    with unit_of_work(district.sessions) as session:
        code = issue_health_code(session, AuditTrail(session, AUDIT_KEY, CLOCK), signing,
                                 resident, person)
    trust = load_trust_list(store.trust_list_path.read_bytes(), [store.anchor]).store
    decision = decide(shipped_pack("fangzi-2021"), [verify(code.text, trust, AT)], "office", AT)
    assert (decision.outcome.value, decision.basis.value) == ("deny", "code-color")


def test_colour_changes_refused(district: Database, keys: RegistryKeys) -> None:
    person = pid(ZHANG, keys)
    with unit_of_work(district.sessions) as session:
        trail = AuditTrail(session, AUDIT_KEY, CLOCK)
        for color, reason, code in (("red", "  ", "reason-missing"),
                                    ("green", "all clear", "no-change"),
                                    ("blue", "a reason", "color-unknown")):
            with pytest.raises(JointcheckError) as caught:
                request_color_change(session, trail, AUTHORITY, person, color, reason)
            assert caught.value.code == code
        with pytest.raises(AccessDenied):  # a street officer of another street
            request_color_change(session, trail, STREET_TWO, person, "yellow", "travel")
        pending = request_color_change(session, trail, AUTHORITY, person, "yellow", "travel")
        rejected = reject_color_change(session, trail, APPROVER, pending.id, "no evidence")
        assert rejected.status == "rejected"
        with pytest.raises(JointcheckError) as decided:
            approve_color_change(session, trail, APPROVER, pending.id)
        assert decided.value.code == "change-decided"


def test_a_resident_issues_only_their_own(district: Database, keys: RegistryKeys,
                                          store: KeyStore) -> None:
    signing = IssuingKeys(store.issuer(), keys.cipher)
    li = Principal("li", Role.RESIDENT, pid(LI, keys))
    with unit_of_work(district.sessions) as session:
        trail = AuditTrail(session, AUDIT_KEY, CLOCK)
        exemption = issue_exemption_certificate(session, trail, signing, li, pid(LI, keys))
        with pytest.raises(AccessDenied):
            issue_health_code(session, trail, signing, li, pid(ZHANG, keys))
        with pytest.raises(JointcheckError) as none:
            issue_vaccination_certificate(session, trail, signing, li, pid(LI, keys))
        assert none.value.code == "no-vaccination"
    trust = load_trust_list(store.trust_list_path.read_bytes(), [store.anchor]).store
    assert verify(exemption.text, trust, AT).valid


def test_a_revoked_certificate_is_refused_by_the_new_trust_list(
        district: Database, keys: RegistryKeys, tmp_path: Path) -> None:
    store = init_keystore(tmp_path / "ks", b"passphrase-123", AT - timedelta(days=1),
                          IssuerProfile())
    signing = IssuingKeys(store.issuer(), keys.cipher)
    with unit_of_work(district.sessions) as session:
        trail = AuditTrail(session, AUDIT_KEY, CLOCK)
        issued = issue_vaccination_certificate(session, trail, signing, AUTHORITY,
                                               pid(ZHANG, keys))
        revoke_credential(session, trail, store, AUTHORITY, issued.certificate_id)
    trust = load_trust_list(store.trust_list_path.read_bytes(), [store.anchor]).store
    assert verify(issued.text, trust, AT).code == "revoked"
