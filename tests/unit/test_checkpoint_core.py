"""The checkpoint's pure core: the events' wire format, what a scan still needs, the bundle."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509

from jointcheck.checkpoint.answer import answer_fields, still_needed
from jointcheck.checkpoint.events import (
    event_json,
    hour_of,
    new_event_id,
    parse_event,
    parse_registration,
    registration_json,
)
from jointcheck.checkpoint.policy_bundle import build_policy_bundle, load_policy_bundle
from jointcheck.credentials.model import CodeColor
from jointcheck.credentials.payloads import Holder
from jointcheck.errors import EventError, PolicyError
from jointcheck.policy_sources import find_pack
from jointcheck.rules.decision import decide
from jointcheck.trust.issuer import Issuer
from jointcheck.trust.signatures import PrivateKey
from jointcheck.trust.store import TrustStore
from jointcheck.trust.verify import verify

AT = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


def event(**changes: Any) -> dict[str, Any]:
    document = {"id": "0b6b2f6c-3f1e-4a53-9d3e-2f0a4c1e9b77", "venue_id": "v-mall-1",
                "checked_at": "2024-06-01T17:05:09.250+08:00", "outcome": "persuade",
                "basis": "unvaccinated", "rule": "ordinary.unvaccinated",
                "policy": {"id": "fangzi-2021", "version": "1.0.0"}}
    return document | changes


def registration(**changes: Any) -> dict[str, Any]:
    document = {"event_id": "0b6b2f6c-3f1e-4a53-9d3e-2f0a4c1e9b77", "venue_id": "v-mall-1",
                "registered_at": "2024-06-01T09:06:00Z", "outcome": "persuade",
                "name": "张伟", "id_number": "110101199003070011", "phone": "138 0000 0000",
                "reason": "visiting a relative"}
    return document | changes


def test_an_event_round_trips_in_utc_and_counts_in_its_hour() -> None:
    parsed = parse_event(event())
    assert parsed.checked_at == datetime(2024, 6, 1, 9, 5, 9, 250000, tzinfo=UTC)
    assert hour_of(parsed.checked_at) == datetime(2024, 6, 1, 9, tzinfo=UTC)
    assert parse_event(event_json(parsed)) == parsed
    assert event_json(parsed)["checked_at"] == "2024-06-01T09:05:09.250Z"
    assert parse_registration(registration_json(parse_registration(registration()))) \
        == parse_registration(registration())
    assert parse_event(event(id=new_event_id())).id != parsed.id


@pytest.mark.parametrize(("changes", "code", "says"), [
    ({"id": "not-a-uuid"}, "event-id-invalid", "UUID"),
    ({"id": "0B6B2F6C-3F1E-4A53-9D3E-2F0A4C1E9B77"}, "event-id-invalid", "lower-case"),
    ({"checked_at": "2024-06-01T09:05:09"}, "event-time-invalid", "no time zone"),
    ({"checked_at": "yesterday"}, "event-time-invalid", "not an ISO 8601"),
    ({"outcome": "maybe"}, "event-invalid", "outcome"),
    ({"basis": None}, "event-invalid", "basis"),
    ({"venue_id": "../etc"}, "event-invalid", "venue_id"),
    ({"rule": ""}, "event-invalid", "rule"),
    ({"policy": "fangzi"}, "event-invalid", "policy"),
])
def test_a_malformed_event_is_refused_by_field(changes: dict[str, Any], code: str,
                                               says: str) -> None:
    with pytest.raises(EventError) as refused:
        parse_event(event(**changes))
    assert refused.value.code == code
    assert says in refused.value.message


@pytest.mark.parametrize(("changes", "says"), [
    ({"outcome": "admit"}, "takes no registration"),
    ({"phone": "call me"}, "not a phone number"),
    ({"name": "  "}, "name must be a non-empty string"),
    ({"reason": "x" * 301}, "longer than 300"),
    ({"name": "a\nb"}, "control characters"),
])
def test_a_malformed_registration_is_refused(changes: dict[str, Any], says: str) -> None:
    with pytest.raises(EventError) as refused:
        parse_registration(registration(**changes))
    assert refused.value.code == "registration-invalid"
    assert says in refused.value.message


def test_what_a_scan_still_needs(issuer: Issuer, store: TrustStore) -> None:
    pack = find_pack("fangzi-2021")
    at = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    adult = Holder.parse("张 伟", "1990-03-07", pid="p1-" + "a" * 26)
    child = Holder.parse("张 小", "2016-03-07", pid="p1-" + "b" * 26)

    def needs(*codes: str) -> tuple[str, ...]:
        verifications = [verify(code, store, at + timedelta(minutes=1)) for code in codes]
        decision = decide(pack, verifications, "mall-supermarket", at + timedelta(minutes=1))
        fields = answer_fields(decision, verifications, still_needed(decision, verifications))
        assert fields["final"] == (not fields["needs"])
        return tuple(fields["needs"])

    green = issuer.health_code(adult, color=CodeColor.GREEN, at=at).text
    red = issuer.health_code(adult, color=CodeColor.RED, at=at).text
    dose = issuer.vaccination(adult, dose=2, series=2, when=date(2021, 6, 1), at=at).text
    assert needs(dose) == ("health-code",)
    assert needs(green) == ("certificate",)  # unvaccinated so far: a certificate may admit
    assert needs(green, dose) == ()
    assert needs(red) == ()  # a red code denies whatever is shown next
    assert needs(green[:-6] + "AAAAAA") == ()  # a forged code is final
    assert needs(issuer.health_code(child, color=CodeColor.GREEN, at=at).text) == ()
    assert needs(green, issuer.vaccination(child, dose=1, series=2, when=date(2021, 6, 1),
                                           at=at).text) == ()  # another person's: final


def test_the_policy_bundle_refuses_what_is_not_one(anchor: x509.Certificate,
                                                   anchor_key: PrivateKey) -> None:
    pack = find_pack("yubei-2021")
    bundle = build_policy_bundle(pack.document, issuer="Fangzi CDC", issued_at=AT,
                                 anchor_key=anchor_key)
    assert load_policy_bundle(bundle, anchor).pack.id == "yubei-2021"
    for broken, code in (({"format": "other"}, "policy-bundle-invalid"),
                         ({"signature": None}, "policy-bundle-unsigned"),
                         ({"signature": {"alg": "ES256", "value": "%%"}},
                          "policy-bundle-invalid"),
                         ({"issuer": "someone else"}, "policy-bundle-signature")):
        with pytest.raises(PolicyError) as refused:
            load_policy_bundle(bundle | broken, anchor)
        assert refused.value.code == code
    with pytest.raises(PolicyError) as not_json:
        load_policy_bundle([bundle], anchor)
    assert not_json.value.code == "policy-bundle-invalid"
