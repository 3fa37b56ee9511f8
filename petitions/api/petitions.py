"""Petitions over the API: the same visibility, masking and workflow as the dashboard pages.

Reads use liaison.access (petitions_visible_to, sees_citizen_contact, available_actions); a submission
(JSON, or multipart/form-data with up to 3 photos) is checked by the studio page's PetitionForm, photos
included (petitions/photos.py: decoded, re-encoded, metadata removed), and stored with its photos in one
transaction by petition_submit(); an action is checked by the dashboard's form for it and applied by
petition_act(), which calls petition_transition().
"""
from __future__ import annotations

import django_filters
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from liaison import access
from offices.choices import Flag, Loop
from offices.models import Department, Sector, Studio
from offices.selectors import studio_for_intake

from ..dashboard.actions import ActionNotPermitted, StalePage, petition_act, petition_version
from ..dashboard.forms import FORMS
from ..dashboard.selectors import routing_suggestion
from ..errors import MissingDetail, PetitionError, TransitionNotAllowed
from ..forms import PetitionForm
from ..models import HotWord, HotWordScope, HotWordWindow, Petition, PetitionEvent, Source, Status
from ..services import petition_submit
from ..workflow import allowed_actions
from .errors import READ_ERRORS, WRITE_ERRORS, Conflict, error_responses
from .pagination import ApiPagination
from .pagination import IsoDateTimeFilter, StrictFilterBackend
from .pagination import StrictOrderingFilter as OrderingFilter
from .serializers_petitions import (HotWordSerializer, PetitionActionSerializer, PetitionEventSerializer,
                                    PetitionReceiptSerializer, PetitionSerializer, PetitionSubmitMultipartSerializer,
                                    PetitionSubmitSerializer)

A = PetitionEvent.Action
ACTIONS = [str(a) for a in FORMS]


class Unprocessable(Conflict):
    status_code = 422
    default_code = "unprocessable"


class PetitionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    loop = django_filters.TypedChoiceFilter(choices=Loop.choices, coerce=int)
    flag = django_filters.ChoiceFilter(choices=Flag.choices)
    studio = django_filters.CharFilter(field_name="studio__code", help_text=_("Received at this studio (code)."))
    current_studio = django_filters.CharFilter(field_name="current_studio__code")
    sector = django_filters.CharFilter(field_name="sector__code")
    submitted_after = IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = Petition
        fields = ["status", "loop", "flag", "studio", "current_studio", "sector", "submitted_after",
                  "submitted_before"]


SUBMIT_EXAMPLE = OpenApiExample("a citizen's request", request_only=True, value={
    "studio": "371526-agri", "text": "村东头的灌溉渠堵塞了，麦田浇不上水，请帮忙协调疏通。", "citizen_name": "张三",
    "citizen_phone": "13812341234", "address": "高唐县某村东头", "consent": True})
RECEIPT_EXAMPLE = OpenApiExample("receipt", response_only=True, status_codes=["201"], value={
    "tracking_code": "K7Q2M9XH3P", "status": "submitted", "submitted_at": "2026-11-29T09:30:00+08:00",
    "created": True})


