"""Phase 3: the demo logins, their role groups and what each works for."""
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User

from liaison.models import LiaisonAgency, Representative, StaffProfile
from offices.models import Department, Region, Studio

from .places import CITY_CODE

PASSWORD = "demo12345"
GROUPS = ("representative", "studio", "department", "liaison", "organisation")
# The busy county agriculture studio the representative and studio logins work in.
DEMO_STUDIO = "371526-agri"
DEMO_DEPARTMENT = "371526-agri"

# username, display name, group, what the account is
ACCOUNTS = (
    ("admin", "系统管理员", None, "superuser: the back office /admin/"),
    ("daibiao", "", "representative", "representative, lead of studio {studio}"),
    ("zuzhibu", "市委组织部 张明华", "organisation", "organisation department (reports)"),
    ("gongzuoshi", "工作室联络员 刘晓燕", "studio", "studio staff of {studio}"),
    ("bumen", "高唐县农业农村局 王建军", "department", "department staff of 高唐县农业农村局"),
    ("lianluo", "市党代表联络工作办公室 孙丽娟", "liaison", "liaison agency staff of 聊城市"),
)


def build_accounts(scale) -> list[tuple[str, str]]:
    """Creates what is missing; returns (username, description) for the summary."""
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in GROUPS}
    studio = Studio.objects.select_related("lead").get(code=DEMO_STUDIO)
    existing = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS])}
    password = None
    users = {}
    for username, display, group, _what in ACCOUNTS:
        user = existing.get(username)
        if user is None:
            password = password or make_password(PASSWORD)  # hashed once: the slow part
            if username == "daibiao" and studio.lead:
                display = studio.lead.name
            user = User.objects.create(username=username, password=password, first_name=display,
                                       is_staff=username == "admin", is_superuser=username == "admin")
        if group:
            user.groups.add(groups[group])
        users[username] = user

    if studio.lead and not Representative.objects.filter(user=users["daibiao"]).exists() and not studio.lead.user_id:
        Representative.objects.filter(pk=studio.lead.pk).update(user=users["daibiao"])

    profiles = {
        "zuzhibu": dict(role=StaffProfile.Role.ORGANISATION, region=Region.objects.get(code=CITY_CODE)),
        "gongzuoshi": dict(role=StaffProfile.Role.STUDIO, studio=studio),
        "bumen": dict(role=StaffProfile.Role.DEPARTMENT, department=Department.objects.get(code=DEMO_DEPARTMENT)),
        "lianluo": dict(role=StaffProfile.Role.LIAISON, agency=LiaisonAgency.objects.get(region__code=CITY_CODE)),
    }
    for username, fields in profiles.items():
        StaffProfile.objects.get_or_create(user=users[username], defaults=fields)
    return [(username, what.format(studio=f"{studio.name} (/s/{studio.code}/)")) for username, _d, _g, what in ACCOUNTS]
