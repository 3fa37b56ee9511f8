"""Attacks refused: password guessing, forged forms, inline scripts, SQL and HTML injection, insecure
production settings. Pages are found by walking the URL resolver, so new pages are covered too."""
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from petitions.models import Petition
from tests.roles import build_world
from tests.security.test_permission_matrix import PETITION_ROUTES, PLAIN_ROUTES, _concrete

ROOT = Path(__file__).resolve().parent.parent.parent
SQL = "' OR '1'='1'; DROP TABLE petitions_petition; --"
HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>'
# Endpoints that take no session, so no CSRF token: their own signature or key authenticates them.
CSRF_EXEMPT = re.compile(r"^/(api/v1/hotline/events|api/v1/auth/token|open311/v2/requests\.json)$")


def _paths(world):
    values = {"tracking_code": world.p_b.tracking_code, "action": "accept", "action_name": "accept", "fmt": "json"}
    for route in PLAIN_ROUTES + PETITION_ROUTES:
        path = _concrete(route, **values)
        if path and not path.startswith(("/accounts/logout", "/posters")):
            yield path


# --- password guessing ---------------------------------------------------------------------------------
def test_password_guessing_locks_the_account_even_for_the_right_password(db, settings):
    settings.AXES_FAILURE_LIMIT = 5
    world = build_world()
    world.rep_b.user.set_password("correct-horse-42")
    world.rep_b.user.save()
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "rep_b", "password": "guess"})
        assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/", {"username": "rep_b", "password": "correct-horse-42"},
                           HTTP_ACCEPT_LANGUAGE="en")  # the page says so in English here (zh-hans by default)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "locked" in response.content.decode().lower()
    # Another account from the same address is not locked by rep_b's failures.
    world.rep_a.user.set_password("battery-staple-7")
    world.rep_a.user.save()
    client.post("/accounts/login/", {"username": "rep_a", "password": "battery-staple-7"})
    assert "_auth_user_id" in client.session


# --- CSRF ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["anonymous", "superuser"])
def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(db, who):
    world = build_world()
    client = Client(enforce_csrf_checks=True)
    if who == "superuser":
        client.force_login(world.superuser)
    before = (Petition.objects.count(), list(Petition.objects.order_by("id").values_list("status", flat=True)))
    for path in [*_paths(world), f"/s/{world.studio_a.code}/"]:
        if CSRF_EXEMPT.match(path):
            continue
        response = client.post(path, {"text": "forged", "reason": "forged", "category": world.sector.pk,
                                      "consent": "on", "username": "root", "password": "x"})
        # 403 from the CSRF check (or an earlier refusal: login required, method not allowed, not found).
        if who == "anonymous" and path.startswith("/api/"):
            # No session, so no ambient credentials to forge: the API validates (400) or refuses (401/403).
            assert response.status_code in (400, 401, 403, 404, 405), (who, path, response.status_code)
            continue
        assert response.status_code in (302, 401, 403, 404, 405), (who, path, response.status_code)
        if response.status_code == 302:
            assert who == "anonymous" and "/accounts/login/" in response["Location"], path
    after = (Petition.objects.count(), list(Petition.objects.order_by("id").values_list("status", flat=True)))
    assert before == after


# --- Content-Security-Policy ---------------------------------------------------------------------------
def test_every_html_page_has_a_strict_csp_and_no_inline_script_or_style(db):
    world = build_world()
    checked = 0
    for who in (None, world.superuser, world.rep_a.user):
        client = Client()
        if who:
            client.force_login(who)
        for path in _paths(world):
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            if path.startswith("/api/docs"):
                continue  # Swagger UI: served by drf-spectacular from our own static files
            checked += 1
            policy = response["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
            html = response.content.decode()
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script on {path}"
            assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler on {path}"
            assert not re.search(r"\sstyle\s*=", html), f"inline style on {path}"
    assert checked >= 10


# --- injection -----------------------------------------------------------------------------------------
def test_sql_and_html_in_every_field_of_the_request_form_are_stored_as_text_and_shown_escaped(db, client):
    world = build_world()
    response = client.get(f"/s/{world.studio_a.code}/")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', response.content.decode()).group(1)
    text = f"路灯坏了，请修理。{SQL} {HTML} 小区门口"
    response = client.post(f"/s/{world.studio_a.code}/", {
        "category": world.sector.pk, "text": text, "citizen_name": HTML[:40], "citizen_phone": SQL,
        "address": HTML, "consent": "on", "idempotency_key": key})
    # Either refused with a message (the phone is not a phone) or stored as plain text: never run.
    if response.status_code == 200:
        assert "<script>alert" not in response.content.decode()
        response = client.post(f"/s/{world.studio_a.code}/", {
            "category": world.sector.pk, "text": text, "citizen_name": HTML[:40], "citizen_phone": "",
            "address": HTML, "consent": "on", "idempotency_key": key})
    assert response.status_code == 302
    petition = Petition.objects.get(text=text)
    assert petition.address == HTML
    assert Petition.objects.count() == len(world.all) + 1  # the table is still there, nothing else changed
    staff = Client()
    staff.force_login(world.superuser)
    page = staff.get(f"/dashboard/p/{petition.tracking_code}/").content.decode()
    assert "&lt;script&gt;alert(" in page and "<script>alert(" not in page and "onerror=alert" not in page.replace(
        "&lt;img src=x onerror=alert(1)&gt;", "")


@pytest.mark.parametrize("payload", [SQL, HTML, "%", "\x00", "1e309", "-1", "9" * 40])
def test_filters_and_search_on_every_page_and_list_come_back_harmless(db, payload):
    world = build_world()
    client = Client()
    client.force_login(world.superuser)
    params = {name: payload for name in ("q", "search", "status", "flag", "loop", "sector", "studio", "region",
                                         "period", "page", "ordering", "start", "end", "since", "service_code",
                                         "start_date", "end_date", "kind")}
    count = Petition.objects.count()
    for path in _paths(world):
        response = client.get(path, params)
        assert response.status_code < 500, (path, payload, response.status_code)
        if not getattr(response, "streaming", False) and "text/html" in response.get("Content-Type", ""):
            assert "<script>alert(" not in response.content.decode("utf-8", "replace"), path
    assert Petition.objects.count() == count


# --- production settings -------------------------------------------------------------------------------
def _production(*args):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "ALLOWED_HOSTS": "portal.example",
           "SECRET_KEY": secrets.token_urlsafe(64)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_with_the_production_settings_reports_nothing():
    result = _production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_http_only_and_debug_is_off():
    result = _production("-c", "import django; django.setup(); from django.conf import settings as s; print("
                         "s.DEBUG, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, "
                         "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-6:] == ["False", "True", "True", "True", "True", "True"]


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", ALLOWED_HOSTS="portal.example")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
