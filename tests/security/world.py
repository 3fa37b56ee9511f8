"""The two-studio world of tests/roles.py, with one of everything else on each side: studio A's and
studio B's (or agency A's and agency B's) photos, duties, files, flags, red cards, scorecards, threads and
notifications, each carrying a marker that must never appear on a page of a role that may not see it.

Side A is county A (studio A, rep_a, liaison agency A); side B is county B (studio B, rep_b, agency B).
"""
from __future__ import annotations

import io
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from assessment.models import DownloadJob, Notification, RedCard, Scorecard
from liaison.models import (Assignment, AssignmentReport, Discussion, DiscussionPost, LiaisonAgency, Proposal,
                            ResearchClaim, ResearchTopic)
from offices.choices import Flag, Level
from offices.models import StudioMembership
from petitions.models import Petition, PetitionPhoto
from tests.factories import UserFactory
from tests.factories import flag_change
from tests.roles import VISIBLE, build_world

# Every role of the matrix: the brief's eight, plus studio staff, an account with no role, and a back-office
# clerk who may only view petitions and photos in the admin.
CITIZEN = "citizen"  # anonymous, holding p_a's tracking code and the last 4 digits of its phone
ADMIN_VIEWER = "admin_viewer"
ROLES = ["anonymous", CITIZEN, *VISIBLE, ADMIN_VIEWER]
LOGGED_IN = frozenset({*VISIBLE, ADMIN_VIEWER})
WITH_ROLE = frozenset(LOGGED_IN - {"nobody", ADMIN_VIEWER})
ORG = frozenset({"organisation", "superuser"})
REPS = frozenset({"rep_a", "rep_b"})
P_B_PHONE = "13955558888"  # p_b's own phone number, so that the citizen's digits (1234) do not open it

# Who may see each side's objects (besides the petitions of tests/roles.py VISIBLE).
SEES = {
    "proposal": {"a": {"rep_a", "liaison_a", *ORG}, "b": {"rep_b", *ORG}},
    "topic": {"a": {"rep_a", "liaison_a", *ORG}, "b": {"rep_b", *ORG}},
    "claim": {"a": {"rep_a", "liaison_a", *ORG}, "b": {"rep_b", *ORG}},
    "task": {"a": {"rep_a", "liaison_a", *ORG}, "b": {"rep_b", *ORG}},
    "thread": {"a": {"rep_a", "studio_staff_a", "liaison_a", *ORG}, "b": {"rep_b", *ORG}},
    "note": {"a": {"rep_a", "superuser"}, "b": {"rep_b", "superuser"}},
    "flag": {"a": {"rep_a", "studio_staff_a", *ORG}, "b": {"rep_b", *ORG}},
    "card": {"a": {"rep_a", "studio_staff_a", *ORG}, "b": {"rep_b", *ORG}},
    "job": {"a": {"rep_a", "superuser"}, "b": {"rep_b", "superuser"}},  # a background download: its owner's
}
MARKERS = {f"MARK-{kind.upper()}-{side.upper()}": roles
           for kind, sides in SEES.items() for side, roles in sides.items()}


