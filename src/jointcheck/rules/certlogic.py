"""CertLogic, the EU DCC business-rules language: validate once, compile once, evaluate often.

``compile_expression`` checks an expression statically and turns it into nested closures, so
that evaluating it again (every certificate, every rule) does not look at operator names any
more. Semantics follow the CertLogic specification 1.3.3; where the specification leaves a
detail to its JavaScript reference implementation, that implementation's behaviour is kept.
A refused expression raises ``CertLogicError("certlogic-invalid", ...)``; a failure while
evaluating raises ``CertLogicError("certlogic-evaluation", ...)``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from jointcheck.errors import CertLogicError
from jointcheck.rules.certlogic_dates import dcc_date_of_birth, plus_time
from jointcheck.rules.certlogic_validate import is_int, validate_expression

Evaluator = Callable[[Any], Any]

_UVCI_PREFIX = "URN:UVCI:"
_UVCI_SEPARATORS = re.compile(r"[/#:]")
# JavaScript's parseInt: a path fragment that starts with an integer indexes by that integer.
_LEADING_INT = re.compile(r"\s*([+-]?\d+)", re.ASCII)


def _fail(message: str) -> CertLogicError:
    return CertLogicError("certlogic-evaluation", message)


def boolsiness(value: Any) -> bool | None:
    """Return True for a truthy value, False for a falsy one, None for one that is neither."""
    kind = type(value)
    if kind is bool:
        return value is True
    if value is None:
        return False
    if kind is str or kind is list or kind is dict:
        return len(value) > 0
    if kind is int or kind is float:
        return bool(value != 0)
    if isinstance(value, str | list | dict):
        return len(value) > 0
    return None


def is_truthy(value: Any) -> bool:
    """Tell whether ``value`` is truthy in CertLogic's sense (``[]``, ``{}``, ``""``, 0 are not)."""
    return boolsiness(value) is True


def is_falsy(value: Any) -> bool:
    """Tell whether ``value`` is falsy in CertLogic's sense."""
    return boolsiness(value) is False


def _strictly_equal(left: Any, right: Any) -> bool:
    """Compare as JavaScript's ``===`` does: by value for scalars, by identity otherwise."""
    kind = type(left)
    if kind is str or kind is bool or left is None:
        return type(right) is kind and left == right
    if kind is int or kind is float:
        return (type(right) is int or type(right) is float) and left == right
    return left is right


def _describe(value: Any) -> str:
    text = value.isoformat() if isinstance(value, datetime) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _guarded(value: Any, what: str) -> bool:
    verdict = boolsiness(value)
    if verdict is None:
        raise _fail(f"{what} evaluates to something neither truthy, nor falsy: {_describe(value)}")
    return verdict


def _compile_literal(value: Any) -> Evaluator:
    if type(value) is float:
        value = int(value)

    def literal(_data: Any) -> Any:
        return value

    return literal


def _compile_array(items: list[Any]) -> Evaluator:
    compiled = [_compile(item) for item in items]

    def array(data: Any) -> list[Any]:
        return [evaluate_item(data) for evaluate_item in compiled]

    return array


def _path_steps(path: str) -> list[tuple[str, int | None]]:
    steps: list[tuple[str, int | None]] = []
    for fragment in path.split("."):
        match = _LEADING_INT.match(fragment)
        index = int(match[1]) if match else None
        steps.append((fragment if index is None else str(index), index))
    return steps


def _compile_var(path: str) -> Evaluator:
    if path == "":
        return lambda data: data
    steps = _path_steps(path)
    if len(steps) == 2 and steps[0][1] is None and steps[1][1] is None:
        return _compile_var2(steps[0][0], steps[1][0])

    def var(data: Any) -> Any:
        # The hottest loop of every rule: dictionary steps first, no helper calls.
        for key, index in steps:
            if isinstance(data, dict):
                data = data.get(key)
            elif isinstance(data, list) and index is not None and 0 <= index < len(data):
                data = data[index]
            else:
                return None
            if data is None:
                return None
        return data

    return var


