"""Who may enter the contact person's pages. Anything else is a 404, not a 403: the pages
of a role one does not have do not exist for one."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeAlias, overload

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from organisation.permissions import VIEW_ORDERS, forvaltningar_of, may_use_queue

View: TypeAlias = Callable[..., HttpResponseBase]


@overload
def contact_person_required(view: View, *, perm: str = VIEW_ORDERS, central: bool = False) -> View: ...
@overload
def contact_person_required(
    view: None = None, *, perm: str = VIEW_ORDERS, central: bool = False
) -> Callable[[View], View]: ...


def contact_person_required(
    view: View | None = None, *, perm: str = VIEW_ORDERS, central: bool = False
) -> View | Callable[[View], View]:
    """Logged in and holding `perm` on at least one förvaltning; with `central`, a central
    administrator (the queue's pages, which show them the central queue) passes too."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            # The list is memoised on request.user: the view and the navigation reuse it.
            allowed = may_use_queue(request.user, perm) if central else bool(forvaltningar_of(request.user, perm))
            if not allowed:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate
