"""The API's errors: one JSON shape, {"code", "message", "fields"}, in the request's language.

`api_exception_handler` is REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error any /api/v1/ view raises
leaves through it, so clients parse one shape. `error_responses()` documents the same shape (with an
example) on every operation of the schema. `StrictSerializer` refuses unknown fields.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .serializers import ErrorSerializer


class Conflict(exceptions.APIException):
    """The petition's state does not allow the action (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _("The current state does not allow this action.")


# (status, code, message): what each HTTP status means in this API.
_CODES = {
    400: ("invalid", _("Some fields are missing or invalid.")),
    401: ("not_authenticated", _("Log in or send a token: Authorization: Token <key>.")),
    403: ("forbidden", _("You may not do this.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("This method is not allowed here.")),
    406: ("not_acceptable", _("The requested format is not available.")),
    409: ("conflict", _("The current state does not allow this action.")),
    413: ("too_large", _("The request body is too large.")),
    415: ("unsupported_media_type", _("Send JSON or form data.")),
    422: ("unprocessable", _("The action cannot be carried out as asked.")),
    429: ("throttled", _("Too many requests: try again later.")),
}


def _flatten(detail) -> dict:
    """DRF's error detail as {field: [messages]} (nested fields joined with dots)."""
    out: dict[str, list[str]] = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list):
            if all(not isinstance(v, (dict, list)) for v in value):
                out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for index, sub in enumerate(value):
                    walk(f"{prefix}.{index}", sub)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return out


def error_body(http_status: int, message=None, fields: dict | None = None, code: str | None = None) -> dict:
    default_code, default_message = _CODES.get(http_status, ("error", _("The request failed.")))
    return {"code": code or default_code, "message": str(message or default_message), "fields": fields or {}}


def api_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        return Response(error_body(413), status=413)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let it be a 500 with a traceback in the logs
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        # DRF answers 403 when the first authenticator (the session) sends no challenge; a client with
        # no or a bad token must learn that it is not authenticated, not that it is forbidden.
        response.status_code = 401
        response["WWW-Authenticate"] = 'Token realm="api"'
    status_code = response.status_code
    fields = {}
    message = None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        if list(fields) == ["non_field_errors"]:
            message = fields.pop("non_field_errors")[0]
    elif isinstance(exc, (Http404, exceptions.NotFound)):
        message = None
    elif isinstance(exc, DjangoPermissionDenied):
        message = None
    elif isinstance(exc, exceptions.ParseError):
        # DRF's detail carries the JSON parser's own English ("Expecting property name enclosed in ...").
        message = _("The request body could not be read: send one JSON object, such as {\"studio\": \"...\"}.")
    elif isinstance(exc, exceptions.APIException):
        message = exc.detail if isinstance(exc.detail, str) else None
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            message = _("Too many requests: try again in %(seconds)d seconds.") % {"seconds": exc.wait}
    body = error_body(status_code, message, fields,
                      code=getattr(exc, "error_code", None))
    response.data = body
    return response


def _example(http_status: int, fields: dict | None = None, message=None) -> OpenApiExample:
    code, default = _CODES[http_status]
    return OpenApiExample(f"{http_status} {code}", value={"code": code, "message": str(message or default),
                                                          "fields": fields or {}}, response_only=True,
                          status_codes=[str(http_status)])


def error_responses(*statuses: int) -> dict:
    """Schema responses for the given error statuses, each with the error shape and an example."""
    out = {}
    for http_status in statuses:
        fields = {"text": [str(_("This field is required."))]} if http_status == 400 else None
        out[http_status] = OpenApiResponse(ErrorSerializer, description=str(_CODES[http_status][1]),
                                           examples=[_example(http_status, fields)])
    return out


READ_ERRORS = (400, 401, 403, 404, 406, 429)
WRITE_ERRORS = (400, 401, 403, 404, 405, 406, 409, 415, 429)


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know (a typo must not pass silently)."""

    def validate(self, attrs):
        initial = self.initial_data if isinstance(self.initial_data, dict) or hasattr(self.initial_data, "keys") \
            else {}
        unknown = sorted(set(initial.keys()) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().validate(attrs)

    def to_internal_value(self, data):
        if not hasattr(data, "keys"):
            raise serializers.ValidationError({"non_field_errors": [_("Send an object of fields.")]})
        return super().to_internal_value(data)

