"""CertLogic engine: crafted cases for the corners the specification pins down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jointcheck.errors import CertLogicError
from jointcheck.rules import compile_expression, evaluate, validate_expression
from jointcheck.rules.certlogic import boolsiness, is_truthy
from jointcheck.rules.certlogic_dates import dcc_date_of_birth, parse_date_time, plus_time


def utc(year: int, month: int, day: int, *clock: int) -> datetime:
    hour, minute, second, microsecond = (*clock, 0, 0, 0, 0)[:4]
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


# --- truthiness -------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [False, None, "", 0, [], {}])
def test_falsy_values(value: Any) -> None:
    assert boolsiness(value) is False
    assert evaluate({"if": [{"var": ""}, "T", "F"]}, value) == "F"


@pytest.mark.parametrize("value", [True, "0", "false", 1, -1, [0], {"a": None}])
def test_truthy_values(value: Any) -> None:
    assert boolsiness(value) is True
    assert evaluate({"!": [{"var": ""}]}, value) is False


def test_a_date_time_is_neither_truthy_nor_falsy() -> None:
    assert boolsiness(utc(2021, 1, 1)) is None
    assert not is_truthy(utc(2021, 1, 1))
    with pytest.raises(CertLogicError) as caught:
        evaluate({"if": [{"plusTime": ["2021-01-01", 0, "day"]}, 1, 2]}, {})
    assert caught.value.code == "certlogic-evaluation"
    with pytest.raises(CertLogicError):
        evaluate({"!": [{"plusTime": ["2021-01-01", 0, "day"]}]}, {})


def test_and_returns_the_first_falsy_operand_lazily() -> None:
    lazy = {"and": [{"var": "x"}, {"plusTime": [{"var": "x"}, 0, "day"]}]}
    assert evaluate(lazy, {"x": ""}) == ""
    assert evaluate({"and": [1, [], {"var": "missing.path"}]}, {}) == []
    assert evaluate({"and": [1, "a", 3]}, {}) == 3


def test_and_refuses_an_operand_that_is_neither() -> None:
    with pytest.raises(CertLogicError, match="neither truthy, nor falsy"):
        evaluate({"and": [{"plusTime": ["2021", 0, "day"]}, True]}, {})


# --- strict equality, in, integers ------------------------------------------------------------

def test_strict_equality_does_not_coerce() -> None:
    assert evaluate({"===": [1, 1]}, {}) is True
    assert evaluate({"===": [1, "1"]}, {}) is False
    assert evaluate({"===": [{"var": "t"}, 1]}, {"t": True}) is False
    assert evaluate({"===": [{"var": "z"}, False]}, {"z": 0}) is False
    assert evaluate({"===": [{"var": "a"}, {"var": "b"}]}, {"a": None, "b": None}) is True


def test_in_uses_strict_equality_and_needs_an_array() -> None:
    assert evaluate({"in": [{"var": "t"}, [1, 2]]}, {"t": True}) is False
    assert evaluate({"in": [{"var": "n"}, {"var": "list"}]}, {"n": 1, "list": [True, 1]}) is True
    assert evaluate({"in": [{"var": "x"}, ["a", "b"]]}, {"x": "b"}) is True
    assert evaluate({"in": [{"var": "x"}, ["a", "b"]]}, {"x": None}) is False
    with pytest.raises(CertLogicError, match="must be an array"):
        evaluate({"in": ["a", {"var": "s"}]}, {"s": "abc"})


def test_arithmetic_and_comparison_are_integer_only() -> None:
    assert evaluate({"+": [{"var": "a"}, 2]}, {"a": 40}) == 42
    assert evaluate({"<": [1, {"var": "x"}, 3]}, {"x": 2}) is True
    assert evaluate({"<=": [1, {"var": "x"}, 1]}, {"x": 2}) is False
    for bad in (1.5, "1", True, None):
        with pytest.raises(CertLogicError) as caught:
            evaluate({"+": [{"var": "a"}, 1]}, {"a": bad})
        assert caught.value.code == "certlogic-evaluation"
        with pytest.raises(CertLogicError):
            evaluate({">": [{"var": "a"}, 1]}, {"a": bad})


def test_a_float_literal_is_refused_statically() -> None:
    with pytest.raises(CertLogicError) as caught:
        compile_expression({"+": [1, 2.5]})
    assert caught.value.code == "certlogic-invalid"
    assert "path /+/1: 2.5 is a non-integer number" in caught.value.message
    # JSON has one number type: 2.0 is the integer 2, as in the reference implementation.
    assert evaluate({"+": [1, 2.0]}, {}) == 3


# --- var --------------------------------------------------------------------------------------

def test_var_drills_into_objects_and_arrays_and_gives_null_when_missing() -> None:
    data = {"v": [{"dn": 2}], "s": "text"}
    assert evaluate({"var": "v.0.dn"}, data) == 2
    assert evaluate({"var": "v.1.dn"}, data) is None
    assert evaluate({"var": "v.-1"}, data) is None
    assert evaluate({"var": "s.0"}, data) is None
    assert evaluate({"var": "nope.deeper"}, data) is None
    assert evaluate({"var": ""}, data) is data
    assert evaluate({"var": "1"}, {"1": "by key"}) == "by key"


# --- invalid expressions ----------------------------------------------------------------------

@pytest.mark.parametrize(("expr", "problem"), [
    (None, "path /: invalid CertLogic expression"),
    ({"and": [True, {"foo": [1]}]}, 'path /and/1: unrecognised operator: "foo"'),
    ({"if": [True, 1]}, 'an "if"-operation must have exactly 3 values/operands, but it has 2'),
    ({"and": [True]}, 'an "and" operation must have at least 2 operands, but it has 1'),
    ({"===": [1, 2, 3]}, 'operator "===" must have 2 operands, but it has 3'),
    ({"<": [1]}, 'operator "<" must have 2 or 3 operands, but it has 1'),
    ({"plusTime": ["2021", {"var": "n"}, "day"]}, '"amount" argument (#2) of "plusTime"'),
    ({"plusTime": ["2021", 1, "week"]}, '"unit" argument (#3) of "plusTime"'),
    ({"extractFromUVCI": [{"var": "u"}, "1"]}, '"index" argument (#2) of "extractFromUVCI"'),
    ({"var": "a..b"}, "data access path doesn't have a valid format: a..b"),
    ({"var": 1}, 'path /: not of the form { "var": "<path>" }'),
    ({"!": "x"}, 'operation not of the form { "<operator>": [ <values...> ] }'),
    ({"a": [1], "b": [2]}, "expression object must have exactly one key, but it has 2"),
    ({"reduce": [[], 0]}, 'a "reduce"-operation must have exactly 3 values/operands'),
    ({"dccDateOfBirth": []}, 'a "dccDateOfBirth"-operation must have exactly 1 value/operand'),
])
def test_invalid_expressions_are_refused_with_the_place(expr: Any, problem: str) -> None:
    assert any(problem in line for line in validate_expression(expr))
    with pytest.raises(CertLogicError) as caught:
        compile_expression(expr)
    assert caught.value.code == "certlogic-invalid"
    assert problem in caught.value.message


def test_every_problem_is_reported() -> None:
    problems = validate_expression({"and": [{"x": [1]}, 1.5, {"var": None}]})
    assert [p.split(":")[0] for p in problems] == ["path /and/0", "path /and/1", "path /and/2"]


# --- dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("2021-06-01", utc(2021, 6, 1)),
    ("2021-06-01T10:20:30", utc(2021, 6, 1, 10, 20, 30)),
    ("2021-06-01T10:20:30Z", utc(2021, 6, 1, 10, 20, 30)),
    ("2021-06-01T10:20:30+2", utc(2021, 6, 1, 8, 20, 30)),
    ("2021-06-01T10:20:30-0130", utc(2021, 6, 1, 11, 50, 30)),
    ("2021-06-01T10:20:30+130", utc(2021, 6, 1, 8, 50, 30)),
    ("2021-06-01T00:20:30+02:00", utc(2021, 5, 31, 22, 20, 30)),
    ("2021-06-01T10:20:30.1Z", utc(2021, 6, 1, 10, 20, 30, 100_000)),
    ("2021-06-01T10:20:30.123999+00:00", utc(2021, 6, 1, 10, 20, 30, 123_000)),
])
def test_date_time_formats(text: str, expected: datetime) -> None:
    parsed = parse_date_time(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["2021-6-1", "2021-06-01 10:20:30", "21-06-01", "2021-13",
                                  "2021-02-30", "2021-06-01T10:20", "", "２０２１"])
def test_bad_date_times_are_refused(text: str) -> None:
    with pytest.raises(CertLogicError):
        parse_date_time(text)


@pytest.mark.parametrize(("dob", "expected"), [
    ("2004", utc(2004, 12, 31)),
    ("2004-02", utc(2004, 2, 29)),
    ("2003-02", utc(2003, 2, 28)),
    ("2004-11", utc(2004, 11, 30)),
    ("2004-12-05", utc(2004, 12, 5)),
])
def test_partial_dates_mean_the_last_consistent_day(dob: str, expected: datetime) -> None:
    assert dcc_date_of_birth(dob) == expected
    assert plus_time(dob, 0, "day") == expected
    assert evaluate({"not-before": [{"dccDateOfBirth": [{"var": "d"}]},
                                    {"plusTime": [{"var": "d"}, 0, "hour"]}]}, {"d": dob}) is True


@pytest.mark.parametrize(("start", "amount", "unit", "expected"), [
    ("2020-02-29", 1, "day", utc(2020, 3, 1)),
    ("2020-02-29", 1, "month", utc(2020, 3, 29)),
    ("2020-02-29", 1, "year", utc(2021, 3, 1)),
    ("2020-02-29", 4, "year", utc(2024, 2, 29)),
    ("2021-01-31", 1, "month", utc(2021, 3, 3)),
    ("2020-01-31", 1, "month", utc(2020, 3, 2)),
    ("2021-03-31", -1, "month", utc(2021, 3, 3)),
    ("2021-05-31", 1, "month", utc(2021, 7, 1)),
    ("2021-12-15", 1, "month", utc(2022, 1, 15)),
    ("2021-01-15", -13, "month", utc(2019, 12, 15)),
    ("2021-06-01T00:30:00+02:00", 1, "month", utc(2021, 7, 1, 22, 30)),
    ("2021-03-28T00:00:00Z", 24, "hour", utc(2021, 3, 29)),
    ("2004", 18, "year", utc(2022, 12, 31)),
    ("2004-02", 1, "year", utc(2005, 3, 1)),
])
def test_plus_time_follows_the_javascript_date_methods(
    start: str, amount: int, unit: str, expected: datetime
) -> None:
    assert plus_time(start, amount, unit) == expected
    expr = {"not-before": [{"plusTime": [{"var": "s"}, amount, unit]},
                           {"plusTime": [expected.isoformat(), 0, "day"]},
                           {"plusTime": [{"var": "s"}, amount, unit]}]}
    assert evaluate(expr, {"s": start}) is True


def test_plus_time_needs_a_string_not_a_date_time() -> None:
    nested = {"plusTime": [{"plusTime": ["2021-01-01", 0, "day"]}, 1, "day"]}
    with pytest.raises(CertLogicError, match="must be a string"):
        evaluate(nested, {})
    with pytest.raises(CertLogicError, match="date-times"):
        evaluate({"after": [{"plusTime": ["2021-01-01", 0, "day"]}, 1]}, {})


# --- reduce and extractFromUVCI ---------------------------------------------------------------

def test_reduce_folds_with_accumulator_and_current() -> None:
    count_dose = {"reduce": [{"var": "v"},
                             {"+": [{"var": "accumulator"}, {"var": "current.dn"}]}, 0]}
    assert evaluate(count_dose, {"v": [{"dn": 1}, {"dn": 2}]}) == 3
    assert evaluate(count_dose, {"v": []}) == 0
    assert evaluate(count_dose, {}) == 0
    with pytest.raises(CertLogicError, match="non-null non-array"):
        evaluate(count_dose, {"v": "nope"})
    # The lambda sees only accumulator and current, not the outer data (upstream's patch is off).
    outer = {"reduce": [[1], {"var": "data.z"}, 0]}
    assert evaluate(outer, {"z": 5}) is None


@pytest.mark.parametrize(("uvci", "index", "expected"), [
    ("URN:UVCI:01:NL:187/37512422923", 1, "NL"),
    ("01:NL:187/37512422923", 3, "37512422923"),
    ("URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B", 3, "B"),
    ("a::c/#/f", 5, "f"),
    ("a::c/#/f", 6, None),
    ("a", -1, None),
    (None, 0, None),
])
def test_extract_from_uvci(uvci: str | None, index: int, expected: str | None) -> None:
    assert evaluate({"extractFromUVCI": [{"var": "u"}, index]}, {"u": uvci}) == expected


def test_extract_from_uvci_refuses_a_non_string() -> None:
    with pytest.raises(CertLogicError, match="string or null"):
        evaluate({"extractFromUVCI": [{"var": "u"}, 0]}, {"u": 12})


# --- compile once, evaluate many --------------------------------------------------------------

def test_compiled_expression_gives_the_same_results_as_evaluate() -> None:
    expr = {"if": [
        {"var": "payload.v.0"},
        {"and": [
            {"in": [{"var": "payload.v.0.mp"}, {"var": "external.valueSets.vaccines"}]},
            {"not-before": [{"plusTime": [{"var": "external.validationClock"}, 0, "day"]},
                            {"plusTime": [{"var": "payload.v.0.dt"}, 14, "day"]}]},
            {">=": [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.sd"}]},
        ]},
        True,
    ]}
    compiled = compile_expression(expr)
    datas = []
    for day in range(1, 29):
        for dn in (1, 2):
            for mp in ("EU/1/20/1528", "other"):
                payload = {"v": [{"mp": mp, "dt": "2021-06-01", "dn": dn, "sd": 2}]}
                external = {"validationClock": f"2021-06-{day:02d}T12:00:00Z",
                            "valueSets": {"vaccines": ["EU/1/20/1528"]}}
                datas.append({"payload": payload, "external": external})
    datas.append({"payload": {}, "external": {}})
    results = [compiled.evaluate(data) for data in datas]
    assert results == [evaluate(expr, data) for data in datas]
    assert results.count(True) == 14 + 1
    assert compiled.evaluate(datas[0]) == results[0]


def test_literal_arrays_are_fresh_each_time() -> None:
    compiled = compile_expression([1, {"var": "x"}])
    first = compiled.evaluate({"x": 2})
    first.append("mutated")
    assert compiled.evaluate({"x": 2}) == [1, 2]
