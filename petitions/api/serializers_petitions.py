"""Petitions, their trail and hot words as the API shows them; the submit and action inputs."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from liaison import access

from ..masking import mask_name, mask_phone
from ..models import HotWord, Petition, PetitionEvent, Status
from .errors import StrictSerializer
from .serializers import CopiedFieldsMixin


class PetitionSerializer(serializers.ModelSerializer):
    """A petition as the caller may see it: name and phone masked unless the caller handles it."""

    studio = serializers.CharField(source="studio.code", read_only=True, help_text=_("Received at (首接负责)."))
    current_studio = serializers.CharField(source="current_studio.code", read_only=True, allow_null=True, default=None)
    current_department = serializers.CharField(source="current_department.name", read_only=True, allow_null=True,
                                               default=None)
    current_representative = serializers.CharField(source="current_representative.name", read_only=True,
                                                   allow_null=True, default=None)
    sector = serializers.CharField(source="sector.code", read_only=True, allow_null=True, default=None)
    category = serializers.CharField(source="category.code", read_only=True, allow_null=True, default=None)
    region = serializers.CharField(source="region.code", read_only=True, allow_null=True, default=None)
    citizen_name = serializers.SerializerMethodField()
    citizen_phone = serializers.SerializerMethodField()
    contact_unmasked = serializers.SerializerMethodField(help_text=_("True when name and phone are shown in full."))
    actions = serializers.SerializerMethodField(help_text=_("The actions you may take now."))

    class Meta:
        model = Petition
        fields = ["tracking_code", "status", "loop", "flag", "source", "studio", "current_studio",
                  "current_department", "current_representative", "sector", "category", "region", "text",
                  "citizen_name", "citizen_phone", "contact_unmasked", "address", "latitude", "longitude", "answer",
                  "reject_reason", "hold_reason", "rating", "reopened_count", "submitted_at", "accepted_at",
                  "dispatched_at", "resolved_at", "replied_at", "closed_at", "due_at", "updated_at", "actions"]

    def _unmasked(self, petition) -> bool:
        return access.sees_citizen_contact(self.context["request"].user, petition)

    def get_citizen_name(self, petition) -> str:
        return petition.citizen_name if self._unmasked(petition) else mask_name(petition.citizen_name)

    def get_citizen_phone(self, petition) -> str:
        return petition.citizen_phone if self._unmasked(petition) else mask_phone(petition.citizen_phone)

    def get_contact_unmasked(self, petition) -> bool:
        return self._unmasked(petition)

    def get_actions(self, petition) -> list[str]:
        return access.available_actions(self.context["request"].user, petition)


class PetitionEventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()
    studio = serializers.CharField(source="studio.code", read_only=True, allow_null=True, default=None)
    department = serializers.CharField(source="department.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = PetitionEvent
        fields = ["id", "action", "at", "by", "from_status", "to_status", "loop", "studio", "department", "note",
                  "public"]

    def get_by(self, event) -> str:
        if event.actor_id:
            return event.actor.get_full_name() or event.actor.get_username()
        return event.actor_label


class PetitionSubmitSerializer(CopiedFieldsMixin, StrictSerializer):
    """What a citizen (or an app on their behalf) submits; checked by the same form as the studio page."""

    studio = serializers.CharField(max_length=32, help_text=_("The public code of the receiving studio."))
    category = serializers.CharField(max_length=32, required=False,
                                     help_text=_("A sector's code; the studio's own sector when omitted."))
    text = serializers.CharField(max_length=20000, trim_whitespace=False)
    citizen_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    citizen_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    latitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180,
                                       max_value=180)
    consent = serializers.BooleanField(help_text=_("The citizen agrees that the request and contact are passed on."))
    idempotency_key = serializers.CharField(max_length=64, required=False, allow_blank=True, default="",
                                            help_text=_("The same key twice returns the first petition."))


class PetitionSubmitMultipartSerializer(PetitionSubmitSerializer):
    """The same fields as multipart/form-data, with photos: checked and re-encoded by the studio page's form."""

    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False), required=False,
        help_text=_("Up to 3 photos (JPEG, PNG or WebP, at most 5 MB each), one `photos` part each. Re-encoded: "
                    "location and camera details are removed."))


class PetitionReceiptSerializer(CopiedFieldsMixin, serializers.Serializer):
    tracking_code = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    submitted_at = serializers.DateTimeField()
    created = serializers.BooleanField(help_text=_("False when the idempotency key returned an earlier petition."))


class PetitionActionSerializer(StrictSerializer):
    """The details of one workflow action; which are needed depends on the action (as on the page)."""

    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    answer = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    loop = serializers.IntegerField(required=False, min_value=1, max_value=3)
    studio = serializers.CharField(max_length=32, required=False, help_text=_("A studio's public code."))
    department = serializers.CharField(max_length=48, required=False, help_text=_("A department's code."))
    departments = serializers.ListField(child=serializers.CharField(max_length=48), required=False, max_length=20)
    override_reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    expected_status = serializers.ChoiceField(choices=Status.choices, required=False,
                                              help_text=_("Refuse with 409 unless the petition is still in this "
                                                          "status."))


class HotWordSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code", read_only=True, allow_null=True, default=None)
    sector = serializers.CharField(source="sector.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = HotWord
        fields = ["term", "window", "scope", "region", "sector", "rank", "count", "total", "rise", "computed_at"]
