"""The committed nginx configuration (deploy/nginx/servicedesk.conf) in front of the portal: a photo goes
out only after Django's check, through X-Accel-Redirect to the `internal` location; /media/ and
/protected-media/ answer 404 to a browser. Runs a real nginx: the Debian package nginx-light, listed in .ci/apt-packages like Chromium."""
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from petitions.models import PetitionPhoto
from tests.security.world import build_full_world, jpeg

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "servicedesk.conf"
pytestmark = [pytest.mark.django_db(transaction=True)]


def _block(text, head):
    """One `location ... { ... }` block of the committed configuration (they have no nested braces)."""
    match = re.search(re.escape(head) + r"\s*\{[^{}]*\}", text)
    assert match, head
    return match.group(0)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def nginx(live_server, tmp_path, settings):
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: `apt-get install -y nginx-light` (.ci/run installs it)")
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    text = CONF.read_text()
    media_root = str(Path(settings.MEDIA_ROOT).resolve()) + "/"
    locations = "\n".join(_block(text, head) for head in ("location /protected-media/", "location /media/",
                                                          "location /"))
    locations = locations.replace("/srv/servicedesk/media/", media_root)
    port = _free_port()
    upstream = live_server.url.removeprefix("http://")
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / name).mkdir()
    (tmp_path / "nginx.conf").write_text(f"""
daemon off;
master_process off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi; uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;
    upstream servicedesk_web {{ server {upstream}; }}
    server {{
        listen 127.0.0.1:{port};
        {locations}
    }}
}}
""")
    proc = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode())
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


def _get(url, session=None):
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    if session:
        request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}")
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_nginx_sends_a_photo_only_after_the_check_and_never_at_a_path(nginx, client):
    world = build_full_world()
    # A name with Chinese characters and a space: the X-Accel-Redirect path is percent-encoded.
    odd = PetitionPhoto.objects.create(petition=world.p_a, image=ContentFile(jpeg((1, 2, 3)), name="路灯 照片.jpg"))
    client.force_login(world.rep_a.user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    for photo in (world.photo_a, odd):
        status, headers, body = _get(nginx + photo.image.url, session)
        assert status == 200, (photo.image.name, status, body[:200])
        assert body == photo.image.open("rb").read()
        assert headers["Content-Type"] == "image/jpeg" and "X-Accel-Redirect" not in headers
        assert headers["X-Content-Type-Options"] == "nosniff" and "no-store" in headers["Cache-Control"]

    status, headers, body = _get(nginx + world.photo_b.image.url, session)  # studio B's: 404, no file
    assert status == 404 and b"JFIF" not in body
    assert _get(nginx + world.photo_a.image.url)[0] == 302  # anonymous: to the login
    for path in (f"/media/{world.photo_a.image.name}", f"/protected-media/{world.photo_a.image.name}",
                 f"/protected-media/{world.photo_b.image.name}"):
        status, _headers, body = _get(nginx + path, session)
        assert status == 404 and b"JFIF" not in body, path
