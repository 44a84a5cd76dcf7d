"""A pack's scenario table, run end to end: issue real credentials, verify them, decide.

Each scenario of a pack names a person (age, doses, exemption, health-code colour), what is
wrong with the credentials if anything (a forged one, someone else's, a replayed health code)
and the venue category, with the outcome and basis the pack's authors expect. The runner
signs the credentials with a key it is given, verifies them against a trust store exactly as
a checkpoint does, and decides: a scenario passes only through the real pipeline.

A forgery keeps the issuer's signature but changes the signed claims (as someone editing a
certificate would), so verification refuses it at the signature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import cbor2

from jointcheck.credentials.cose import build_sign1
from jointcheck.credentials.cwt import CLAIM_IAT, open_envelope, seal
from jointcheck.credentials.model import CodeColor, CredentialType
from jointcheck.credentials.payloads import Holder
from jointcheck.rules.decision import Decision, decide
from jointcheck.rules.policy import PolicyPack
from jointcheck.trust.certificates import make_anchor, make_signer, new_private_key, trusted_key
from jointcheck.trust.issuer import Issuer, IssuerProfile, Signer
from jointcheck.trust.store import TrustStore
from jointcheck.trust.verify import verify

_HOLDER = ("张伟", "ZHANG<WEI")
_OTHER = ("李娜", "LI<NA")
CODE_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """A scenario, what the pack's authors expect, and what the decision was."""

    name: str
    venue: str
    expected_outcome: str
    expected_basis: str
    decision: Decision

    @property
    def passed(self) -> bool:
        """Tell whether the decision is the one expected."""
        return (self.decision.outcome.value == self.expected_outcome
                and self.decision.basis.value == self.expected_basis)


def birth_date_for(age: int, at: date) -> date:
    """Return a birth date that makes a person ``age`` on ``at`` (their birthday a month ago)."""
    earlier = at - timedelta(days=30)
    try:
        return earlier.replace(year=earlier.year - age)
    except ValueError:  # 29 February in a year that has none
        return earlier.replace(year=earlier.year - age, day=28)


def forge(text: str) -> str:
    """Return the credential with its signed claims changed and the issuer's signature kept."""
    prefix = text.split(":", 1)[0] + ":"
    sign1, _ = open_envelope(text, prefix)
    claims = cbor2.loads(sign1.payload)
    claims[CLAIM_IAT] = int(claims[CLAIM_IAT]) + 86_400
    header = cbor2.loads(sign1.protected)
    return seal(prefix, build_sign1(header, cbor2.dumps(claims), sign1.signature))


def scenario_keys(at: datetime) -> tuple[Issuer, TrustStore]:
    """Return a throwaway issuer valid two years around ``at`` and a store that trusts it."""
    anchor_key, signer_key = new_private_key(), new_private_key()
    start, end = at - timedelta(days=730), at + timedelta(days=730)
    anchor = make_anchor(anchor_key, "Scenario trust anchor", "CN", start, end)
    certificate = make_signer(anchor_key, anchor, signer_key.public_key(), "Scenario signer",
                              frozenset(CredentialType), start, end)
    issuer = Issuer(IssuerProfile(), [Signer(signer_key, certificate)])
    return issuer, TrustStore.of([trusted_key(certificate, "scenario")])


def run_scenarios(pack: PolicyPack, issuer: Issuer | None = None,
                  store: TrustStore | None = None) -> list[ScenarioResult]:
    """Run every scenario of ``pack`` at its ``scenario_at`` instant (throwaway keys if none)."""
    if pack.scenario_at is None:
        return []
    if issuer is None or store is None:
        issuer, store = scenario_keys(pack.scenario_at)
    return [run_scenario(pack, s, issuer, store, pack.scenario_at) for s in pack.scenarios]


def run_scenario(pack: PolicyPack, scenario: Mapping[str, Any], issuer: Issuer,
                 store: TrustStore, at: datetime) -> ScenarioResult:
    """Issue the scenario's credentials, verify them at ``at`` and decide."""
    texts = scenario_credentials(pack, scenario, issuer, at)
    verifications = [verify(text, store, at) for text in texts]
    decision = decide(pack, verifications, str(scenario["venue"]), at)
    expect = scenario["expect"]
    return ScenarioResult(str(scenario["name"]), str(scenario["venue"]), expect["outcome"],
                          expect["basis"], decision)


def scenario_credentials(pack: PolicyPack, scenario: Mapping[str, Any], issuer: Issuer,
                         at: datetime) -> list[str]:
    """Return the QR texts the scenario's person shows at ``at``, issued by ``issuer``."""
    day = at.astimezone(pack.timezone).date()
    born = birth_date_for(int(scenario["age"]), day).isoformat()
    holder = Holder.parse(_HOLDER[0], born, pid="p1-scenarioholder")
    other = Holder.parse(_OTHER[0], "1961-03-04", pid="p1-someoneelse")
    issued_at = at - timedelta(minutes=1)
    forged, someone_else = scenario.get("forged"), scenario.get("other_holder")
    texts: list[str] = []
    code = scenario.get("code", "green")
    if code == "expired":  # a screenshot of yesterday's code, replayed
        texts.append(issuer.health_code(holder, color=CodeColor.GREEN, at=at - timedelta(days=1),
                                        ttl=CODE_LIFETIME).text)
    elif code != "none":
        texts.append(_mark(issuer.health_code(holder, color=CodeColor(code), at=issued_at,
                                              ttl=CODE_LIFETIME).text, forged == "health-code"))
    doses = _doses(scenario.get("doses", ()))
    if doses:
        product, when = doses[-1]
        found = pack.product(product)
        who = other if someone_else == "vaccination" else holder
        issued = issuer.vaccination(who, dose=len(doses), series=found.series if found else 2,
                                    when=when, at=issued_at, product=product)
        texts.append(_mark(issued.text, forged == "vaccination"))
    exemption = scenario.get("exemption")
    if exemption:
        texts.append(_mark(_exemption(issuer, exemption, holder if someone_else != "exemption"
                                      else other, at), forged == "exemption"))
    return texts


def _mark(text: str, forged: bool) -> str:
    return forge(text) if forged else text


def _doses(specs: Sequence[str]) -> list[tuple[str, date]]:
    doses = []
    for spec in specs:
        product, _, when = str(spec).rpartition("@")
        doses.append((product, date.fromisoformat(when)))
    return sorted(doses, key=lambda d: d[1])


def _exemption(issuer: Issuer, spec: Mapping[str, Any], holder: Holder, at: datetime) -> str:
    day = at.date()
    if spec.get("expired"):
        # Issued a year ago for six months: authentic, but over by the day of the check.
        issued_at = at - timedelta(days=365)
        start, end = issued_at.date(), issued_at.date() + timedelta(days=180)
    else:
        issued_at, start, end = at - timedelta(days=30), day - timedelta(days=30), \
            day + timedelta(days=150)
    return issuer.exemption(holder, institution="Fangzi District People's Hospital",
                            institution_level=int(spec["level"]), reason_category="allergy",
                            valid_from=start, valid_until=end, at=issued_at).text
