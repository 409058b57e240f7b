"""The print house's webhook: machine to machine, authenticated by its HMAC signature
instead of a session, hence no CSRF token.

It answers 204 when the report is applied; 403 for a bad signature (or no timestamp in
ASCII digits); 400 for a report that is malformed, not about a letter of ours, or
timestamped ahead of our clock by more than the window; 409 for a replay, whether seen
before or correctly signed longer ago than the window (five minutes), and for a report
out of order for the order's state (nothing to send again); and 503 when the database
could not take it now (send it again). Every refusal says why in its body, as text.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import status as print_house_status
from .status import StatusRejected

log = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def status_webhook(request: HttpRequest) -> HttpResponse:
    try:
        print_house_status.verify_signature(
            request.body,
            request.headers.get("X-Print-Timestamp", ""),
            request.headers.get("X-Print-Signature", ""),
        )
        print_house_status.apply_event(print_house_status.parse_event(request.body))
    except StatusRejected as rejection:
        log.warning("print-house webhook refused: %s", rejection)
        return HttpResponse(str(rejection), status=rejection.http_status, content_type="text/plain; charset=utf-8")
    except (OperationalError, InterfaceError) as exc:
        log.warning("print-house webhook: the database could not take the report now (%s)", type(exc).__name__)
        return HttpResponse(status=503)
    return HttpResponse(status=204)
