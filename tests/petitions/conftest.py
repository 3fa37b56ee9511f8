"""Fixtures for the three loops: a small county, the fake 12345 hotline as a real process, a killable worker.

The fake hotline of this test session listens on a free loopback port, and the worker subprocesses
must post there: HOTLINE_URL is put in the environment at import (collection time), before any worker
starts (tests/conftest.py's worker_env copies os.environ when it is first used). Retries back off
from 1 second instead of 30 so that "down, then back" takes seconds.
"""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from types import SimpleNamespace

import pytest
from django.conf import settings

from liaison.models import LiaisonAgency
from offices.choices import Level
from offices.models import Region, Studio
from petitions.keywords import sector_keywords_load
from tests.conftest import ROOT
from tests.factories import (DepartmentFactory, RegionFactory, RepresentativeFactory, SectorFactory,
                             StudioFactory, StudioMembershipFactory)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


HOTLINE_PORT = _free_port()
HOTLINE_URL = f"http://127.0.0.1:{HOTLINE_PORT}/api/petitions"
os.environ["HOTLINE_URL"] = HOTLINE_URL
os.environ["HOTLINE_RETRY_BASE_SECONDS"] = "1"
os.environ["HOTLINE_RETRY_MAX_SECONDS"] = "2"


@pytest.fixture(autouse=True, scope="session")
def _hotline_settings():
    settings.HOTLINE_URL = HOTLINE_URL
    settings.HOTLINE_RETRY_BASE_SECONDS = 1
    settings.HOTLINE_RETRY_MAX_SECONDS = 2


# The seed's sector codes (offices/demo/sectors.py).
SECTORS = {"chain": "产业链服务", "govservice": "政务服务", "opinion": "社情民意", "grassroots": "基层治理",
           "agri": "农业技术", "finance": "金融服务", "medical": "医疗保障", "talent": "人才服务",
           "safety": "公共安全（反诈）", "civil": "民政与乡村振兴"}

TEXTS = {
    # the county agriculture studio's own sector
    "agri": "我家玉米地里病虫害严重，叶子都黄了，想请农技员来指导一下用什么农药。",
    # another department's matter, and that sector has a studio in the county
    "safety": "我在网上被人骗了五千元，对方冒充客服让我转账，希望帮忙追回。",
    # another department's matter that no studio of the county covers
    "talent": "孩子大学毕业两年了还没找到工作，希望提供技能培训和招聘信息，帮助毕业生就业。",
    # several departments at once
    "several": "村里路灯不亮、道路坑洼，老人看病医保报销也难，合作社想贷款资金周转也办不下来。",
    # many of these from one township
    "streetlight": "我们小区的路灯坏了好几天，晚上出行很不安全，请尽快修理。",
}


def build_county():
    """One city, one county with a township and a village; departments for all ten sectors in the county;
    industry studios for agriculture (also covers civil affairs) and public safety, none for talent;
    a township studio; a liaison agency for the county; the shipped routing dictionary."""
    city = RegionFactory(kind=Region.Kind.CITY)
    county = RegionFactory(parent=city, kind=Region.Kind.COUNTY)
    town = RegionFactory(parent=county, kind=Region.Kind.TOWNSHIP)
    village = RegionFactory(parent=town, kind=Region.Kind.VILLAGE)
    sectors = {code: SectorFactory(code=code, name=name) for code, name in SECTORS.items()}
    departments = {code: DepartmentFactory(sector=sector, region=county) for code, sector in sectors.items()}
    agri = StudioFactory(sector=sectors["agri"], region=county, level=Level.COUNTY,
                         host_department=departments["agri"])
    agri.sectors.add(sectors["civil"])
    safety = StudioFactory(sector=sectors["safety"], region=county, level=Level.COUNTY,
                           host_department=departments["safety"])
    township_studio = StudioFactory(kind=Studio.Kind.TOWNSHIP, level=Level.TOWNSHIP, sector=sectors["grassroots"],
                                    region=town, host_department=None)
    township_studio.sectors.add(sectors["civil"])
    reps = SimpleNamespace(
        agri_lead=RepresentativeFactory(region=county), agri_member=RepresentativeFactory(region=county),
        safety_lead=RepresentativeFactory(region=county), town_lead=RepresentativeFactory(region=town))
    for studio, rep in ((agri, reps.agri_lead), (agri, reps.agri_member), (safety, reps.safety_lead),
                        (township_studio, reps.town_lead)):
        StudioMembershipFactory(studio=studio, representative=rep)
    Studio.objects.filter(pk=agri.pk).update(lead=reps.agri_lead)
    Studio.objects.filter(pk=safety.pk).update(lead=reps.safety_lead)
    Studio.objects.filter(pk=township_studio.pk).update(lead=reps.town_lead)
    for studio in (agri, safety, township_studio):
        studio.refresh_from_db()
    agency = LiaisonAgency.objects.create(name="县党代表联络工作机构", level=Level.COUNTY, region=county)
    sector_keywords_load()
    return SimpleNamespace(city=city, county=county, town=town, village=village, sectors=sectors,
                           departments=departments, agri=agri, safety=safety, township_studio=township_studio,
                           reps=reps, agency=agency)


@pytest.fixture
def county_world(db):
    return build_county()


# --- the fake 12345 hotline, as a real process -----------------------------------------------

class FakeHotlineProcess:
    def __init__(self, env, log_path):
        self.env, self.log_path, self.proc = env, log_path, None

    def start(self, *flags, portal_url="http://127.0.0.1:9/"):
        self.stop()
        out = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "fake_hotline", "--port", str(HOTLINE_PORT), "--portal-url", portal_url,
             "--step-delay", "0.2", *flags], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"fake hotline exited:\n{self.log()}")
            try:
                self.stats()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"fake hotline did not start:\n{self.log()}")

    def stats(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{HOTLINE_PORT}/_stats", timeout=2) as response:
            return json.loads(response.read())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture
def fake_hotline(tmp_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", PYTHONUNBUFFERED="1")
    process = FakeHotlineProcess(env, tmp_path / "fake_hotline.log")
    yield process
    process.stop()
