"""The main paths through the portal in a real browser (Chromium), against a live server with the session's real
Celery worker routing every petition and, for 12345, the fake hotline as a real process calling back.

Routing: the worker auto-dispatches (ROUTING_AUTO_DISPATCH, the production default). The worker is one process
for the whole session, so a per-test `settings` change cannot reach it; the representative's visible steps are
therefore the ones a person really takes after routing: resolve, reply, transfer, convene. The accept and
dispatch steps routing took are asserted on both the dashboard trail and the citizen's timeline.
"""
import re

from datetime import timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from assessment.models import DownloadJob
from liaison.models import Representative
from offices.models import Department, Region, Studio
from petitions.hotline.fake import DEFAULT_ANSWER
from petitions.models import JointConsultation, Petition, PetitionEvent, Status
from petitions.services import petition_submit
from tests.conftest import wait_for
from tests.factories import StaffProfileFactory, UserFactory
from tests.petitions.conftest import TEXTS, build_county

from .conftest import DESKTOP, PHONE, shot

pytestmark = pytest.mark.worker
A = PetitionEvent.Action
PASSWORD = "pass12345"  # tests/factories.py UserFactory
PHONE_NUMBER = "13912345678"


@pytest.fixture
def world(celery_worker_process, transactional_db, e2e_settings):
    w = build_county()
    _real_names(w)
    w.rep_user = UserFactory(username="daibiao")
    w.reps.agri_lead.user = w.rep_user
    w.reps.agri_lead.save(update_fields=["user"])
    w.safety_user = UserFactory(username="anquan")
    w.reps.safety_lead.user = w.safety_user
    w.reps.safety_lead.save(update_fields=["user"])
    return w


def _real_names(w):
    """Names like the city's, so that the screenshots show what people really read (and stay the same)."""
    Region.objects.filter(pk=w.city.pk).update(name="聊城市")
    Region.objects.filter(pk=w.county.pk).update(name="东昌府区")
    Region.objects.filter(pk=w.town.pk).update(name="道口铺街道")
    for code, name in (("agri", "东昌府区农业农村局"), ("safety", "东昌府区公安分局"), ("grassroots", "东昌府区民政局"),
                       ("talent", "东昌府区人社局"), ("medical", "东昌府区医保局"), ("finance", "东昌府区金融服务中心")):
        Department.objects.filter(pk=w.departments[code].pk).update(name=name)
    for studio, code, name in ((w.agri, "371502-agri", "东昌府区农业技术党代表工作室"),
                               (w.safety, "371502-safety", "东昌府区反诈党代表工作室"),
                               (w.township_studio, "371502-dkp", "道口铺街道“两代表一委员”为民工作室")):
        Studio.objects.filter(pk=studio.pk).update(code=code, name=name)
        studio.refresh_from_db()
    for rep, name in ((w.reps.agri_lead, "李建国"), (w.reps.agri_member, "王淑芬"), (w.reps.safety_lead, "张卫东"),
                      (w.reps.town_lead, "刘玉梅")):
        Representative.objects.filter(pk=rep.pk).update(name=name)
        rep.refresh_from_db()


def routed(petition_id, timeout=30, **fields):
    assert wait_for(lambda: Petition.objects.filter(pk=petition_id, routed_at__isnull=False, **fields).exists(),
                    timeout=timeout), list(PetitionEvent.objects.filter(petition_id=petition_id)
                                           .values_list("action", flat=True))
    return Petition.objects.get(pk=petition_id)


def login(page, username):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dashboard/"))