def _compile_var2(first: str, second: str) -> Evaluator:
    # ``a.b`` with no numeric step, the commonest path of all (``payload.v``, ``person.age``).
    def var2(data: Any) -> Any:
        if isinstance(data, dict):
            inner = data.get(first)
            if isinstance(inner, dict):
                return inner.get(second)
        return None

    return var2


def _compile_if(values: list[Any]) -> Evaluator:
    guard, then, otherwise = (_compile(value) for value in values)

    def if_(data: Any) -> Any:
        value = guard(data)
        if value is True or (value is not False and value is not None
                             and _guarded(value, "if-guard")):
            return then(data)
        return otherwise(data)

    return if_


def _compile_and(values: list[Any]) -> Evaluator:
    operands = [_compile(value) for value in values]

    def and_(data: Any) -> Any:
        # The specification wants every operand, the last one too, to be truthy or falsy;
        # certlogic-js lets the last one through unchecked, but the specification is the bar.
        value = None
        for operand in operands:
            value = operand(data)
            if value is True:
                continue
            if value is False or value is None or not _guarded(value, "an operand of and"):
                return value
        return value

    return and_


def _compile_not(values: list[Any]) -> Evaluator:
    operand = _compile(values[0])
    return lambda data: not _guarded(operand(data), "the operand of !")


def _compile_equal(values: list[Any]) -> Evaluator:
    left, right = (_compile(value) for value in values)
    return lambda data: _strictly_equal(left(data), right(data))


def _compile_in(values: list[Any]) -> Evaluator:
    needle = _compile(values[0])
    haystack_expr = values[1]
    if isinstance(haystack_expr, list) and all(type(item) is str for item in haystack_expr):
        # A literal list of strings (value sets written inline) becomes a set lookup.
        members = frozenset(haystack_expr)

        def in_literal(data: Any) -> bool:
            item = needle(data)
            return type(item) is str and item in members

        return in_literal
    haystack = _compile(haystack_expr)

    def in_(data: Any) -> bool:
        item = needle(data)
        found = haystack(data)
        if not isinstance(found, list):
            raise _fail('right-hand side of an "in" operation must be an array:'
                        f" {_describe(found)}")
        if type(item) is str or item is None:
            return item in found
        return any(_strictly_equal(item, candidate) for candidate in found)

    return in_


def _compile_plus(values: list[Any]) -> Evaluator:
    left, right = (_compile(value) for value in values)

    def plus(data: Any) -> Any:
        a, b = left(data), right(data)
        if not (is_int(a) and is_int(b)):
            raise _fail(f'operands of a "+" operation must both be integers: '
                        f"{_describe(a)}, {_describe(b)}")
        return a + b

    return plus


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge,
    "before": operator.lt, "after": operator.gt,
    "not-after": operator.le, "not-before": operator.ge,
}


def _compile_comparison(op: str, values: list[Any]) -> Evaluator:
    compare = _COMPARE[op]
    operands = [_compile(value) for value in values]
    dates = op not in ("<", ">", "<=", ">=")
    what = "date-times" if dates else "integers"

    def comparison(data: Any) -> bool:
        args = [operand(data) for operand in operands]
        for arg in args:
            if not (isinstance(arg, datetime) if dates else is_int(arg)):
                raise _fail(f'all operands of "{op}" must be {what}, not {_describe(arg)}')
        if len(args) == 2:
            return compare(args[0], args[1])
        return compare(args[0], args[1]) and compare(args[1], args[2])

    return comparison


def _compile_plus_time(values: list[Any]) -> Evaluator:
    operand = _compile(values[0])
    amount, unit = int(values[1]), values[2]

    def plus_time_(data: Any) -> datetime:
        text = operand(data)
        if type(text) is not str:
            raise _fail(f'date argument of "plusTime" must be a string: {_describe(text)}')
        return plus_time(text, amount, unit)

    return plus_time_


