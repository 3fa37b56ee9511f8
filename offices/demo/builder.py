"""Runs the seed phases, each in one transaction, and reports what the database holds afterwards."""
import time
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from assessment.models import SlaPolicy
from liaison.models import (Assignment, AssignmentReport, Discussion, DiscussionPost, DutyRecord, LiaisonAgency,
                            Proposal, Representative, ResearchClaim, ResearchTopic, StaffProfile)
from offices.models import Department, Region, Sector, Studio, StudioActivity, StudioMembership, StudioOutcome
from assessment.models import FlagChange, Notification, RedCard, SlaPause
from petitions.models import HotlineDelivery, JointConsultation, Petition, PetitionEvent, PetitionTerm, SectorKeyword

from .build_accounts import PASSWORD, build_accounts
from .build_activity import build_activity
from .build_duties import build_duties
from .build_org import build_org
from .build_people import build_people
from .build_petitions import build_petitions

COUNTED = (
    Sector, Region, Department, LiaisonAgency, Studio, Representative, StudioMembership, User, StaffProfile,
    SlaPolicy, SectorKeyword, Petition, PetitionEvent, PetitionTerm, SlaPause, JointConsultation, HotlineDelivery,
    FlagChange, RedCard, Notification, StudioActivity, StudioOutcome, Proposal, ResearchTopic, ResearchClaim,
    Assignment, AssignmentReport, Discussion, DiscussionPost, DutyRecord,
)


@dataclass
class Result:
    before: dict
    after: dict
    phases: list = field(default_factory=list)  # (name, seconds)
    logins: list = field(default_factory=list)  # (username, description)
    password: str = PASSWORD

    @property
    def seconds(self) -> float:
        return sum(s for _n, s in self.phases)


def counts() -> dict:
    return {model._meta.label: model.objects.count() for model in COUNTED}


def hotwords_refresh(**kwargs):
    from petitions.hotwords.services import hotwords_refresh as refresh

    return refresh(**kwargs)


def seed(scale, log=lambda message: None) -> Result:
    now = timezone.now()
    result = Result(before=counts(), after={})
    phases = (
        ("places, sectors, departments, studios", lambda: build_org(scale)),
        ("representatives and studio members", lambda: build_people(scale)),
        ("demo accounts", lambda: result.logins.extend(build_accounts(scale))),
        ("petitions and their trails", lambda: build_petitions(scale, now)),
        ("studio activities and outcomes", lambda: build_activity(scale, now)),
        ("proposals, research, assignments, discussions, duty records", lambda: build_duties(scale, now)),
        # So that the landing page and the dashboard show hot words at once, not after beat's first refresh.
        ("hot words", lambda: hotwords_refresh(notify=False)),
    )
    for name, phase in phases:
        started = time.perf_counter()
        with transaction.atomic():
            phase()
        result.phases.append((name, time.perf_counter() - started))
        log(f"  {name}: {result.phases[-1][1]:.1f}s")
    result.after = counts()
    return result
