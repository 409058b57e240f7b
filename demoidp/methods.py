"""The login methods the demo IdP offers, each with its level of assurance and its context
(the Swedish eID framework's LoA URIs, as Inera's IdP sends them)."""

from dataclasses import dataclass

LOA_PREFIX = "http://id.elegnamnden.se/loa/1.0/loa"


@dataclass(frozen=True)
class Method:
    key: str
    label: str
    level: int
    acr: str
    amr: tuple[str, ...]


def _method(key: str, label: str, level: int) -> Method:
    return Method(key=key, label=label, level=level, acr=f"{LOA_PREFIX}{level}", amr=(key,))


METHODS: tuple[Method, ...] = (
    _method("password", "Lösenord", 2),
    _method("freja", "Freja eID+", 3),
    _method("bankid", "BankID", 3),
    _method("mobilt-siths", "Mobilt SITHS", 3),
    _method("siths", "SITHS eID", 4),
)


def methods_at_least(level: int) -> list[Method]:
    return [method for method in METHODS if method.level >= level]


def method_by_key(key: str) -> Method | None:
    return next((method for method in METHODS if method.key == key), None)


def level_of_context(context: str) -> int:
    """The level an LoA context stands for; 0 for a context this IdP does not know."""
    if context.startswith(LOA_PREFIX) and context.removeprefix(LOA_PREFIX).isdigit():
        return int(context.removeprefix(LOA_PREFIX))
    return 0


def requested_level(acr_values: str) -> int:
    """The lowest level among the contexts asked for (any of them will do); 0 when none is known."""
    levels = [level for level in map(level_of_context, acr_values.split()) if level]
    return min(levels, default=0)
