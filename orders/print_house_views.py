"""The print house's webhook: machine to machine, authenticated by its HMAC signature
instead of a session, hence no CSRF token."""

import logging

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import print_house_status
from .print_house_status import StatusRejected

log = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def status_webhook(request):
    try:
        print_house_status.verify_signature(
            request.body,
            request.headers.get("X-Print-Timestamp", ""),
            request.headers.get("X-Print-Signature", ""),
        )
    except StatusRejected as rejection:
        log.warning("print-house webhook refused: %s", rejection)
        return HttpResponse(status=403)
    if print_house_status.receive(request.body, "webhook") is None:
        return HttpResponse(status=409)
    return HttpResponse(status=204)
