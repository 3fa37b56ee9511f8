"""A studio's members over the API, as on /dashboard/studio/<code>/members/: its lead, its admins and its
staff (and superusers) list them, add a representative of the studio's area, appoint or demote a studio
admin, remove a member. Everyone else gets 404, as on the page (liaison.access.can_manage_studio).

Writes call offices.services (studio_member_add, studio_member_set_role, studio_member_remove); a member
who is one already, or the lead, is 409; a representative who is inactive or outside the area, 400.
"""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from liaison import access
from liaison.api.common import service_refusals
from liaison.models import Representative
from petitions.api.errors import READ_ERRORS, WRITE_ERRORS, StrictSerializer, error_responses
from petitions.api.pagination import ApiPagination

from ..models import Studio, StudioMembership
from ..services import studio_member_add, studio_member_remove, studio_member_set_role


class StudioMemberSerializer(serializers.ModelSerializer):
    representative = serializers.IntegerField(source="representative_id", read_only=True,
                                              help_text=_("The representative's id (/api/v1/representatives)."))
    name = serializers.CharField(source="representative.name", read_only=True)
    region = serializers.CharField(source="representative.region.code", read_only=True)
    is_lead = serializers.SerializerMethodField(help_text=_("The studio's lead representative (领衔代表)."))

    class Meta:
        model = StudioMembership
        fields = ["id", "representative", "name", "region", "role", "is_lead", "joined_on"]

    def get_is_lead(self, membership) -> bool:
        return membership.representative_id == membership.studio.lead_id


class StudioMemberAddSerializer(StrictSerializer):
    """Who joins: a representative's id, or, as on the page, their exact name or mobile number."""

    representative = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False,
                                              help_text=_("The representative's id."))
    who = serializers.CharField(max_length=64, required=False,
                                help_text=_("Or the representative's exact name or mobile number, as on the page."))

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if ("representative" in attrs) == ("who" in attrs):
            raise ValidationError({"representative": [_("Give the representative's id or their name or mobile "
                                                        "number (one of the two).")]})
        return attrs


class StudioMemberRoleSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=StudioMembership.Role.choices)


STUDIO_CODE = OpenApiParameter("studio_code", OpenApiTypes.STR, OpenApiParameter.PATH,
                               description=_("The studio's public code."))
MEMBER = OpenApiExample("member", response_only=True, status_codes=["200", "201"], value={
    "id": 31, "representative": 4, "name": "李新", "region": "371526", "role": "member", "is_lead": False,
    "joined_on": "2026-12-01"})


@extend_schema_view(
    list=extend_schema(summary=_("A studio's members (its lead, admins and staff)"), parameters=[STUDIO_CODE],
                       responses={200: StudioMemberSerializer(many=True), **error_responses(*READ_ERRORS)}),
    create=extend_schema(
        summary=_("Add a representative to the studio (its lead, admins and staff)"), parameters=[STUDIO_CODE],
        description=_("An active representative of the studio's region or a region below it. 409 when already a "
                      "member."),
        request=StudioMemberAddSerializer, responses={201: StudioMemberSerializer, **error_responses(*WRITE_ERRORS)},
        examples=[OpenApiExample("by id", request_only=True, value={"representative": 4}),
                  OpenApiExample("by mobile number", request_only=True, value={"who": "13900001111"}), MEMBER]),
    partial_update=extend_schema(
        summary=_("Appoint a member studio admin, or make an admin a plain member again"), parameters=[STUDIO_CODE],
        request=StudioMemberRoleSerializer, responses={200: StudioMemberSerializer, **error_responses(*WRITE_ERRORS)},
        examples=[OpenApiExample("appoint", request_only=True, value={"role": "admin"}), MEMBER]),
    destroy=extend_schema(
        summary=_("Remove a member from the studio"), parameters=[STUDIO_CODE],
        description=_("409 for the lead representative (change the lead in the back office)."),
        responses={204: None, **error_responses(*WRITE_ERRORS)}),
)
class StudioMemberViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                          viewsets.GenericViewSet):
    serializer_class = StudioMemberSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = ApiPagination
    filter_backends = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def studio(self) -> Studio:
        if not hasattr(self, "_studio"):
            studio = (Studio.objects.select_related("region", "lead").filter(code=self.kwargs["studio_code"])
                      .first())
            if studio is None or not access.can_manage_studio(self.request.user, studio):
                raise NotFound(_("No such studio among those you manage."))
            self._studio = studio
        return self._studio

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no studio in the path
            return StudioMembership.objects.none()
        return (StudioMembership.objects.filter(studio=self.studio()).select_related("studio", "representative__region")
                .order_by("-role", "representative__name", "id"))

    def _fresh(self, membership_id, http_status=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=membership_id)).data, status=http_status)

    def create(self, request, *args, **kwargs):
        studio = self.studio()
        serializer = StudioMemberAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "who" in data:
            from petitions.dashboard.members import AddMemberForm  # the page's own lookup

            form = AddMemberForm({"who": data["who"]}, studio=studio)
            if not form.is_valid():
                raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
            representative = form.cleaned_data["who"]
        else:
            representative = Representative.objects.filter(pk=data["representative"]).first()
            if representative is None:
                message = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
                raise ValidationError({"representative": [str(message).format(pk_value=data["representative"])]})
        with service_refusals():
            membership = studio_member_add(studio=studio, representative=representative, actor=request.user)
        return self._fresh(membership.pk, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        serializer = StudioMemberRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_refusals():
            studio_member_set_role(studio=self.studio(), membership_id=membership.pk,
                                   role=serializer.validated_data["role"], actor=request.user)
        return self._fresh(membership.pk)

    def destroy(self, request, *args, **kwargs):
        membership = self.get_object()
        with service_refusals():
            studio_member_remove(studio=self.studio(), membership_id=membership.pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