@extend_schema_view(
    list=extend_schema(summary=_("Petitions you may see (your queue; everything for the organisation department)"),
                       responses={200: PetitionSerializer(many=True), **error_responses(400, 401, 404, 406, 429)}),
    retrieve=extend_schema(summary=_("One petition, by tracking code (404 unless you may see it)"),
                           responses={200: PetitionSerializer, **error_responses(*READ_ERRORS)}),
    create=extend_schema(summary=_("Submit a petition (anonymous allowed; rate limited per client)"),
                         description=_("JSON, or multipart/form-data to attach up to 3 photos (a `photos` part "
                                       "each): they are checked and re-encoded as on the studio's page, and a "
                                       "petition with a photo that is refused is not stored (400 on `photos`)."),
                         request={"application/json": PetitionSubmitSerializer,
                                  "application/x-www-form-urlencoded": PetitionSubmitSerializer,
                                  "multipart/form-data": PetitionSubmitMultipartSerializer},
                         examples=[SUBMIT_EXAMPLE, RECEIPT_EXAMPLE],
                         responses={201: PetitionReceiptSerializer, 200: PetitionReceiptSerializer,
                                    **error_responses(400, 404, 406, 415, 429)}),
)
class PetitionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PetitionSerializer
    pagination_class = ApiPagination
    filterset_class = PetitionFilter
    filter_backends = [StrictFilterBackend, OrderingFilter]
    ordering_fields = ["submitted_at", "updated_at", "due_at"]
    lookup_field = "tracking_code"
    throttle_scope = "submit"

    def get_permissions(self):
        return [AllowAny()] if self.action == "create" else [IsAuthenticated()]

    def get_throttles(self):
        throttles = super().get_throttles()
        return [*throttles, ScopedRateThrottle()] if self.action == "create" else throttles

    def get_queryset(self):
        qs = Petition.objects.select_related("studio__region", "region", "current_studio", "current_department",
                                             "current_representative", "sector", "category")
        return access.petitions_visible_to(self.request.user, qs).order_by("-submitted_at", "-id")

    def create(self, request, *args, **kwargs):
        multipart = (request.content_type or "").startswith("multipart/form-data")
        serializer = (PetitionSubmitMultipartSerializer if multipart else PetitionSubmitSerializer)(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        studio = studio_for_intake(data["studio"])
        if studio is None or not studio.active:
            raise ValidationError({"studio": [_("No open studio has this code.")]})
        category = studio.sector_id
        if data.get("category"):
            category = Sector.objects.filter(code=data["category"]).values_list("pk", flat=True).first()
            if category is None:
                raise ValidationError({"category": [_("Please choose one of the listed topics.")]})
        files = MultiValueDict({"photos": list(data.get("photos") or [])})
        form = PetitionForm({**{k: v for k, v in data.items() if k not in ("studio", "category", "photos")},
                             "category": category, "consent": "on" if data["consent"] else "",
                             "latitude": "" if data["latitude"] is None else data["latitude"],
                             "longitude": "" if data["longitude"] is None else data["longitude"]}, files,
                            studio=studio)
        if not form.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        c = form.cleaned_data
        petition, created = petition_submit(
            studio=studio, text=c["text"], category=c["category"], citizen_name=c["citizen_name"],
            citizen_phone=c["citizen_phone"], address=c["address"], latitude=c.get("latitude"),
            longitude=c.get("longitude"), photos=c["photos"], source=Source.API,
            idempotency_key=c.get("idempotency_key"))
        body = {"tracking_code": petition.tracking_code, "status": petition.status,
                "submitted_at": petition.submitted_at, "created": created}
        return Response(PetitionReceiptSerializer(body).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(summary=_("The petition's trail: every step, who, when, from, to, why"),
                   responses={200: PetitionEventSerializer(many=True), **error_responses(*READ_ERRORS)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, tracking_code=None):
        petition = self.get_object()
        events = (PetitionEvent.objects.filter(petition=petition).select_related("actor", "studio", "department")
                  .order_by("at", "id"))
        return Response(PetitionEventSerializer(events, many=True).data)

    @extend_schema(
        summary=_("Take a workflow action (受理 accept, 分转 dispatch, 办结 resolve, 反馈 reply, ...)"),
        description=_("The same rules as the dashboard: 404 if you may not see the petition, 403 if your role "
                      "may not take the action, 409 if the petition's state does not allow it (or changed from "
                      "expected_status), 400 for missing details (reason for reject and hold, answer for "
                      "resolve, note for reply and note, loop for dispatch, studio and note for transfer)."),
        parameters=[OpenApiParameter("action_name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=ACTIONS)],
        request=PetitionActionSerializer,
        examples=[OpenApiExample("resolve", request_only=True, value={"answer": "已协调水利站疏通灌溉渠。"}),
                  OpenApiExample("dispatch", request_only=True, value={"loop": 1, "note": "本行业办理"})],
        responses={200: PetitionSerializer, **error_responses(*WRITE_ERRORS, 422)},
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[^/.]+)", filter_backends=[])
    def act(self, request, tracking_code=None, action_name=None):
        petition = self.get_object()  # 404 before anything else: never confirm existence
        if action_name not in FORMS:
            raise NotFound(_("No such action."))
        if action_name not in access.permitted_actions(request.user, petition):
            raise PermissionDenied(ActionNotPermitted().message)
        serializer = PetitionActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        expected = data.pop("expected_status", None) or petition.status
        if expected != petition.status or action_name not in allowed_actions(petition.status):
            raise Conflict(TransitionNotAllowed(action_name, petition.status).message)
        form_data = {"expected_status": expected, "version": petition_version(petition)}
        for key, value in data.items():
            if key == "studio":
                value = Studio.objects.filter(code=value).values_list("pk", flat=True).first() or "-"
            elif key == "department":
                value = Department.objects.filter(code=value).values_list("pk", flat=True).first() or "-"
            form_data[key] = value
        departments = form_data.pop("departments", None)
        from django.http import QueryDict

        qd = QueryDict(mutable=True)
        qd.update({k: v for k, v in form_data.items()})
        if departments:
            qd.setlist("departments", [str(pk) for pk in Department.objects.filter(code__in=departments)
                                       .values_list("pk", flat=True)] or ["-"])
        form = FORMS[action_name](qd, petition=petition, suggestion=routing_suggestion(petition),
                                  may_override=access.may_override_routing(request.user))
        if not form.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        try:
            petition_act(user=request.user, petition_id=petition.pk, action=action_name,
                         expected_status=form.cleaned_data["expected_status"], version=form.cleaned_data["version"],
                         details=form.details())
        except (StalePage, TransitionNotAllowed) as exc:
            raise Conflict(exc.message) from exc
        except ActionNotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except MissingDetail as exc:
            raise ValidationError({exc.field: [str(exc.message)]}) from exc
        except PetitionError as exc:
            raise Unprocessable(exc.message) from exc
        petition = self.get_queryset().get(pk=petition.pk)
        return Response(PetitionSerializer(petition, context=self.get_serializer_context()).data)


class HotWordFilter(django_filters.FilterSet):
    window = django_filters.ChoiceFilter(choices=HotWordWindow.choices)
    scope = django_filters.ChoiceFilter(choices=HotWordScope.choices)
    region = django_filters.CharFilter(field_name="region__code", help_text=_("A county's code (scope county)."))
    sector = django_filters.CharFilter(field_name="sector__code", help_text=_("A sector's code (scope sector)."))

    class Meta:
        model = HotWord
        fields = ["window", "scope", "region", "sector"]


@extend_schema_view(
    list=extend_schema(summary=_("Hot words (热词): terms citizens raise more than usual"),
                       responses={200: HotWordSerializer(many=True), **error_responses(400, 404, 406, 429)}),
)
class HotWordViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Public: the words hidden from the public by staff curation are left out (staff see them on the pages)."""

    serializer_class = HotWordSerializer
    permission_classes = [AllowAny]
    pagination_class = ApiPagination
    filterset_class = HotWordFilter
    filter_backends = [StrictFilterBackend]
    queryset = (HotWord.objects.filter(blocked=False).select_related("region", "sector")
                .order_by("window", "scope", "region_id", "sector_id", "rank"))
