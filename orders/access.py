"""Who may enter the contact person's pages. Anything else is a 404, not a 403: the pages
of a role one does not have do not exist for one."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from organisation.permissions import VIEW_ORDERS, forvaltningar_of


def contact_person_required(view=None, *, perm=VIEW_ORDERS):
    """Logged in and holding `perm` on at least one förvaltning."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            # The list is memoised on request.user: the view and the navigation reuse it.
            if not forvaltningar_of(request.user, perm):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate
