"""Middleware of the whole portal: a clear 503 while the database is away, and the client address for axes."""
import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/open311/")
RETRY_AFTER_SECONDS = "30"


def api_error(request, *, code: str, message, status: int) -> JsonResponse:
    """The error in the shape each API documents: Open311's [{code, description}], ours {code, message, fields}."""
    if request.path.startswith("/open311/"):
        return JsonResponse([{"code": status, "description": str(message)}], status=status, safe=False)
    return JsonResponse({"code": code, "message": str(message), "fields": {}}, status=status)


class DatabaseUnavailableMiddleware:
    """A view that loses the database answers 503 (HTML, or JSON under /api/ and /open311/), never a 500.

    Services write in one transaction, so nothing is half-saved: the transaction is rolled back by the
    database when the connection drops. Django drops the broken connection at the end of the request
    and CONN_HEALTH_CHECKS opens a fresh one on the next, so the server recovers without a restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
        message = _("The service is briefly unavailable. Nothing you sent was saved; please try again in a minute.")
        if request.path.startswith(API_PREFIXES):
            response = api_error(request, code="database_unavailable", message=message, status=503)
        else:
            # Rendered without the request: the context processors (user, session) would need the database.
            response = HttpResponse(render_to_string("errors/database_unavailable.html", {"message": message}),
                                    status=503)
        response["Retry-After"] = RETRY_AFTER_SECONDS
        return response


def client_ip(request) -> str:
    """The client address django-axes counts failures by; the last X-Forwarded-For hop behind nginx."""
    if settings.AXES_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


class RejectNulBytesMiddleware:
    """A NUL character in a query string (or an API form body) is never meant: answer 400 before any view
    passes it to PostgreSQL, which refuses such strings with an error (a 500 otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        values = [v for vs in request.GET.lists() for v in vs[1]]
        if (request.method == "POST" and request.content_type == "application/x-www-form-urlencoded"
                and request.path.startswith(API_PREFIXES)):
            # Pages' forms refuse NUL themselves, beside the field, keeping what the citizen typed; the
            # API's form bodies are checked here. Read the raw body first: a signed endpoint needs it after.
            request.body
            values += [v for vs in request.POST.lists() for v in vs[1]]
        if any("\x00" in value for value in values):
            message = _("The request contains a character that is not allowed.")
            if request.path.startswith(API_PREFIXES):
                return api_error(request, code="invalid_character", message=message, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
