"""Static validation of CertLogic expressions, as the upstream validator and its suite define it.

Each problem is one line ``path <JSON pointer>: <message>``; the messages are upstream's, so
that they can be compared with the validation test suite.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from jointcheck.rules.certlogic_dates import TIME_UNITS

INFIX_OPERATORS = frozenset(
    ["===", "and", ">", "<", ">=", "<=", "in", "+", "after", "before", "not-after", "not-before"]
)
COMPARISON_OPERATORS = frozenset(
    ["<", ">", "<=", ">=", "after", "before", "not-after", "not-before"]
)
_PATH = re.compile(r"[^.]+(\.[^.]+)*")

_Problems = list[tuple[str, str]]


def is_int(value: Any) -> bool:
    """Tell whether ``value`` is an integer number as JSON (and JavaScript) sees it."""
    kind = type(value)
    return kind is int or (kind is float and value.is_integer())


def _at(path: str) -> str:
    return path or "/"


def _operands(path: str, operator: str, values: list[Any], count: int) -> _Problems:
    problems: _Problems = []
    for index, value in enumerate(values[:count]):
        problems.extend(_validate(value, f"{path}/{operator}/{index}"))
    return problems


def _arity(path: str, values: list[Any], wanted: int, what: str) -> _Problems:
    if len(values) == wanted:
        return []
    plural = "value/operand" if wanted == 1 else "values/operands"
    return [(path, f"{what} must have exactly {wanted} {plural}, but it has {len(values)}")]


def _validate_var(path: str, values: Any) -> _Problems:
    if not isinstance(values, str):
        return [(path, 'not of the form { "var": "<path>" }')]
    if values == "" or _PATH.fullmatch(values):
        return []
    return [(path, f"data access path doesn't have a valid format: {values}")]


def _validate_infix(path: str, operator: str, values: list[Any]) -> _Problems:
    count = len(values)
    problems: _Problems = []
    if operator == "and":
        maximum = count
        if count < 2:
            problems.append(
                (path, f'an "and" operation must have at least 2 operands, but it has {count}')
            )
    elif operator in COMPARISON_OPERATORS:
        maximum = 3
        if not 2 <= count <= 3:
            problems.append((path, f'an operation with operator "{operator}" must have 2 or 3'
                                   f" operands, but it has {count}"))
    else:
        maximum = 2
        if count != 2:
            problems.append((path, f'an operation with operator "{operator}" must have 2'
                                   f" operands, but it has {count}"))
    return problems + _operands(path, operator, values, maximum)


def _validate_if(path: str, values: list[Any]) -> _Problems:
    return _arity(path, values, 3, 'an "if"-operation') + _operands(path, "if", values, 3)


def _validate_not(path: str, values: list[Any]) -> _Problems:
    if len(values) != 1:
        return [(path, "a !-operation (logical not/negation) must have exactly 1 operand,"
                       f" but it has {len(values)}")]
    return _operands(path, "!", values, 1)


def _validate_plus_time(path: str, values: list[Any]) -> _Problems:
    problems = _arity(path, values, 3, 'a "plusTime"-operation') + _operands(
        path, "plusTime", values, 1
    )
    if len(values) > 1 and not is_int(values[1]):
        problems.append((path, f'"amount" argument (#2) of "plusTime" must be an integer,'
                               f" but it is: {values[1]!r}"))
    if len(values) > 2 and values[2] not in TIME_UNITS:
        problems.append((path, f'"unit" argument (#3) of "plusTime" must be a string equal to'
                               f" one of {', '.join(TIME_UNITS)}, but it is: {values[2]!r}"))
    return problems


def _validate_reduce(path: str, values: list[Any]) -> _Problems:
    return _arity(path, values, 3, 'a "reduce"-operation') + _operands(path, "reduce", values, 3)


def _validate_extract(path: str, values: list[Any]) -> _Problems:
    problems = _arity(path, values, 2, 'an "extractFromUVCI"-operation') + _operands(
        path, "extractFromUVCI", values, 1
    )
    if len(values) > 1 and not is_int(values[1]):
        problems.append((path, '"index" argument (#2) of "extractFromUVCI" must be an integer,'
                               f" but it is: {values[1]!r}"))
    return problems


def _validate_dob(path: str, values: list[Any]) -> _Problems:
    return _arity(path, values, 1, 'a "dccDateOfBirth"-operation') + _operands(
        path, "dccDateOfBirth", values, 1
    )


_OPERATIONS: dict[str, Callable[[str, list[Any]], _Problems]] = {
    "if": _validate_if,
    "!": _validate_not,
    "plusTime": _validate_plus_time,
    "reduce": _validate_reduce,
    "extractFromUVCI": _validate_extract,
    "dccDateOfBirth": _validate_dob,
}


def _validate_object(expr: dict[Any, Any], path: str) -> _Problems:
    if len(expr) != 1:
        return [(path, f"expression object must have exactly one key, but it has {len(expr)}")]
    ((operator, values),) = expr.items()
    if operator == "var":
        return _validate_var(path, values)
    if not isinstance(values, list):
        return [(path, 'operation not of the form { "<operator>": [ <values...> ] }')]
    if operator in INFIX_OPERATORS:
        return _validate_infix(path, operator, values)
    check = _OPERATIONS.get(operator)
    if check is None:
        return [(path, f'unrecognised operator: "{operator}"')]
    return check(path, values)


def _validate(expr: Any, path: str) -> _Problems:
    if isinstance(expr, str | bool) or is_int(expr):
        return []
    if isinstance(expr, float):
        return [(path, f"{expr} is a non-integer number")]
    if isinstance(expr, list):
        problems: _Problems = []
        for index, item in enumerate(expr):
            problems.extend(_validate(item, f"{path}/{index}"))
        return problems
    if isinstance(expr, dict):
        return _validate_object(expr, path)
    return [(path, "invalid CertLogic expression")]


def validate_expression(expr: Any) -> list[str]:
    """Return the problems that make ``expr`` an invalid CertLogic expression (empty if valid)."""
    return [f"path {_at(path)}: {message}" for path, message in _validate(expr, "")]
