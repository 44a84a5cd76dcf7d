"""Benchmark: decisions per second for a compiled pack, against the signature checks they follow.

People of every kind (vaccinated, partly vaccinated, unvaccinated, exempt, minors, a yellow
code) show a health code and a certificate; each set is verified once, then decided at every
venue category of the pack. In the same run, the ES256 signature checks of the same
credentials are timed with ``cryptography`` alone: a decision should cost far less than the
signatures it follows (the target is under a tenth). Rounds are interleaved and the median
round of each is reported.

The decisions are timed twice: all at the pack's scenario instant (one ``datetime`` object,
as a simulation decides a district), and each at an instant of its own a millisecond after
the one before, in UTC, as a checkpoint's clock gives them: the second pays for placing each
instant in the pack's local day and writing it out, which the first does once.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

from jointcheck.bench.verify import pin_to_one_core
from jointcheck.credentials.registry import decode
from jointcheck.rules.decision import decide
from jointcheck.rules.pack_files import shipped_pack
from jointcheck.rules.scenarios import scenario_credentials, scenario_keys
from jointcheck.trust.signatures import signature_matches
from jointcheck.trust.store import TrustStore
from jointcheck.trust.verify import Verification, find_signer, verify

_PEOPLE: tuple[dict[str, Any], ...] = (
    {"age": 40, "doses": ["BBIBP-CorV@2021-05-01", "BBIBP-CorV@2021-06-01"]},
    {"age": 40, "doses": ["CoronaVac@2021-08-20"]},
    {"age": 40},
    {"age": 70, "exemption": {"level": 2}},
    {"age": 70, "exemption": {"level": 1}},
    {"age": 15},
    {"age": 8},
    {"age": 30, "code": "yellow", "doses": ["BBIBP-CorV@2021-05-01"]},
)


def _credentials(pack_id: str) -> tuple[list[list[Verification]], list[list[str]], TrustStore]:
    pack = shipped_pack(pack_id)
    assert pack.scenario_at is not None
    issuer, store = scenario_keys(pack.scenario_at)
    texts = [scenario_credentials(pack, person, issuer, pack.scenario_at) for person in _PEOPLE]
    sets = [[verify(t, store, pack.scenario_at) for t in group] for group in texts]
    return sets, texts, store


def _timed(run: Callable[[], int]) -> float:
    began = time.perf_counter()
    n = run()
    return (time.perf_counter() - began) / n


def run(pack_id: str = "fangzi-2021", rounds: int = 9, repeat: int = 60) -> dict[str, Any]:
    """Measure decisions against signature checks; return the figures."""
    cpu = pin_to_one_core()
    pack = shipped_pack(pack_id)
    at = pack.scenario_at or pack.valid_from
    sets, texts, store = _credentials(pack_id)
    categories = list(pack.categories)
    envelopes = [[decode(t) for t in group] for group in texts]
    keys = [[find_signer(e, store) for e in group] for group in envelopes]

    def decisions() -> int:
        n = 0
        for _ in range(repeat):
            for verifications in sets:
                for category in categories:
                    decide(pack, verifications, category, at)
                    n += 1
        return n

    clock = [(at + timedelta(milliseconds=n)).astimezone(UTC)
             for n in range(len(sets) * len(categories))]

    def decisions_as_the_clock_runs() -> int:
        n = 0
        for _ in range(repeat):
            instants = iter(clock)
            for verifications in sets:
                for category in categories:
                    decide(pack, verifications, category, next(instants))
                    n += 1
        return n

    def signatures() -> int:
        n = 0
        for _ in range(repeat * 3):  # about as long a phase as the decisions', for a fair median
            for group, signers in zip(envelopes, keys, strict=True):
                for envelope, key in zip(group, signers, strict=True):
                    if not signature_matches(key.public_key, envelope.algorithm,
                                             envelope.signed, envelope.signature):
                        raise AssertionError("a benchmark signature failed")
                n += 1  # one person's signature checks: what one decision follows
        return n

    decide_s, clock_s, sign_s = [], [], []
    for _ in range(rounds):
        decide_s.append(_timed(decisions))
        clock_s.append(_timed(decisions_as_the_clock_runs))
        sign_s.append(_timed(signatures))
    decision, checks = statistics.median(decide_s), statistics.median(sign_s)
    running = statistics.median(clock_s)
    return {
        "policy": pack.id, "cpu": cpu, "rounds": rounds, "people": len(sets),
        "categories": len(categories),
        "credentials_per_person": statistics.mean(len(g) for g in texts),
        "decision_us": round(decision * 1e6, 2), "decisions_per_s": round(1 / decision),
        "signature_checks_us": round(checks * 1e6, 2),
        "signature_checks_per_s": round(1 / checks),
        "ratio_decision_to_signatures": round(decision / checks, 4),
        "decision_each_instant_us": round(running * 1e6, 2),
        "decisions_each_instant_per_s": round(1 / running),
        "ratio_each_instant_to_signatures": round(running / checks, 4),
    }