def jpeg(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(out, "JPEG")
    return out.getvalue()


def build_full_world():
    w = build_world()
    Petition.objects.filter(pk=w.p_b.pk).update(citizen_phone=P_B_PHONE)
    w.p_b.refresh_from_db()
    now, today = timezone.now(), timezone.localdate()
    w.agency_a = w.liaison_a.staff_profile.agency
    w.agency_b = LiaisonAgency.objects.create(name="B 县联络机构", level=Level.COUNTY, region=w.county_b)
    w.admin_viewer = UserFactory(username="clerk", is_staff=True)
    w.admin_viewer.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="petitions", codename__in=["view_petition", "view_petitionphoto"]))

    # Photos: one on each side's own petition, one on the loop-3 petition (received at B, county A's area).
    w.photo_a = PetitionPhoto.objects.create(petition=w.p_a, image=ContentFile(jpeg(), name="a.jpg"))
    w.photo_b = PetitionPhoto.objects.create(petition=w.p_b, image=ContentFile(jpeg((30, 30, 200)), name="b.jpg"))
    w.photo_loop3 = PetitionPhoto.objects.create(petition=w.p_loop3, image=ContentFile(jpeg(), name="c.jpg"))

    for side, rep, agency, studio, petition, user in (
            ("a", w.rep_a, w.agency_a, w.studio_a, w.p_a, w.rep_a.user),
            ("b", w.rep_b, w.agency_b, w.studio_b, w.p_b, w.rep_b.user)):
        mark = side.upper()
        proposal = Proposal.objects.create(
            representative=rep, agency=agency, title=f"路灯建议 MARK-PROPOSAL-{mark}", body="建议更换路灯。",
            attachment=ContentFile(b"<html><script>alert(1)</script></html>", name=f"proposal-{side}.html"))
        topic = ResearchTopic.objects.create(agency=agency, title=f"排涝调研 MARK-TOPIC-{mark}",
                                             due_on=today + timedelta(days=30))
        claim = ResearchClaim.objects.create(
            topic=topic, representative=rep, status=ResearchClaim.Status.SUBMITTED, report="调研报告",
            submitted_at=now, report_file=ContentFile(b"%PDF-1.4 report", name=f"report-{side}.pdf"))
        task = Assignment.objects.create(agency=agency, title=f"走访农户 MARK-TASK-{mark}", studio=studio,
                                         due_on=today + timedelta(days=7))
        report = AssignmentReport.objects.create(
            assignment=task, representative=rep,
            evidence_file=ContentFile(b"evidence", name=f"evidence-{side}.txt"))
        thread = Discussion.objects.create(title=f"秋收安排 MARK-THREAD-{mark}", studio=studio, created_by=user)
        DiscussionPost.objects.create(discussion=thread, author=user, body="大家看看")
        note = Notification.objects.create(user=user, text=f"提醒 MARK-NOTE-{mark}",
                                           url=f"/dashboard/p/{petition.tracking_code}/")
        flag = flag_change(petition=petition, from_flag=Flag.BLUE, to_flag=Flag.YELLOW,
                           stage="accept", reason=f"MARK-FLAG-{mark}")
        card = RedCard.objects.create(petition=petition, studio=studio, stage="accept",
                                      reason=f"超时 MARK-CARD-{mark}", rectify_by=now + timedelta(days=5))
        scorecard = Scorecard.objects.create(representative=rep, period=Scorecard.Period.MONTH,
                                             period_start=today.replace(day=1), received=1)
        membership = StudioMembership.objects.get(studio=studio, representative=rep)
        job = _download(user, scorecard, side)
        for name, value in (("proposal", proposal), ("topic", topic), ("claim", claim), ("task", task),
                            ("report", report), ("thread", thread), ("note", note), ("flag", flag), ("card", card),
                            ("scorecard", scorecard), ("membership", membership), ("job", job)):
            setattr(w, f"{name}_{side}", value)
    return w


def _download(user, scorecard, side) -> DownloadJob:
    """A finished background export of the owner's own scorecard, its file on disk."""
    folder = settings.DOWNLOADS_ROOT / "matrix"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"job-{side}.csv").write_text(f"tracking code\nMARK-JOB-{side.upper()}\n", encoding="utf-8")
    now = timezone.now()
    return DownloadJob.objects.create(
        owner=user, kind=DownloadJob.Kind.REPORT, title=f"导出 MARK-JOB-{side.upper()}", language="zh-hans",
        params={"report": "scorecard", "card": scorecard.pk, "figure": "received", "format": "csv"},
        status=DownloadJob.Status.DONE, file_path=f"matrix/job-{side}.csv", filename=f"job-{side}.csv",
        created_at=now, queued_at=now, finished_at=now, expires_at=now + timedelta(days=1))


def hidden_markers(role: str) -> list[str]:
    """The markers of objects `role` may not see (anonymous visitors and citizens see none of them)."""
    return [marker for marker, roles in MARKERS.items() if role not in roles]


def hidden_petitions(world, role: str) -> list[Petition]:
    return [getattr(world, n) for n in ("p_a", "p_b", "p_b_assigned", "p_a_moved", "p_dept", "p_loop3")
            if n not in VISIBLE.get(role, set())]
