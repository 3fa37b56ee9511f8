"""A small world of two studios and one account per role, for access and dashboard tests."""
from types import SimpleNamespace

from django.utils import timezone

from liaison.models import StaffProfile
from offices.models import Region
from petitions.models import PetitionEvent, Status
from petitions.services import petition_transition
from tests.factories import (DepartmentFactory, LiaisonAgencyFactory, PetitionFactory, RegionFactory,
                             RepresentativeFactory, SectorFactory, StaffProfileFactory, StudioFactory,
                             StudioMembershipFactory, UserFactory)

A = PetitionEvent.Action

# The shortest way from submitted to each status, through the real transition service.
PATHS = {
    Status.SUBMITTED: [],
    Status.ACCEPTED: [(A.ACCEPT, {})],
    Status.REJECTED: [(A.REJECT, {"reason": "不属于受理范围"})],
    Status.DISPATCHED: [(A.ACCEPT, {}), (A.DISPATCH, {"loop": 1})],
    Status.ON_HOLD: [(A.ACCEPT, {}), (A.DISPATCH, {"loop": 1}), (A.HOLD, {"reason": "等待补充照片"})],
    Status.RESOLVED: [(A.ACCEPT, {}), (A.DISPATCH, {"loop": 1}), (A.RESOLVE, {"answer": "已排涝"})],
    Status.REPLIED: [(A.ACCEPT, {}), (A.DISPATCH, {"loop": 1}), (A.RESOLVE, {"answer": "已排涝"}), (A.REPLY, {})],
    Status.CLOSED: [(A.ACCEPT, {}), (A.DISPATCH, {"loop": 1}), (A.RESOLVE, {"answer": "已排涝"}), (A.REPLY, {}),
                    (A.CLOSE, {})],
}


def advance(petition, status):
    for action, kwargs in PATHS[status]:
        petition = petition_transition(petition_id=petition.pk, action=action, actor_label="test", **kwargs)
    petition.refresh_from_db()
    return petition


def build_world():
    city = RegionFactory(kind=Region.Kind.CITY)
    county_a = RegionFactory(parent=city, kind=Region.Kind.COUNTY)
    county_b = RegionFactory(parent=city, kind=Region.Kind.COUNTY)
    sector = SectorFactory()
    studio_a = StudioFactory(region=county_a, sector=sector)
    studio_b = StudioFactory(region=county_b, sector=sector)
    department = DepartmentFactory(region=county_b, sector=sector)

    w = SimpleNamespace(city=city, county_a=county_a, county_b=county_b, sector=sector, studio_a=studio_a,
                        studio_b=studio_b, department=department)
    w.rep_a = RepresentativeFactory(region=county_a, user=UserFactory(username="rep_a"))
    StudioMembershipFactory(studio=studio_a, representative=w.rep_a)
    w.rep_b = RepresentativeFactory(region=county_b, user=UserFactory(username="rep_b"))
    StudioMembershipFactory(studio=studio_b, representative=w.rep_b)
    w.studio_staff_a = StaffProfileFactory(user=UserFactory(username="staff_a"), role=StaffProfile.Role.STUDIO,
                                           studio=studio_a).user
    w.department_staff = StaffProfileFactory(user=UserFactory(username="dept"), role=StaffProfile.Role.DEPARTMENT,
                                             department=department).user
    agency = LiaisonAgencyFactory(region=county_a)
    w.liaison_a = StaffProfileFactory(user=UserFactory(username="liaison_a"), role=StaffProfile.Role.LIAISON,
                                      agency=agency).user
    w.organisation = StaffProfileFactory(user=UserFactory(username="zuzhibu"),
                                         role=StaffProfile.Role.ORGANISATION).user
    w.superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    w.nobody = UserFactory(username="nobody")

    now = timezone.now()
    kw = {"citizen_name": "张三丰", "citizen_phone": "13812341234"}
    # Received at A, still there.
    w.p_a = PetitionFactory(studio=studio_a, text="A 的诉求：路灯坏了", **kw)
    # Received at B, still there: A's people must not even learn that it exists.
    w.p_b = PetitionFactory(studio=studio_b, text="B 的诉求：下水道堵塞", **kw)
    # Received at B, assigned to A's representative.
    w.p_b_assigned = PetitionFactory(studio=studio_b, current_representative=w.rep_a, text="B 派给 rep_a", **kw)
    # Received at A, handled by B now: A keeps first-contact responsibility.
    w.p_a_moved = PetitionFactory(studio=studio_a, current_studio=studio_b, status=Status.DISPATCHED, loop=2,
                                  text="A 转给 B", **kw)
    # Received at B, with the department.
    w.p_dept = PetitionFactory(studio=studio_b, current_department=department, status=Status.DISPATCHED, loop=1,
                               text="部门办理中", **kw)
    # Loop 3 in county A's area (received at B): the liaison agency of county A sees it.
    w.p_loop3 = PetitionFactory(studio=studio_b, region=county_a, status=Status.DISPATCHED, loop=3,
                                text="系统性问题", submitted_at=now, **kw)
    w.all = [w.p_a, w.p_b, w.p_b_assigned, w.p_a_moved, w.p_dept, w.p_loop3]
    return w


# Who sees which petition (by attribute name on the world).
VISIBLE = {
    "rep_a": {"p_a", "p_b_assigned", "p_a_moved"},
    "rep_b": {"p_b", "p_b_assigned", "p_a_moved", "p_dept", "p_loop3"},
    "studio_staff_a": {"p_a", "p_a_moved"},
    "department_staff": {"p_dept"},
    "liaison_a": {"p_loop3"},
    "organisation": {"p_a", "p_b", "p_b_assigned", "p_a_moved", "p_dept", "p_loop3"},
    "superuser": {"p_a", "p_b", "p_b_assigned", "p_a_moved", "p_dept", "p_loop3"},
    "nobody": set(),
}


def user_of(world, role):
    value = getattr(world, role)
    return value.user if hasattr(value, "user") and not hasattr(value, "username") else value
