from django.http import HttpRequest

from .assurance import method_label
from .session import assurance_of


def assurance(request: HttpRequest) -> dict[str, object]:
    """`login_method` and `login_level` for the header, where the session has an assurance."""
    found = assurance_of(request)
    if found is None:
        return {}
    return {"login_method": method_label(found.method), "login_level": found.level}
