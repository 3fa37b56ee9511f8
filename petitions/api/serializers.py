from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import HotlineStatus


class HotlineEventSerializer(serializers.Serializer):
    """One status callback from 12345 (petitions/hotline/README.md)."""

    event_id = serializers.CharField(max_length=64)
    petition = serializers.CharField(max_length=32, help_text=_("The petition's tracking code (our reference)."))
    status = serializers.ChoiceField(choices=HotlineStatus.choices)
    answer = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    delivery = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs["status"] == HotlineStatus.RESOLVED and not attrs["answer"].strip():
            raise serializers.ValidationError({"answer": [_("A resolved event carries the answer for the citizen.")]})
        return attrs


class HotlineEventResultSerializer(serializers.Serializer):
    event_id = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["applied", "out_of_order", "ignored"])
    replay = serializers.BooleanField(help_text=_("True when this event id was received before; nothing changed."))


class ErrorSerializer(serializers.Serializer):
    """The API's error shape."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
