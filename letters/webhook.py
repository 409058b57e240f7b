"""The print house's webhook: machine to machine, authenticated by its HMAC signature
instead of a session, hence no CSRF token.

It answers 204 when the report is applied, 403 for a bad signature, 400 for a report
that is malformed or not about a letter of ours, 409 for one seen before or out of order
(nothing to resend), and 503 when the database could not take it now (send it again).
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
        return HttpResponse(status=rejection.http_status)
    except (OperationalError, InterfaceError) as exc:
        log.warning("print-house webhook: the database could not take the report now (%s)", type(exc).__name__)
        return HttpResponse(status=503)
    return HttpResponse(status=204)
