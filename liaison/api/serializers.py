"""Representatives (public fields only), proposals, research topics and assignments."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from petitions.api.errors import StrictSerializer

from offices.models import Department, Sector

from .. import access
from ..models import AssignmentReport, Proposal, Representative, ResearchClaim, ResearchTopic
from ..services import proposal_steps_allowed


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
    attachment = serializers.SerializerMethodField(help_text=_("Where to download the attachment, or null."))
    steps = serializers.SerializerMethodField(help_text=_("The steps you may take now: for the staff of the "
                                                          "liaison agency that received it, else empty."))

    class Meta:
        model = Proposal
        fields = ["id", "kind", "title", "body", "sector", "status", "representative", "agency", "department",
                  "answer", "attachment", "submitted_at", "accepted_at", "answered_at", "steps"]

    def get_attachment(self, proposal) -> str | None:
        return proposal.attachment.url if proposal.attachment else None

    def get_steps(self, proposal) -> list[str]:
        request = self.context.get("request")
        if request is None or not access.runs_agency(request.user, proposal.agency_id):
            return []
        return [step.replace("_", "-") for step in proposal_steps_allowed(proposal)]


class ProposalCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices, default=Proposal.Kind.SUGGESTION)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    sector = serializers.SlugRelatedField(slug_field="code", queryset=Proposal.sector.field.related_model.objects.all(),
                                          required=False, allow_null=True, default=None)


class ProposalCreateMultipartSerializer(ProposalCreateSerializer):
    """The same fields as multipart/form-data, with the attachment the page's form also takes."""

    attachment = serializers.FileField(required=False, use_url=False,
                                       help_text=_("A file that goes with it (a document, a spreadsheet)."))


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
    """A representative's claim on a topic, with the report and the agency's review."""

    topic = serializers.PrimaryKeyRelatedField(read_only=True)
    topic_title = serializers.CharField(source="topic.title", read_only=True)
    representative = serializers.CharField(source="representative.name", read_only=True)

    class Meta:
        model = ResearchClaim
        fields = ["id", "topic", "topic_title", "representative", "status", "report", "review", "claimed_at",
                  "submitted_at", "reviewed_at"]


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


# --- the liaison agency's writes, and the representative's research report -----------------------

class ProposalDeclineSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=20000, allow_blank=True,
                                   help_text=_("Why it is not accepted; the representative reads it."))


class ProposalHandOverSerializer(StrictSerializer):
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all(),
                                              help_text=_("The code of a department in your agency's area."))


class ProposalAnswerSerializer(StrictSerializer):
    answer = serializers.CharField(max_length=20000, allow_blank=True)


class ResearchTopicCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    sector = serializers.SlugRelatedField(slug_field="code", queryset=Sector.objects.all(), required=False,
                                          allow_null=True, default=None)
    max_claimants = serializers.IntegerField(min_value=1, max_value=32767, required=False, default=3,
                                             help_text=_("How many representatives may claim it."))
    due_on = serializers.DateField(help_text=_("The report is due on this day (today or later)."))


class ResearchReportSubmitSerializer(StrictSerializer):
    report = serializers.CharField(max_length=20000, allow_blank=True)


class ResearchReviewSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=[("accept", _("Accept the report")),
                                                ("return", _("Return for revision"))])
    review = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="",
                                   help_text=_("Required when returning: what to revise."))
