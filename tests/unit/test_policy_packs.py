"""The shipped policy packs: they load, their scenario tables pass end to end, and cover enough.

Every scenario of every shipped pack is run through the real pipeline (issue, sign, verify
against a trust store, decide) by :mod:`jointcheck.rules.scenarios`; the coverage tests read
the scenario fields (ages, doses, exemption, code, venue), never the scenario names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from jointcheck.policy_sources import find_pack, load_pack_file
from jointcheck.rules.pack_files import SHIPPED, shipped_pack
from jointcheck.rules.policy import PolicyPack
from jointcheck.rules.scenarios import run_scenario, scenario_keys
from jointcheck.rules.venues import VENUE_CATEGORIES
from jointcheck.trust.issuer import Issuer
from jointcheck.trust.store import TrustStore

VULNERABLE = frozenset({"nursing-home", "welfare-home", "kindergarten", "primary-school"})
NOT_ORDINARY = VULNERABLE | {"meeting", "residential-quarter", "detention"}
CJK = re.compile(r"[\u4e00-\u9fff]")

Scenario = Mapping[str, Any]


def pack_path(pack_id: str) -> Path:
    return Path(str(resources.files("jointcheck.rules").joinpath(f"packs/{pack_id}.yaml")))


def scenario_params() -> list[Any]:
    return [pytest.param(pack_id, index, id=f"{pack_id}: {scenario['name']}")
            for pack_id in SHIPPED
            for index, scenario in enumerate(shipped_pack(pack_id).scenarios)]


@pytest.fixture(scope="module")
def keys() -> dict[str, tuple[Issuer, TrustStore]]:
    """One throwaway issuer and store per shipped pack, valid around its scenario instant."""
    result = {}
    for pack_id in SHIPPED:
        at = shipped_pack(pack_id).scenario_at
        assert at is not None
        result[pack_id] = scenario_keys(at)
    return result


# ---- loading ---------------------------------------------------------------------------------

@pytest.mark.parametrize("pack_id", SHIPPED)
def test_shipped_pack_loads_from_its_file_and_by_id(pack_id: str) -> None:
    from_file = load_pack_file(pack_path(pack_id))
    by_id = find_pack(pack_id)
    assert from_file.id == by_id.id == pack_id
    assert from_file.document == by_id.document
    assert by_id.version and by_id.jurisdiction.en and CJK.search(by_id.jurisdiction.zh)
    assert by_id.scenario_at is not None and by_id.in_force(by_id.scenario_at)
    assert len(by_id.scenarios) >= 15
    assert by_id.products and by_id.passing_colors == {"green"}


@pytest.mark.parametrize("pack_id", SHIPPED)
def test_each_pack_maps_all_29_venue_categories_to_defined_rules(pack_id: str) -> None:
    pack = shipped_pack(pack_id)
    assert len(VENUE_CATEGORIES) == 29
    assert sorted(pack.categories) == sorted(VENUE_CATEGORIES)
    for category in VENUE_CATEGORIES:
        rule = pack.rule_for(category)
        assert rule.cases[-1].when is None
        assert all(case.when is not None for case in rule.cases[:-1])


# ---- the scenario tables ---------------------------------------------------------------------

@pytest.mark.parametrize(("pack_id", "index"), scenario_params())
def test_scenario_passes_end_to_end(pack_id: str, index: int,
                                    keys: dict[str, tuple[Issuer, TrustStore]]) -> None:
    pack = shipped_pack(pack_id)
    scenario = pack.scenarios[index]
    issuer, store = keys[pack_id]
    assert pack.scenario_at is not None
    result = run_scenario(pack, scenario, issuer, store, pack.scenario_at)
    decision = result.decision
    got = (decision.outcome.value, decision.basis.value)
    assert got == (scenario["expect"]["outcome"], scenario["expect"]["basis"]), (
        f"{pack_id}: {scenario['name']} decided by {decision.rule}: {decision.reason.en}")
    assert result.passed
    assert decision.policy_id == pack.id and decision.policy_version == pack.version
    # The reason is given in both languages, with every placeholder filled in.
    assert decision.reason.en and CJK.search(decision.reason.zh)
    assert "{" not in decision.reason.en + decision.reason.zh


# ---- what every scenario table covers --------------------------------------------------------

def _doses(scenario: Scenario) -> list[str]:
    return [str(spec).rpartition("@")[0] for spec in scenario.get("doses", ())]


def _clean(scenario: Scenario) -> bool:
    """A scenario about the person: green code, nothing forged or belonging to someone else."""
    return (scenario.get("code", "green") == "green" and "forged" not in scenario
            and "other_holder" not in scenario)


def _series(pack: PolicyPack, scenario: Scenario) -> int | None:
    products = {pack.product(code) for code in _doses(scenario)}
    if len(products) != 1 or None in products:
        return None
    (product,) = products
    assert product is not None
    return product.series


def _exemption(scenario: Scenario) -> Mapping[str, Any]:
    return scenario.get("exemption") or {}


COVERAGE: dict[str, Callable[[PolicyPack, Scenario], bool]] = {
    "vaccinated (complete series)": lambda p, s: _clean(s) and _series(p, s) is not None
    and len(_doses(s)) >= (_series(p, s) or 99) and s["expect"]["basis"] == "vaccinated",
    "partly vaccinated (1 dose of a 2-dose product)": lambda p, s: _clean(s)
    and len(_doses(s)) == 1 and _series(p, s) == 2,
    "unvaccinated": lambda p, s: _clean(s) and not _doses(s) and not _exemption(s)
    and s["age"] >= p.eligible_from,
    "exempt (level-2 institution)": lambda p, s: _clean(s) and not _doses(s)
    and _exemption(s).get("level") == 2 and not _exemption(s).get("expired"),
    "not exempt (level-1 institution)": lambda p, s: _clean(s) and not _doses(s)
    and _exemption(s).get("level") == 1,
    "expired exemption": lambda p, s: _clean(s) and not _doses(s)
    and bool(_exemption(s).get("expired")),
    "under 12": lambda p, s: s["age"] < 12,
    "12-17": lambda p, s: 12 <= s["age"] < 18,
    "adult": lambda p, s: s["age"] >= 18,
    "yellow code": lambda p, s: s.get("code") == "yellow",
    "red code": lambda p, s: s.get("code") == "red",
    "expired (replayed) health code": lambda p, s: s.get("code") == "expired",
    "forged certificate": lambda p, s: "forged" in s,
    "holders that do not match": lambda p, s: "other_holder" in s,
    "vulnerable venue": lambda p, s: s["venue"] in VULNERABLE,
    "ordinary venue": lambda p, s: s["venue"] not in NOT_ORDINARY,
    "meeting": lambda p, s: s["venue"] == "meeting",
}


@pytest.mark.parametrize("pack_id", SHIPPED)
def test_scenario_table_covers_the_required_situations(pack_id: str) -> None:
    pack = shipped_pack(pack_id)
    missing = [what for what, covers in COVERAGE.items()
               if not any(covers(pack, s) for s in pack.scenarios)]
    assert missing == [], f"{pack_id} has no scenario for: {', '.join(missing)}"


@pytest.mark.parametrize("pack_id", SHIPPED)
def test_scenarios_use_known_venues_and_names_once(pack_id: str) -> None:
    pack = shipped_pack(pack_id)
    names = [s["name"] for s in pack.scenarios]
    assert len(names) == len(set(names)), "scenario names are their test ids: keep them unique"
    assert {s["venue"] for s in pack.scenarios} <= set(VENUE_CATEGORIES)


# ---- products against the EU DCC value set -------------------------------------------------

@pytest.mark.conformance
def test_every_product_code_is_in_the_dcc_value_set(conformance_dir: Path) -> None:
    path = conformance_dir / "dcc-valuesets" / "vaccine-medicinal-product.json"
    known = set(json.loads(path.read_text("utf-8"))["valueSetValues"])
    assert "EU/1/20/1528" in known  # the file is the value set we think it is
    unknown = sorted({f"{pack_id}: {product.code}" for pack_id in SHIPPED
                      for product in shipped_pack(pack_id).products
                      if product.code not in known})
    assert unknown == []
