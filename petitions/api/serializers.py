import copy

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


class CopiedFieldsMixin:
    """Each instance gets a one-level copy of the declared fields instead of DRF's deep copy, which runs every
    field's __init__ again: for the API's submit that was a fifth of the request's CPU (the change DRF #4587
    proposed for all serializers). A plain field's copy shares only what no request changes (its validators, its
    error messages); a field with children (a list's child, a nested serializer) is bound to them, so it is still
    deep-copied."""

    def get_fields(self):
        return {name: copy.deepcopy(field) if _has_children(field) else copy.copy(field)
                for name, field in self._declared_fields.items()}


def _has_children(field) -> bool:
    return isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") or hasattr(field, "child_relation")
