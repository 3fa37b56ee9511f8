"""Representatives (public fields only), proposals, research topics and assignments."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from petitions.api.errors import StrictSerializer

from ..models import AssignmentReport, Proposal, Representative, ResearchClaim, ResearchTopic


class RepresentativeSerializer(serializers.ModelSerializer):
    """Public fields only: never the phone, the account or the work unit."""

    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    studios = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Representative
        fields = ["id", "name", "level", "sectors", "studios"]


class ProposalSerializer(serializers.ModelSerializer):
    representative = serializers.CharField(source="representative.name", read_only=True)
    agency = serializers.CharField(source="agency.name", read_only=True)
    sector = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    department = serializers.CharField(source="department.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Proposal
        fields = ["id", "kind", "title", "body", "sector", "status", "representative", "agency", "department",
                  "answer", "submitted_at", "accepted_at", "answered_at"]


class ProposalCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices, default=Proposal.Kind.SUGGESTION)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    sector = serializers.SlugRelatedField(slug_field="code", queryset=Proposal.sector.field.related_model.objects.all(),
                                          required=False, allow_null=True, default=None)


class ResearchTopicSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.name", read_only=True)
    sector = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    claimed = serializers.IntegerField(read_only=True, help_text=_("How many representatives claimed it."))
    my_claim = serializers.SerializerMethodField(help_text=_("Your claim's status, or null."))

    class Meta:
        model = ResearchTopic
        fields = ["id", "title", "description", "sector", "agency", "max_claimants", "claimed", "due_on", "status",
                  "published_at", "my_claim"]

    def get_my_claim(self, topic) -> str | None:
        return self.context.get("my_claims", {}).get(topic.pk)


class ResearchClaimSerializer(serializers.ModelSerializer):
    topic = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ResearchClaim
        fields = ["id", "topic", "status", "claimed_at", "submitted_at"]


class AssignmentSerializer(serializers.ModelSerializer):
    """One task given to the calling representative (their AssignmentReport row)."""

    title = serializers.CharField(source="assignment.title", read_only=True)
    description = serializers.CharField(source="assignment.description", read_only=True)
    agency = serializers.CharField(source="assignment.agency.name", read_only=True)
    studio = serializers.CharField(source="assignment.studio.code", read_only=True, allow_null=True, default=None)
    due_on = serializers.DateField(source="assignment.due_on", read_only=True)

    class Meta:
        model = AssignmentReport
        fields = ["id", "title", "description", "agency", "studio", "due_on", "status", "evidence", "reported_at"]


class AssignmentReportSerializer(StrictSerializer):
    evidence = serializers.CharField(max_length=5000, help_text=_("What was done."))