def _compile_reduce(values: list[Any]) -> Evaluator:
    operand, reducer, initial = (_compile(value) for value in values)

    def reduce_(data: Any) -> Any:
        items = operand(data)
        if items is not None and not isinstance(items, list):
            raise _fail(f"operand of reduce evaluated to a non-null non-array: {_describe(items)}")
        accumulator = initial(data)
        for current in items or ():
            accumulator = reducer({"accumulator": accumulator, "current": current})
        return accumulator

    return reduce_


def _compile_extract(values: list[Any]) -> Evaluator:
    operand = _compile(values[0])
    index = int(values[1])

    def extract(data: Any) -> str | None:
        uvci = operand(data)
        if uvci is None:
            return None
        if type(uvci) is not str:
            raise _fail('"UVCI" argument (#1) of "extractFromUVCI" must be either a string or'
                        f" null: {_describe(uvci)}")
        if index < 0:
            return None
        fragments = _UVCI_SEPARATORS.split(uvci.removeprefix(_UVCI_PREFIX))
        return fragments[index] if index < len(fragments) else None

    return extract


def _compile_dob(values: list[Any]) -> Evaluator:
    operand = _compile(values[0])

    def dob(data: Any) -> datetime:
        text = operand(data)
        if type(text) is not str:
            raise _fail(f'operand of "dccDateOfBirth" must be a string: {_describe(text)}')
        return dcc_date_of_birth(text)

    return dob


_OPERATIONS: dict[str, Callable[[list[Any]], Evaluator]] = {
    "if": _compile_if,
    "and": _compile_and,
    "!": _compile_not,
    "===": _compile_equal,
    "in": _compile_in,
    "+": _compile_plus,
    "plusTime": _compile_plus_time,
    "reduce": _compile_reduce,
    "extractFromUVCI": _compile_extract,
    "dccDateOfBirth": _compile_dob,
}


def _compile(expr: Any) -> Evaluator:
    """Compile an expression that validate_expression has accepted."""
    if isinstance(expr, list):
        return _compile_array(expr)
    if not isinstance(expr, dict):
        return _compile_literal(expr)
    ((op, values),) = expr.items()
    if op == "var":
        return _compile_var(values)
    if op in _COMPARE:
        return _compile_comparison(op, values)
    return _OPERATIONS[op](values)


class CompiledExpression:
    """A validated CertLogic expression, ready to evaluate against many data contexts."""

    __slots__ = ("_evaluate", "expression")

    def __init__(self, expression: Any, evaluator: Evaluator) -> None:
        self.expression = expression
        self._evaluate = evaluator

    def evaluate(self, data: Any) -> Any:
        """Evaluate against ``data``; raise ``CertLogicError`` with code certlogic-evaluation."""
        try:
            return self._evaluate(data)
        except CertLogicError:
            raise
        except (TypeError, ValueError, OverflowError, RecursionError) as error:
            raise _fail(f"{type(error).__name__}: {error}") from error

    def __repr__(self) -> str:
        return f"CompiledExpression({_describe(self.expression)})"


def compile_expression(expr: Any) -> CompiledExpression:
    """Validate ``expr`` and compile it once; raise ``CertLogicError`` if it is invalid."""
    try:
        problems = validate_expression(expr)
        if problems:
            raise CertLogicError("certlogic-invalid", "; ".join(problems))
        return CompiledExpression(expr, _compile(expr))
    except RecursionError as error:
        raise CertLogicError("certlogic-invalid", "expression is nested too deeply") from error


def var_paths(expr: Any) -> set[str]:
    """Return every data path an expression reads with ``var`` (literal paths only)."""
    found: set[str] = set()
    stack = [expr]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for op, values in item.items():
                if op == "var" and isinstance(values, str):
                    found.add(values)
                else:
                    stack.append(values)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def path_reader(path: str) -> Evaluator:
    """Return a function that reads ``path`` from data as ``var`` does."""
    return _compile_var(path)


def evaluate(expr: Any, data: Any) -> Any:
    """Validate, compile and evaluate ``expr`` against ``data`` in one call."""
    return compile_expression(expr).evaluate(data)
