"""FilterCriteria: the EventBridge pattern language, in the subset Lambda uses for event source mappings.

A pattern is a JSON object whose leaves are lists of matchers: exact values (strings, numbers, true/false,
null), ``{"prefix": s}``, ``{"suffix": s}``, ``{"equals-ignore-case": s}``, ``{"numeric": [op, n, ...]}``,
``{"exists": bool}`` and ``{"anything-but": value | [values] | {"prefix"|"suffix": s}}``; a ``"$or"`` key holds
a list of alternative sub-patterns. A record is kept when ANY of the mapping's patterns matches (OR across
filters) and every field of that pattern matches (AND within one). Where an event's value is a list, one
matching element is enough, as in EventBridge.

Patterns are checked when a mapping is created or updated (`compile_patterns`), so a poller never meets a
malformed one.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

from workbench.engine.core.errors import InvalidParameterValueError

INVALID_PATTERN = "Invalid filter pattern definition."
_MISSING = object()
_NUMERIC_OPS: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}
Matcher = Callable[[Any], bool]


class _InvalidPatternError(Exception):
    pass


def compile_patterns(patterns: Sequence[str]) -> Callable[[dict[str, Any]], bool] | None:
    """One predicate for all of ``patterns`` (OR); None when there are none (everything passes).
    Raises InvalidParameterValueError with AWS's message for a malformed pattern."""
    if not patterns:
        return None
    compiled = []
    for text in patterns:
        try:
            document = json.loads(text)
            if not isinstance(document, dict):
                raise _InvalidPatternError
            compiled.append(_object(document))
        except (ValueError, _InvalidPatternError, TypeError):
            raise InvalidParameterValueError(INVALID_PATTERN) from None
    return lambda event: any(match(event) for match in compiled)


def _object(pattern: dict[str, Any]) -> Callable[[Any], bool]:
    checks: list[Callable[[Any], bool]] = []
    for key, value in pattern.items():
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2 or not all(isinstance(v, dict) for v in value):
                raise _InvalidPatternError
            checks.append(functools.partial(_any_of, [_object(v) for v in value]))
        elif isinstance(value, dict):
            checks.append(functools.partial(_nested, key, _object(value)))
        elif isinstance(value, list):
            if not value:
                raise _InvalidPatternError
            checks.append(functools.partial(_field_matches, key=key, matchers=[_leaf(item) for item in value]))
        else:
            raise _InvalidPatternError
    if not checks:
        raise _InvalidPatternError
    return lambda event: all(check(event) for check in checks)


def _any_of(alternatives: list[Matcher], event: Any) -> bool:
    return any(alternative(event) for alternative in alternatives)


def _nested(key: str, pattern: Matcher, event: Any) -> bool:
    return isinstance(event, dict) and isinstance(event.get(key), dict) and pattern(event[key])


def _field_matches(event: Any, *, key: str, matchers: list[Matcher]) -> bool:
    value = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
    candidates = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not value:
        candidates = [_MISSING]
    return any(matcher(candidate) for matcher in matchers for candidate in candidates)


def _leaf(item: Any) -> Matcher:
    if item is None or isinstance(item, (str, bool)):
        return lambda value: value is not _MISSING and value == item and type(value) is type(item)
    if isinstance(item, (int, float)):
        return lambda value: _is_number(value) and float(value) == float(item)
    if not isinstance(item, dict) or len(item) != 1:
        raise _InvalidPatternError
    (operator, argument), = item.items()
    if operator == "prefix" and isinstance(argument, str):
        return lambda value: isinstance(value, str) and value.startswith(argument)
    if operator == "suffix" and isinstance(argument, str):
        return lambda value: isinstance(value, str) and value.endswith(argument)
    if operator == "equals-ignore-case" and isinstance(argument, str):
        return lambda value: isinstance(value, str) and value.casefold() == argument.casefold()
    if operator == "exists" and isinstance(argument, bool):
        return lambda value: (value is not _MISSING) is argument
    if operator == "numeric":
        return _numeric(argument)
    if operator == "anything-but":
        return _anything_but(argument)
    raise _InvalidPatternError


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numeric(argument: Any) -> Matcher:
    if not isinstance(argument, list) or len(argument) not in (2, 4):
        raise _InvalidPatternError
    tests: list[tuple[Callable[[float, float], bool], float]] = []
    for index in range(0, len(argument), 2):
        operator, bound = argument[index], argument[index + 1]
        if operator not in _NUMERIC_OPS or not _is_number(bound):
            raise _InvalidPatternError
        tests.append((_NUMERIC_OPS[operator], float(bound)))
    return lambda value: _is_number(value) and all(test(float(value), bound) for test, bound in tests)


def _anything_but(argument: Any) -> Matcher:
    if isinstance(argument, dict):
        inner = _leaf(argument)
        if set(argument) - {"prefix", "suffix", "equals-ignore-case"}:
            raise _InvalidPatternError
        return lambda value: value is not _MISSING and not inner(value)
    values = argument if isinstance(argument, list) else [argument]
    if not values or not all(v is None or isinstance(v, (str, int, float)) for v in values):
        raise _InvalidPatternError
    excluded = [_leaf(v) for v in values]
    return lambda value: value is not _MISSING and not any(match(value) for match in excluded)
