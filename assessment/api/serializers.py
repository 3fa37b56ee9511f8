from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import FlagChange, RedCard, Scorecard


class FlagChangeSerializer(serializers.ModelSerializer):
    petition = serializers.CharField(source="petition.tracking_code", read_only=True, allow_null=True, default=None)
    representative = serializers.CharField(source="representative.name", read_only=True, allow_null=True,
                                           default=None)
    studio = serializers.CharField(source="studio.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = FlagChange
        fields = ["id", "petition", "representative", "studio", "from_flag", "to_flag", "stage", "at", "reason"]


class RedCardSerializer(serializers.ModelSerializer):
    petition = serializers.CharField(source="petition.tracking_code", read_only=True, allow_null=True, default=None)
    representative = serializers.CharField(source="representative.name", read_only=True, allow_null=True,
                                           default=None)
    studio = serializers.CharField(source="studio.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = RedCard
        fields = ["id", "petition", "stage", "representative", "studio", "reason", "issued_at", "rectify_by", "status",
                  "rectification", "rectified_at", "closed_at"]


class ScorecardSerializer(serializers.ModelSerializer):
    representative = serializers.CharField(source="representative.name", read_only=True, allow_null=True,
                                           default=None)
    studio = serializers.CharField(source="studio.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Scorecard
        fields = ["id", "representative", "studio", "period", "period_start", "received", "accepted_on_time",
                  "resolved", "resolved_on_time", "rated", "satisfied", "reopened", "yellow", "red", "red_cards_open",
                  "red_cards_rectified", "proposals", "research", "assignments", "assignments_overdue", "activities",
                  "score", "flag", "computed_at"]


class TrendPointSerializer(serializers.Serializer):
    start = serializers.DateField()
    collected = serializers.IntegerField()
    resolved = serializers.IntegerField()


class SectorFigureSerializer(serializers.Serializer):
    sector = serializers.CharField(allow_null=True)
    collected = serializers.IntegerField()
    resolved = serializers.IntegerField()


class ReportFiguresSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(help_text=_("The first day after the period."))
    collected = serializers.IntegerField()
    resolved = serializers.IntegerField()
    representatives = serializers.IntegerField()
    studios = serializers.IntegerField()
    weekly = TrendPointSerializer(many=True)
    monthly = TrendPointSerializer(many=True)
    by_sector = SectorFigureSerializer(many=True)
    as_of = serializers.DateTimeField(help_text=_("When these figures were computed: a view's figures are shared for "
                                                  "a few minutes (REPORTS_SNAPSHOT_SECONDS)."))
