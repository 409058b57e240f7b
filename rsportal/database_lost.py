"""A database connection lost in the middle of a request: a read is run once more, anything
else is answered 503 with Retry-After, never 500.

CONN_HEALTH_CHECKS tests the connection only where a request first uses it. A backend
that goes after that (pg_terminate_backend, PostgreSQL restarting) fails the request's
next query, in a view or in a middleware (the session, the user). Django answers any such
error through handler500, `server_error` here, which tells the lost connection from other
errors and marks the request; DatabaseLostMiddleware, outside the session and the login,
then runs a GET or HEAD once more on a new connection, unless it has already written.
The session's save after the view is the exception: Django answers its errors as a 400
(SessionInterrupted), so handler400, `bad_request` here, looks for the lost connection too.
"""

import logging
import sys
from collections.abc import Callable
from typing import Any

import psycopg
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# The station software's JSON API (desk.api): answered in JSON, as its other refusals.
API_PREFIX = "/api/"
_LOST = "_rsportal_database_lost"


class DatabaseLostMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        writes = _Writes()
        with connection.execute_wrapper(writes):
            response = self.get_response(request)
            if _lost(request) and request.method in ("GET", "HEAD") and not writes.done:
                logger.warning("Database connection lost during %s %s: run once more", request.method, request.path)
                response = self.get_response(request)
                _lost(request)
        return response


def _lost(request: HttpRequest) -> bool:
    """Whether server_error found the connection lost; if so it is closed, and the next
    query opens a new one."""
    lost = getattr(request, _LOST, False)
    if lost:
        setattr(request, _LOST, False)
        connection.close()
    return lost


class _Writes:
    """Whether any statement other than a SELECT went through: a request that wrote (and
    may have committed) is not run again."""

    done = False

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if sql.lstrip()[:6].upper() != "SELECT":
            self.done = True
        return result


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 for a lost database connection; any other error as Django answers it."""
    if not _connection_lost(sys.exc_info()[1]):
        return django_server_error(request)
    return _unavailable(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400. The session is saved after the view: Django's database session turns any
    error of that save, a lost connection's too, into SessionInterrupted, a 400 "Bad
    Request". A lost connection is answered (and a page run once more) as anywhere else."""
    if any(_connection_lost(error) for error in _chain(exception)):
        return _unavailable(request)
    return django_bad_request(request, exception)


def _chain(error: BaseException | None, depth: int = 5) -> list[BaseException]:
    """The error and the errors it was raised from or while handling, nearest first."""
    found: list[BaseException] = []
    while error is not None and len(found) < depth:
        found.append(error)
        error = error.__cause__ or error.__context__
    return found


def _unavailable(request: HttpRequest) -> HttpResponse:
    setattr(request, _LOST, True)
    if request.path.startswith(API_PREFIX):
        message = _("RS-portal når inte sin databas just nu. Försök igen om en stund.")
        response: HttpResponse = JsonResponse({"error": "unavailable", "message": message}, status=503)
        response["Cache-Control"] = "no-store"
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _connection_lost(error: BaseException | None) -> bool:
    """An error of PostgreSQL's connection, not of a query on a working one (a deadlock, a
    statement timeout): a connection exception (SQLSTATE class 08), the server shutting the
    backend down (57P01-57P03), or psycopg's own finding of a connection that is gone or
    cannot be made (no SQLSTATE). Asked of the error, not of the connection: leaving a
    transaction, Django may already have opened a new one."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    cause = error.__cause__
    if not isinstance(cause, psycopg.Error):  # SQLite's "database is locked" among them
        return False
    return cause.sqlstate is None or cause.sqlstate.startswith(("08", "57P"))
