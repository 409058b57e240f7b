"""How the person behind the current request logged in, for every audit event it writes.

sso's middleware sets it for a request whose session has an assurance; `record` and
`record_many` add it to their data as "inloggning". A contextvar, so threads and async
tasks of other requests never see it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_login: ContextVar[dict[str, object] | None] = ContextVar("audit_login", default=None)


def current_login() -> dict[str, object] | None:
    return _login.get()


def set_login(data: dict[str, object] | None) -> None:
    """For the rest of this context (a login in mid-request)."""
    _login.set(data)


@contextmanager
def login_of_request(data: dict[str, object] | None) -> Iterator[None]:
    token = _login.set(data)
    try:
        yield
    finally:
        _login.reset(token)