def act(page, action, **fields):
    """Use one action form on the dashboard's petition page (htmx swaps the page part) and wait for the notice."""
    form = page.locator(f"form.action-{action}")
    summary = form.locator("summary").first
    details = form.locator("details").first
    if fields and details.count() and not details.evaluate("d => d.open"):
        summary.click()
    for name, value in fields.items():
        field = form.locator(f"[name='{action}-{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    # The notice of the previous action is removed first, so that only this action's answer can satisfy the wait.
    page.evaluate("document.querySelectorAll('.dash-notice').forEach(e => e.remove())")
    with page.expect_response(lambda r: r.request.method == "POST" and f"/{action}/" in r.url):
        form.locator(f"button[data-action='{action}']").click()
    page.locator(".dash-notice.msg-success").wait_for()


UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => e.getClientRects().length && !e.closest('[aria-hidden=true]')
               && !e.labels.length && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.name || e.id)"""
DANGLING = """() => [...document.querySelectorAll('[aria-describedby]')]
  .flatMap(e => e.getAttribute('aria-describedby').split(/\\s+/).filter(id => id && !document.getElementById(id)))"""


def assert_accessible(page):
    """Every visible input has a label, and whatever an input says describes it exists."""
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate(DANGLING) == []


def jpeg(tmp_path):
    path = tmp_path / "pothole.jpg"
    Image.new("RGB", (640, 480), (90, 140, 60)).save(path, "JPEG", quality=80)
    return path


def test_citizen_on_a_phone_submits_with_a_photo_follows_and_rates(world, new_page, tmp_path, live_server):
    page = new_page(PHONE)
    page.goto(f"/s/{world.agri.code}/")
    assert_accessible(page)
    photo = str(jpeg(tmp_path))
    page.locator("#id_text").fill(TEXTS["agri"])
    page.locator("#id_photos").set_input_files(photo)
    page.locator("[data-photo-previews] li img").wait_for()  # the citizen sees the photo that will be sent
    expect(page.locator("[data-photo-previews] img")).to_have_js_property("naturalWidth", 640)
    page.locator("#id_citizen_name").fill("王秀英")
    page.locator("#id_citizen_phone").fill(PHONE_NUMBER)
    page.locator("#id_consent").check()
    shot(page, "citizen-form-phone")

    # Sent without the text: the problems are announced (role=alert, focused), and nothing is stored.
    page.locator("#id_text").fill("")
    page.locator("#id_photos").set_input_files([])
    page.locator("[data-submit]").click()
    page.locator("#form-problems[role=alert]").wait_for()
    assert page.evaluate("document.activeElement.id") == "form-problems"
    assert page.locator("#id_text[aria-invalid=true]").count() == 1
    assert page.locator("#id_citizen_name").input_value() == "王秀英"  # what was typed is kept
    assert not Petition.objects.exists()
    shot(page, "citizen-form-errors-phone")

    page.locator("#id_text").fill(TEXTS["agri"])
    page.locator("#id_photos").set_input_files(photo)
    page.locator("#id_consent").check()
    # With a photo chosen the form posts through XMLHttpRequest and shows the upload's progress.
    with page.expect_request(lambda r: r.method == "POST" and r.resource_type == "xhr") as posted:
        page.locator("[data-submit]").click()
    assert posted.value.url.endswith(f"/s/{world.agri.code}/")
    page.wait_for_url(re.compile(r"/submitted/"))
    assert page.locator("[data-upload-progress]").count() == 0  # a fresh page: the success state

    code = page.locator(".tracking-code").get_attribute("aria-label")
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code)
    shot(page, "citizen-submitted-phone")
    petition = Petition.objects.get(tracking_code=code.replace("-", ""))
    assert petition.photos.count() == 1 and petition.citizen_phone == PHONE_NUMBER
    routed(petition.pk, status=Status.DISPATCHED)

    # The representative, in a second browser, resolves and replies.
    rep = new_page(DESKTOP)
    login(rep, "daibiao")
    rep.goto(reverse("dashboard:petition", args=[petition.tracking_code]))
    act(rep, "resolve", answer="农技站已派技术员到地里查看，给出了用药方案。")
    act(rep, "reply", note="已电话告知用药方法，欢迎再联系。")

    page.locator("a.button.block").click()  # "follow my request"
    page.locator("#id_digits").fill(PHONE_NUMBER[-4:])
    page.locator("form[action='/track/'] button[type=submit]").click()
    page.locator("#rate").wait_for()
    assert "农技站已派技术员" in page.locator(".answer").inner_text()
    shot(page, "tracking-timeline-phone")
    page.locator("input[name=rating][value=satisfied]").check()
    page.locator("#rate button[type=submit]").click()
    page.locator(".track-card strong", has_text=re.compile(".")).last.wait_for()
    petition.refresh_from_db()
    assert petition.rating == "satisfied" and petition.status == Status.CLOSED
    assert page.locator("#rate").count() == 0
    shot(page, "tracking-rated-phone")


def test_representative_on_a_desktop_works_the_queue_and_the_citizen_sees_each_step(world, new_page):
    petition, _ = petition_submit(studio=world.agri, text=TEXTS["agri"], citizen_phone=PHONE_NUMBER)
    petition = routed(petition.pk, status=Status.DISPATCHED)
    page = new_page(DESKTOP)
    login(page, "daibiao")
    row = page.locator(f"a[href*='{petition.tracking_code}']").first
    row.wait_for()
    assert_accessible(page)
    shot(page, "dashboard-queue")
    # Keyboard only: Tab reaches the petition's link and Enter opens it.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href') || ''").find(petition.tracking_code) >= 0:
            break
    else:
        pytest.fail("the petition's link is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(petition.tracking_code))
    assert_accessible(page)
    # What routing did is on the trail: submitted, routed (internal), accepted and dispatched by the system.
    assert [page.locator(f"#petition-trail li.event-{a}").count() for a in ("submit", "route", "accept", "dispatch")] \
        == [1, 1, 1, 1]
    act(page, "resolve", answer="已协调农技站上门指导，病虫害已控制。")
    act(page, "reply", note="已当面答复。")
    shot(page, "dashboard-petition")
    assert list(petition.events.values_list("action", flat=True)) == [
        A.SUBMIT, A.ROUTE, A.ACCEPT, A.DISPATCH, A.RESOLVE, A.REPLY]

    citizen = new_page(PHONE)
    citizen.goto(f"/track/?code={petition.tracking_code}&digits={PHONE_NUMBER[-4:]}")
    # Each public step, in order (the internal routing note is not shown to the citizen).
    steps = citizen.locator(".timeline li").evaluate_all("items => items.map(li => li.className)")
    assert steps == ["event-submit", "event-accept", "event-dispatch", "event-resolve", "event-reply"]
    assert "已当面答复" in citizen.locator(".timeline li.event-reply").inner_text()


def test_loop_2_and_3_passed_to_another_studio_consultation_and_12345(world, new_page, fake_hotline_for, live_server):
    fake_hotline_for(live_server)
    other, _ = petition_submit(studio=world.agri, text=TEXTS["safety"])
    several, _ = petition_submit(studio=world.agri, text=TEXTS["several"])
    hotline, _ = petition_submit(studio=world.agri, text=TEXTS["talent"], citizen_phone=PHONE_NUMBER)

    other = routed(other.pk, status=Status.DISPATCHED)
    assert (other.loop, other.current_studio) == (2, world.safety)
    several = routed(several.pk)
    assert several.loop == 3 and JointConsultation.objects.filter(petition=several).exists()
    assert wait_for(lambda: Petition.objects.filter(pk=hotline.pk, status=Status.RESOLVED).exists(), timeout=40)

    # The safety studio's representative sees the passed-on petition in their queue and answers it.
    page = new_page(DESKTOP)
    login(page, "anquan")
    page.locator(f"a[href*='{other.tracking_code}']").first.click()
    page.wait_for_url(re.compile(other.tracking_code))
    act(page, "resolve", answer="已报警立案，反诈中心正在追款。")
    shot(page, "dashboard-loop2-transfer")

    # The first-contact representative sees the loop-3 consultation and the 12345 answer on their petitions.
    rep = new_page(DESKTOP)
    login(rep, "daibiao")
    rep.goto(reverse("dashboard:petition", args=[several.tracking_code]))
    assert rep.locator("#petition-trail .event-consult").count() >= 1
    shot(rep, "dashboard-loop3-consultation")
    rep.goto(reverse("dashboard:petition", args=[hotline.tracking_code]))
    assert rep.locator("#petition-trail .event-hotline").count() >= 2
    act(rep, "reply", note="12345 已答复，特此转告。")

    citizen = new_page(PHONE)
    citizen.goto(f"/track/?code={hotline.tracking_code}&digits={PHONE_NUMBER[-4:]}")
    assert citizen.locator(".timeline li.event-hotline").count() >= 1
    assert DEFAULT_ANSWER in citizen.locator(".answer").inner_text()
    shot(citizen, "tracking-12345-phone")


def test_organisation_department_counters_reports_and_xlsx(world, new_page, tmp_path, browser, live_server):
    StaffProfileFactory(user=UserFactory(username="zuzhibu"), role="organisation")
    landing = new_page(DESKTOP)
    landing.goto("/")
    resolved_before = landing.locator("[data-counter=resolved]").inner_text()

    petition, _ = petition_submit(studio=world.agri, text=TEXTS["agri"])
    routed(petition.pk, status=Status.DISPATCHED)
    rep = new_page(DESKTOP)
    login(rep, "daibiao")
    rep.goto(reverse("dashboard:petition", args=[petition.tracking_code]))
    act(rep, "resolve", answer="已处理。")

    # Another one is left lying past its deadline: the SLA sweep raises a red flag on it.
    late, _ = petition_submit(studio=world.agri, text=TEXTS["agri"] + "（第二次反映）")
    routed(late.pk, status=Status.DISPATCHED)
    Petition.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=3))
    call_command("sla_sweep")
    assert Petition.objects.get(pk=late.pk).flag == "red"
    call_command("scorecards_compute")  # what the monthly beat task does

    landing.reload()
    assert landing.locator("[data-counter=resolved]").inner_text() != resolved_before
    shot(landing, "landing")

    page = new_page(DESKTOP)
    login(page, "zuzhibu")
    page.goto("/reports/")
    shot(page, "reports-overview")
    page.goto("/reports/assessment/")
    assert page.locator("table tr", has_text=world.agri.name).count() >= 1
    shot(page, "reports-assessment")
    page.goto("/reports/operation/")
    overdue = page.locator("tr", has_text=world.agri.name).locator(".flag-red")
    assert overdue.inner_text() == "1"
    shot(page, "reports-operation")

    # The export is a background download: the button starts it, htmx swaps in a progress bar that polls
    # every second, and the link to the file replaces it when the worker is done.
    # Bad filters (a month does not start on the 15th): the form's message is swapped in, nothing is queued.
    page.evaluate("document.querySelector('form.export input[name=start]').value = '2026-11-15'")
    page.locator("form.export button[value=xlsx]").first.click()
    expect(page.locator(".download-slot .download-refused[role=alert]")).to_contain_text("2026-11-01")
    assert not DownloadJob.objects.exists()
    page.reload()

    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/status/" in r.url else None)
    with page.expect_response(lambda r: r.url.endswith("/downloads/start/")) as started:
        page.locator("form.export button[value=xlsx]").first.click()
    first = started.value.text()
    assert "<progress" in first and 'aria-labelledby="job-title-' in first and 'hx-trigger="every 1s"' in first
    link = page.locator(".download-slot a[data-download-file]")
    link.wait_for(timeout=30_000)
    assert polls, "the progress fragment was never polled"
    job = DownloadJob.objects.get(owner__username="zuzhibu")
    studios = Studio.objects.filter(active=True).count()
    assert (job.status, job.done, job.total) == ("done", studios, studios)
    assert page.locator(".download-slot progress").count() == 0
    with page.expect_download() as info:
        link.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    book = openpyxl.load_workbook(target, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + studios and any(world.agri.name in str(cell) for row in rows for cell in row)

    # Without JavaScript: the form posts, the job's page reloads itself until the link is there.
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, accept_downloads=True,
                                  viewport=DESKTOP, locale="zh-CN")
    try:
        plain = context.new_page()
        plain.set_default_timeout(15_000)
        login(plain, "zuzhibu")
        plain.goto("/reports/operation/")
        plain.locator("form.export button[value=csv]").first.click()
        plain.wait_for_url(re.compile(r"/downloads/[0-9a-f-]{36}/$"))
        plain.locator("a[data-download-file]").wait_for(timeout=30_000)
        with plain.expect_download() as info:
            plain.locator("a[data-download-file]").click()
        assert info.value.suggested_filename.endswith(".csv")
    finally:
        context.close()


def test_language_switch_to_english_and_back_on_citizen_pages(world, new_page):
    page = new_page(PHONE)
    page.goto(f"/s/{world.agri.code}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.locator(".lang-switch button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert "Send my request" in page.locator("[data-submit]").inner_text()
    shot(page, "citizen-form-phone-en")
    page.goto("/track/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".lang-switch button[value=zh-hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert "Send my request" not in page.content()
