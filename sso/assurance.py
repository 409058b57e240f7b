"""How a person logged in: the protocol, the method and the level of assurance (tillitsnivå).

Pure rules: the IdP's words (an acr / AuthnContextClassRef, amr values or a method
attribute) turned into a level 0..4 and a method key, by the mappings in settings.
"""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _

PROTOCOLS = ("oidc", "saml", "password")

# The Swedish eID framework's contexts (Sveriges e-legitimationsnämnd, now DIGG).
DEFAULT_CONTEXTS: Mapping[str, int] = {
    "http://id.elegnamnden.se/loa/1.0/loa2": 2,
    "http://id.elegnamnden.se/loa/1.0/loa3": 3,
    "http://id.elegnamnden.se/loa/1.0/loa4": 4,
}

_METHOD_LABELS = {
    "siths": "SITHS eID",
    "mobilt-siths": "Mobilt SITHS",
    "freja": "Freja eID+",
    "bankid": "BankID",
    "password": _("lösenord"),
}


@dataclass(frozen=True)
class Assurance:
    protocol: str
    method: str
    level: int
    context: str

    def as_audit(self) -> dict[str, object]:
        return {"protokoll": self.protocol, "metod": self.method, "tillitsniva": self.level, "kontext": self.context}

    def as_session(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_session(cls, data: object) -> "Assurance | None":
        """The assurance a session holds, or None where it holds none (or something else)."""
        if not isinstance(data, dict):
            return None
        protocol, method, level, context = (data.get(k) for k in ("protocol", "method", "level", "context"))
        if protocol not in PROTOCOLS or not isinstance(method, str) or not isinstance(context, str):
            return None
        if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 4:
            return None
        return cls(protocol=protocol, method=method, level=level, context=context)


def level_of(context: str, levels: Mapping[str, int]) -> int:
    """The level a context gives; 0 for a context nobody mapped."""
    return levels.get(context, 0)


def method_of(values: Iterable[str], methods: Mapping[str, str]) -> str:
    """The method key of the first value the mapping knows; else the first raw value; else ""."""
    raw = [value for value in values if value]
    for value in raw:
        if value in methods:
            return methods[value]
    return raw[0] if raw else ""


def context_for(level: int, levels: Mapping[str, int]) -> str:
    """The context to ask the IdP for: the lowest one giving at least `level` ("" if none does)."""
    enough = sorted((given, context) for context, given in levels.items() if given >= level)
    return enough[0][1] if enough else ""


def method_label(method: str) -> str:
    """The method's name as people know it; an unknown method as the IdP said it."""
    return str(_METHOD_LABELS.get(method, method))
