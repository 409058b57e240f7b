"""Every JSON body the system takes from outside goes through `parse`: the print house's
status reports (webhook and inbox files) and the station API.

In this order, before any field is read: the size (before anything is decoded), UTF-8,
the nesting depth (counted without recursion, so json.loads never meets a body that makes
it recurse past Python's limit), JSON itself (no NaN or Infinity, no key twice), no
control character or lone surrogate in any string (a NUL is what PostgreSQL refuses,
a surrogate what no encoder takes), and then each field against the endpoint's declared
shape. Anything else is `Refused`, a ValueError whose reason names the field and what
was expected, never a value from the body (which may hold a password).

A leaf helper: it imports no app, so any app may call it.
"""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

MAX_BYTES = 64 * 1024
MAX_DEPTH = 32
BIGINT_MAX = 2**63 - 1  # the largest primary key a database column holds

# A string literal (escapes included), or a bracket outside one.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
# C0 controls, DEL, C1 controls and the surrogates (a lone one came from a \ud800 escape).
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class Refused(ValueError):
    """The body is refused; `reason` says why, for the sender."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Shape:
    """What one value must be. `check` returns the value as the caller gets it."""

    nullable: bool = False

    def check(self, value: Any, where: str) -> Any:
        if value is None:
            if self.nullable:
                return None
            raise Refused(f"{where}: {self.expected()} expected, not null")
        return self.check_value(value, where)

    def check_value(self, value: Any, where: str) -> Any:
        raise NotImplementedError

    def expected(self) -> str:
        raise NotImplementedError

    def refuse(self, where: str) -> Refused:
        return Refused(f"{where}: {self.expected()} expected")


@dataclass(frozen=True)
class Text(Shape):
    max_length: int
    _: KW_ONLY
    min_length: int = 0
    nonblank: bool = False
    choices: Iterable[str] | None = None
    nullable: bool = False

    def __post_init__(self) -> None:
        if self.choices is not None:
            object.__setattr__(self, "choices", tuple(self.choices))

    def expected(self) -> str:
        if self.choices is not None:
            return "one of " + ", ".join(self.choices)
        return f"text of at most {self.max_length} characters" + (", not blank" if self.nonblank else "")

    def check_value(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not self.min_length <= len(value) <= self.max_length:
            raise self.refuse(where)
        if (self.nonblank and not value.strip()) or (self.choices is not None and value not in self.choices):
            raise self.refuse(where)
        return value


@dataclass(frozen=True)
class Int(Shape):
    minimum: int
    maximum: int
    _: KW_ONLY
    nullable: bool = False

    def expected(self) -> str:
        return f"a whole number from {self.minimum} to {self.maximum}"

    def check_value(self, value: Any, where: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not self.minimum <= value <= self.maximum:
            raise self.refuse(where)
        return value


@dataclass(frozen=True)
class Bool(Shape):
    _: KW_ONLY
    nullable: bool = False

    def expected(self) -> str:
        return "true or false"

    def check_value(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.refuse(where)
        return value


@dataclass(frozen=True)
class Object(Shape):
    """An object with these keys; keys it does not declare are left out of the result."""

    required: Mapping[str, Shape] = field(default_factory=dict)
    optional: Mapping[str, Shape] = field(default_factory=dict)
    _: KW_ONLY
    nullable: bool = False

    def expected(self) -> str:
        return "an object"

    def check_value(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.refuse(where or "the body")
        checked = {}
        for key, shape in self.required.items():
            if key not in value:
                raise Refused(f"{_at(where, key)}: required")
            checked[key] = shape.check(value[key], _at(where, key))
        for key, shape in self.optional.items():
            if key in value:
                checked[key] = shape.check(value[key], _at(where, key))
        return checked


@dataclass(frozen=True)
class MapOf(Shape):
    """An object whose keys are free text, each value of one shape."""

    keys: Text
    values: Shape
    _: KW_ONLY
    max_items: int = 50
    nullable: bool = False

    def expected(self) -> str:
        return f"an object of at most {self.max_items} entries, its keys {self.keys.expected()}"

    def check_value(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict) or len(value) > self.max_items:
            raise self.refuse(where)
        for key in value:
            self.keys.check(key, where)
        return {key: self.values.check(item, _at(where, key)) for key, item in value.items()}


def _at(where: str, key: str) -> str:
    name = key if len(key) <= 40 else key[:40] + "…"
    return f"{where}.{name}" if where else name


def parse(raw: bytes | str, shape: Object, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """The body as `shape` declares it, or Refused."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if len(data) > max_bytes:
        raise Refused(f"the body is larger than {max_bytes} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("the body is not UTF-8 text") from None
    if _too_deep(text, max_depth):
        raise Refused(f"the body is nested deeper than {max_depth} levels")
    try:
        document = json.loads(text, object_pairs_hook=_no_key_twice, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise Refused(f"the body is not JSON: {error.msg} at character {error.pos}") from None
    except ValueError as error:  # a number past Python's digit limit, a key twice, NaN
        reason = getattr(error, "reason", "a number too long to read")
        raise Refused(f"the body is not JSON: {reason}") from None
    _refuse_control_characters(document)
    result: dict[str, Any] = shape.check(document, "")
    return result


def _too_deep(text: str, max_depth: int) -> bool:
    depth = 0
    for match in _TOKEN.finditer(text):
        bracket = match.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > max_depth:
                return True
        elif bracket in ("]", "}"):
            depth -= 1
    return False


def _no_key_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _NotJson("a key appears twice in one object")
    return result


def _no_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a number JSON knows")


class _NotJson(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _refuse_control_characters(document: Any) -> None:
    """Every string, keys too, whether or not a shape reads it; a loop, not recursion."""
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, str):
            if _FORBIDDEN.search(value):
                raise Refused(f"{where or 'the body'}: a control character or an unpaired surrogate in the text")
        elif isinstance(value, dict):
            for key, item in value.items():
                if _FORBIDDEN.search(key):
                    raise Refused(f"{where or 'the body'}: a control character or an unpaired surrogate in a key")
                pending.append((_at(where, key), item))
        elif isinstance(value, list):
            pending.extend((f"{where}[{index}]", item) for index, item in enumerate(value))
