"""`manage.py seed_demo --scale small`: the contract operators and `make run` rely on."""
import datetime as dt
import io
import re
import sys
from collections import defaultdict

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from liaison.models import LiaisonAgency, Representative, StaffProfile
from offices.models import Region, Sector, Studio, StudioMembership, StudioOutcome
from petitions import workflow
from petitions.models import Petition, PetitionEvent, Status

pytestmark = pytest.mark.django_db
DEMO_STUDIO = "371526-agri"


def seed():
    out = io.StringIO()
    call_command("seed_demo", scale="small", stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The small demo city, seeded once for the module's read-only tests: inside a transaction of the module's
    own that is rolled back at its end, so each test's own transaction is a savepoint within it and nothing
    outlives the module (the tests only read; any write of one is still undone by its savepoint)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            summary = seed()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    yield summary
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def test_running_twice_adds_nothing():
    seed()
    first = counts()
    assert first["petitions.Petition"] >= 500 and first["liaison.Representative"] == 200
    seed()
    assert counts() == first


def test_the_summary_lists_the_logins(seeded):
    for username in ("admin", "daibiao", "zuzhibu", "gongzuoshi", "bumen", "lianluo"):
        assert username in seeded
    assert "demo12345" in seeded and f"/s/{DEMO_STUDIO}/" in seeded


def test_every_status_appears(seeded):
    present = set(Petition.objects.values_list("status", flat=True).distinct())
    assert present == set(Status.values)


def test_studios_have_a_lead_among_their_members(seeded):
    studios = Studio.objects.annotate(n=Count("memberships"))
    assert studios.count() == 12
    for studio in studios:
        assert studio.lead_id is not None, studio.code
        assert studio.n >= 8, studio.code
        assert StudioMembership.objects.filter(studio=studio, representative_id=studio.lead_id).exists()
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]{1,31}", studio.code)
    per_rep = StudioMembership.objects.values("representative").annotate(n=Count("id"))
    assert max(row["n"] for row in per_rep) <= 2


def test_demo_users_and_their_roles(seeded):
    users = {u.username: u for u in User.objects.prefetch_related("groups")}
    for username in ("admin", "daibiao", "zuzhibu", "gongzuoshi", "bumen", "lianluo"):
        assert users[username].check_password("demo12345"), username
    assert users["admin"].is_superuser
    groups = {name: {g.name for g in users[name].groups.all()} for name in users}
    assert groups["daibiao"] == {"representative"} and groups["zuzhibu"] == {"organisation"}
    assert groups["gongzuoshi"] == {"studio"} and groups["bumen"] == {"department"}
    assert groups["lianluo"] == {"liaison"}

    rep = Representative.objects.get(user=users["daibiao"])
    assert Studio.objects.get(code=DEMO_STUDIO).memberships.filter(representative=rep).exists()
    profiles = {p.user.username: p for p in StaffProfile.objects.select_related("user", "studio", "department",
                                                                               "agency__region")}
    assert profiles["zuzhibu"].role == StaffProfile.Role.ORGANISATION
    assert profiles["gongzuoshi"].role == StaffProfile.Role.STUDIO and profiles["gongzuoshi"].studio.code == DEMO_STUDIO
    assert profiles["bumen"].role == StaffProfile.Role.DEPARTMENT
    assert profiles["bumen"].department.name == "高唐县农业农村局"
    assert profiles["lianluo"].role == StaffProfile.Role.LIAISON and profiles["lianluo"].agency.region.code == "371500"


def test_every_trail_starts_with_submit_and_ends_in_the_petition_status(seeded):
    trails = defaultdict(list)
    for row in PetitionEvent.objects.order_by("petition_id", "at", "id").values_list(
            "petition_id", "action", "from_status", "to_status"):
        trails[row[0]].append(row[1:])
    status = dict(Petition.objects.values_list("id", "status"))
    assert set(trails) == set(status)
    for pk, trail in trails.items():
        assert trail[0] == (PetitionEvent.Action.SUBMIT, "", Status.SUBMITTED), pk
        changes = [(action, before, after) for action, before, after in trail[1:] if action in workflow.TRANSITIONS]
        current = Status.SUBMITTED
        for action, before, after in changes:
            assert before == current, (pk, trail)
            assert after in (workflow.next_status(action, before, resume_to=after, rating="satisfied"),
                             workflow.next_status(action, before, resume_to=after, rating="dissatisfied")), (pk, trail)
            current = after
        assert [after for _a, _b, after in trail if after][-1] == status[pk], (pk, trail)


def test_fields_match_the_state(seeded):
    petitions = Petition.objects.all()
    now = timezone.now()
    assert not petitions.filter(submitted_at__lt=now - dt.timedelta(days=366)).exists()
    assert not petitions.filter(routed_at__isnull=True).exclude(status=Status.SUBMITTED).exists()
    handled = petitions.filter(status__in=[Status.DISPATCHED, Status.RESOLVED, Status.REPLIED, Status.CLOSED])
    assert not handled.filter(loop__isnull=True).exists() and not handled.filter(dispatched_at__isnull=True).exists()
    assert not petitions.filter(status__in=[Status.RESOLVED, Status.REPLIED, Status.CLOSED], answer="").exists()
    assert not petitions.filter(status=Status.CLOSED, rating="").exists()
    assert not petitions.filter(status=Status.REJECTED, reject_reason="").exists()
    assert not petitions.filter(status=Status.ON_HOLD, hold_reason="").exists()
    assert not petitions.filter(status__in=[Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.RESOLVED],
                                due_at__isnull=True).exists()
    assert all(20 <= len(text) <= 200 for text in petitions.values_list("text", flat=True))


def test_places_and_the_newspaper_facts(seeded):
    assert Sector.objects.count() == 10
    village = Region.objects.get(name="琉璃庙村")
    assert village.parent.name == "梁村镇" and village.parent.parent.name == "高唐县"
    assert len(village.code) == 12 and len(village.parent.code) == 9
    assert village.path == f"/371500/371526/{village.parent.code}/{village.code}/"
    assert Region.objects.filter(name="耿店村", parent__name="贾寨镇").exists()
    assert Region.objects.filter(name="贾庄村", parent__name="辛集镇").exists()
    assert LiaisonAgency.objects.count() == 4  # the city and the three counties of `small`
    finance = set(StudioOutcome.objects.filter(studio__code="371500-finance").values_list("value", flat=True))
    assert {2_000_000, 280_000_000} <= {int(v) for v in finance}
    agri = {int(v) for v in StudioOutcome.objects.filter(studio__code=DEMO_STUDIO).values_list("value", flat=True)}
    assert {1275, 240_000} <= agri
