"""Loading policy packs: every invalid pack is refused, naming the file and the path in it.

Each variant is a shipped pack's document, deep-copied, with exactly one thing changed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from jointcheck.errors import PolicyError
from jointcheck.policy_sources import find_pack, load_pack_file
from jointcheck.rules.pack_files import shipped_pack
from jointcheck.rules.policy import load_pack
from jointcheck.rules.scenarios import run_scenarios

SOURCE = "variant-pack.yaml"
Change = Callable[[dict[str, Any]], None]


@pytest.fixture
def document() -> dict[str, Any]:
    """A fresh, changeable copy of the fangzi-2021 pack document."""
    return copy.deepcopy(dict(shipped_pack("fangzi-2021").document))


def refusal(document: Any, source: str = SOURCE) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        load_pack(document, source)
    return caught.value


def _set(path: str, value: Any) -> Change:
    """Return a change that sets the value at a dotted path (``[n]`` for list items)."""
    def change(doc: dict[str, Any]) -> None:
        *parents, last = _steps(path)
        target: Any = doc
        for step in parents:
            target = target[step]
        target[last] = value
    return change


def _delete(path: str) -> Change:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = _steps(path)
        target: Any = doc
        for step in parents:
            target = target[step]
        del target[last]
    return change


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in path.replace("[", ".[").split("."):
        steps.append(int(part[1:-1]) if part.startswith("[") else part)
    return steps


def _add_alias(doc: dict[str, Any]) -> None:
    doc["products"][1].setdefault("aliases", []).append("BBIBP-CorV")


def _swap_last_case_condition(doc: dict[str, Any]) -> None:
    doc["rules"]["ordinary"]["cases"][-1]["when"] = {"var": "person.adult"}


# (id, change, what the message must name)
INVALID: list[tuple[str, Change, str]] = [
    ("wrong format", _set("format", "jointcheck-policy/2"), "format:"),
    ("missing top-level field", _delete("timezone"), "'timezone' is a required property"),
    ("missing case field", _delete("rules.meeting.cases[1].outcome"),
     "rules.meeting.cases[1]: 'outcome' is a required property"),
    ("bad outcome", _set("rules.susceptible.cases[3].outcome", "reject"),
     "rules.susceptible.cases[3].outcome:"),
    ("bad basis", _set("rules.ordinary.cases[1].basis", "jabbed"),
     "rules.ordinary.cases[1].basis:"),
    ("unknown venue category", _set("categories.karaoke", "ordinary"),
     "categories.karaoke: not a venue category"),
    ("category missing", _delete("categories.gym"),
     "categories: venue categories without a rule: gym"),
    ("category to an undefined rule", _set("categories.gym", "leisure"),
     "categories.gym: rule 'leisure' is not defined"),
    ("invalid CertLogic", _set("rules.meeting.cases[1].when", {"frobnicate": [1]}),
     "rules.meeting.cases[1].when:"),
    ("CertLogic with a wrong arity", _set("rules.ordinary.cases[2].when",
                                          {"if": [{"var": "exemption.valid"}]}),
     "rules.ordinary.cases[2].when:"),
    ("non-last case without when", _delete("rules.ordinary.cases[1].when"),
     "rules.ordinary.cases[1]: only the last case may leave out 'when'"),
    ("last case with when", _swap_last_case_condition,
     "rules.ordinary.cases[3]: the last case must leave out 'when'"),
    ("duplicate case id", _set("rules.ordinary.cases[2].id", "vaccinated"),
     "rules.ordinary.cases[2].id: case id 'vaccinated' is used twice"),
    ("bad time zone", _set("timezone", "Asia/Fangzi"), "timezone: 'Asia/Fangzi'"),
    ("valid_until before valid_from", _set("valid_until", "2021-08-01T00:00:00+08:00"),
     "valid_until: is not after valid_from"),
    ("valid_until equal to valid_from", _set("valid_until", "2021-08-30T16:00:00Z"),
     "valid_until: is not after valid_from"),
    ("eligible_from above adult_from", _set("ages.eligible_from", 19),
     "ages: eligible_from is above adult_from"),
    ("product code listed twice", _add_alias, "products: code 'BBIBP-CorV' is listed twice"),
    ("unknown top-level field", _set("colour", "green"), "colour"),
    ("bad case id", _set("rules.ordinary.cases[0].id", "Under Age"),
     "rules.ordinary.cases[0].id:"),
    ("unknown reason placeholder", _set("rules.ordinary.cases[3].reason.en", "Hello {name}"),
     "rules.ordinary.cases[3].reason.en: unknown placeholder(s) name"),
    ("positional reason placeholder", _set("rules.meeting.cases[2].reason.zh", "证明{0}"),
     "rules.meeting.cases[2].reason.zh:"),
    ("unbalanced brace in a reason", _set("rules.ordinary.cases[0].reason.en",
                                          "Under {eligible_from"),
     "rules.ordinary.cases[0].reason.en:"),
]


@pytest.mark.parametrize(("change", "where"), [pytest.param(c, w, id=i) for i, c, w in INVALID])
def test_invalid_pack_is_refused_naming_source_and_path(document: dict[str, Any], change: Change,
                                                        where: str) -> None:
    load_pack(copy.deepcopy(document), SOURCE)  # the unchanged copy is valid
    change(document)
    error = refusal(document)
    assert error.code == "policy-invalid"
    assert error.message.startswith(f"{SOURCE} is not a valid policy pack")
    assert f"  {SOURCE}: " in error.message  # each problem line names the file too
    assert where in error.message, error.message


def test_every_problem_is_listed(document: dict[str, Any]) -> None:
    _delete("categories.gym")(document)
    _set("categories.hotel", "lodging")(document)
    _set("ages.eligible_from", 19)(document)
    message = refusal(document).message
    assert "without a rule: gym" in message
    assert "categories.hotel: rule 'lodging'" in message
    assert "ages: eligible_from is above adult_from" in message


def test_invalid_certlogic_names_the_case_path(document: dict[str, Any]) -> None:
    document["rules"]["susceptible"]["cases"][2]["when"] = {"var": ["exemption.valid", 1, 2]}
    assert "rules.susceptible.cases[2].when" in refusal(document).message


def test_naive_valid_from_is_refused(document: dict[str, Any]) -> None:
    document["valid_from"] = "2021-08-31T00:00:00"
    error = refusal(document)
    assert error.code == "policy-invalid" and "valid_from" in error.message


def test_literal_braces_in_a_reason_are_allowed(document: dict[str, Any]) -> None:
    document["rules"]["ordinary"]["cases"][3]["reason"]["en"] = "Not vaccinated {{sic}}"
    assert load_pack(document, SOURCE).rules["ordinary"].cases[3].reason.en.startswith("Not")


# The schema's "format": "date-time" is not enforced (jsonschema's checker needs
# rfc3339-validator), so the meaning checks read every instant themselves.
@pytest.mark.parametrize(("field", "value"), [
    ("valid_from", "yesterday"),
    ("valid_until", "someday"),
    ("valid_until", "2022-01-01T00:00:00"),
    ("scenario_at", "soon"),
    ("scenario_at", "2021-09-10T10:00:00"),
])
def test_bad_instants_are_refused_as_invalid(document: dict[str, Any], field: str,
                                             value: str) -> None:
    document[field] = value
    error = refusal(document)
    assert error.code == "policy-invalid" and f"{field}:" in error.message


def test_not_a_mapping_is_refused() -> None:
    assert refusal(["not", "a", "pack"]).code == "policy-invalid"
    assert refusal(None).code == "policy-invalid"


# ---- files -----------------------------------------------------------------------------------

def test_invalid_pack_file_is_refused_naming_the_file(document: dict[str, Any],
                                                      tmp_path: Path) -> None:
    document["rules"]["ordinary"]["cases"][1]["when"] = {"frobnicate": []}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
    with pytest.raises(PolicyError) as caught:
        load_pack_file(path)
    assert caught.value.code == "policy-invalid"
    assert str(path) in caught.value.message
    assert "rules.ordinary.cases[1].when" in caught.value.message


def test_yaml_syntax_error_is_unreadable_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "syntax.yaml"
    path.write_text("format: jointcheck-policy/1\nid: fangzi-2021\nages: {eligible_from: 12\n"
                    "version: 1.0.0\n", "utf-8")
    with pytest.raises(PolicyError) as caught:
        load_pack_file(path)
    assert caught.value.code == "policy-unreadable"
    assert str(path) in caught.value.message
    assert "line 4" in caught.value.message, caught.value.message


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        find_pack(str(tmp_path / "absent.yaml"))
    assert caught.value.code == "policy-unreadable"


def test_unknown_pack_id_is_policy_unknown() -> None:
    with pytest.raises(PolicyError) as caught:
        find_pack("atlantis-2021")
    assert caught.value.code == "policy-unknown"
    assert "atlantis-2021" in caught.value.message and "fangzi-2021" in caught.value.message


@pytest.mark.parametrize("ascii_only", [False, True], ids=["utf-8", "escaped"])
def test_pack_from_a_json_file_works(document: dict[str, Any], tmp_path: Path,
                                     ascii_only: bool) -> None:
    path = tmp_path / "fangzi.json"
    path.write_text(json.dumps(document, ensure_ascii=ascii_only, indent=1), "utf-8")
    pack = find_pack(str(path))
    shipped = shipped_pack("fangzi-2021")
    assert pack.document == shipped.document
    assert (pack.id, pack.version, pack.valid_from) == (shipped.id, shipped.version,
                                                        shipped.valid_from)
    assert pack.jurisdiction.zh == "坊子区"
    assert dict(pack.categories) == dict(shipped.categories)
    results = run_scenarios(pack)
    assert results and all(r.passed for r in results)


def test_yaml_dates_without_quotes_are_read_as_written(document: dict[str, Any],
                                                       tmp_path: Path) -> None:
    text = yaml.safe_dump(document, allow_unicode=True).replace(
        "valid_from: '2021-08-31T00:00:00+08:00'", "valid_from: 2021-08-31T00:00:00+08:00")
    assert "valid_from: 2021-08-31T00:00:00+08:00" in text
    path = tmp_path / "unquoted.yaml"
    path.write_text(text, "utf-8")
    pack = load_pack_file(path)
    assert pack.valid_from == shipped_pack("fangzi-2021").valid_from


def test_a_bare_date_is_midnight_in_the_packs_time_zone(document: dict[str, Any],
                                                         tmp_path: Path) -> None:
    text = yaml.safe_dump(document, allow_unicode=True).replace(
        "valid_from: '2021-08-31T00:00:00+08:00'", "valid_from: 2021-08-31")
    assert "valid_from: 2021-08-31\n" in text
    path = tmp_path / "bare-date.yaml"
    path.write_text(text, "utf-8")
    pack = load_pack_file(path)
    assert pack.valid_from == shipped_pack("fangzi-2021").valid_from  # 00:00 in Asia/Shanghai
