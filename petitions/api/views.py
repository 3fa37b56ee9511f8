"""The 12345 hotline's callback endpoint. Authenticated by its signature, not by a session or token."""
import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..hotline.callbacks import UnknownPetition, hotline_callback_apply
from ..hotline.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureError, verify
from .serializers import ErrorSerializer, HotlineEventResultSerializer, HotlineEventSerializer


def error(http_status: int, code: str, message, fields: dict | None = None) -> Response:
    """The API's error shape: {"code", "message", "fields"}."""
    return Response({"code": code, "message": str(message), "fields": fields or {}}, status=http_status)


class HotlineEventsView(APIView):
    # No session authentication, hence no CSRF check: the HMAC signature is the authentication.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=HotlineEventSerializer, responses={200: HotlineEventResultSerializer, 400: ErrorSerializer,
                                                               401: ErrorSerializer, 404: ErrorSerializer})
    def post(self, request):
        body = request.body  # the raw bytes, before any parsing: they are what was signed
        try:
            verify(settings.HOTLINE_SECRET, request.headers.get(TIMESTAMP_HEADER),
                   request.headers.get(SIGNATURE_HEADER), body)
        except SignatureError as exc:
            return error(status.HTTP_401_UNAUTHORIZED, exc.code, exc.message)
        if b"\x00" in body or b"\\u0000" in body:
            # PostgreSQL cannot store a NUL character in text or jsonb: refuse it here, not with a 500.
            return error(status.HTTP_400_BAD_REQUEST, "malformed", _("The body contains a NUL character."))
        try:
            data = json.loads(body or b"")
        except ValueError:
            return error(status.HTTP_400_BAD_REQUEST, "malformed", _("The body is not valid JSON."))
        if not isinstance(data, dict):
            return error(status.HTTP_400_BAD_REQUEST, "malformed", _("The body must be a JSON object."))
        serializer = HotlineEventSerializer(data=data)
        if not serializer.is_valid():
            return error(status.HTTP_400_BAD_REQUEST, "malformed", _("Some fields are missing or invalid."),
                         fields=serializer.errors)
        event = serializer.validated_data
        try:
            callback, created = hotline_callback_apply(
                event_id=event["event_id"], reference=event["petition"], status=event["status"],
                answer=event["answer"], reason=event["reason"], occurred_at=event["occurred_at"],
                delivery_key=event["delivery"], payload=data)
        except UnknownPetition as exc:
            return error(status.HTTP_404_NOT_FOUND, exc.code, exc.message)
        return Response({"event_id": callback.event_id, "outcome": callback.outcome, "replay": not created})
