"""Printable posters: SVG and PNG per studio (issue 3); staff only. A county's zip is a background download:
tests/offices/test_poster_downloads.py."""
import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from offices import posters
from tests.factories import RepresentativeFactory, UserFactory
from tests.petitions.intake_helpers import _fresh_cache, en_client, studio  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def staff_client(en_client):
    en_client.force_login(UserFactory(is_staff=True))
    return en_client


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg" and root.get("width") == "210mm" and root.get("height") == "297mm"
    return [t.text for t in root.iter(f"{SVG}text") if t.text]


def test_anonymous_visitors_are_sent_to_log_in(en_client, studio):
    for url in (f"/s/{studio.code}/poster.svg", f"/s/{studio.code}/poster.png", "/posters/"):
        response = en_client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    response = en_client.post("/downloads/start/", {"kind": "posters", "region": studio.region.code})
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_user_without_a_role_is_refused(en_client, studio):
    en_client.force_login(UserFactory())
    assert en_client.get(f"/s/{studio.code}/poster.svg").status_code == 403


def test_a_representative_may_print(en_client, studio):
    user = UserFactory()
    RepresentativeFactory(user=user)
    en_client.force_login(user)
    assert en_client.get(f"/s/{studio.code}/poster.svg").status_code == 200


def test_svg_poster_is_valid_and_says_what_to_do(staff_client, studio):
    response = staff_client.get(f"/s/{studio.code}/poster.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == f'attachment; filename="poster-{studio.code}.svg"'
    texts = svg_texts(response.content)
    joined = " ".join(texts)
    assert studio.name in joined and studio.sector.name in joined and "王立新" in joined
    assert "Scan with your phone to send us your request" in " ".join(texts)
    assert f"http://testserver/s/{studio.code}/" in texts
    root = ET.fromstring(response.content)
    assert any(p.get("d", "").startswith("M") for p in root.iter(f"{SVG}path"))  # the QR code


def test_svg_poster_escapes_the_studio_name(staff_client, studio):
    studio.name = 'A&B <工作室> "x"'
    studio.save()
    texts = svg_texts(staff_client.get(f"/s/{studio.code}/poster.svg").content)
    assert 'A&B <工作室> "x"' in " ".join(texts)


def test_png_poster_opens_with_pillow(staff_client, studio):
    response = staff_client.get(f"/s/{studio.code}/poster.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    image.load()
    assert image.format == "PNG" and image.size == (1240, 1754)
    assert round(image.info["dpi"][0]) == 150
    rgb = image.convert("RGB")
    r, g, b = rgb.getpixel((20, 20))  # the header band, in the brand red
    assert r > 150 and g < 70 and b < 70
    assert min(rgb.crop((300, 600, 940, 1300)).convert("L").getextrema()) < 60  # the dark modules of the code


def test_png_poster_without_a_cjk_font_says_what_to_install(staff_client, studio, settings, monkeypatch):
    settings.POSTER_FONT = ""
    monkeypatch.setattr(posters, "FONT_CANDIDATES", (("/nonexistent/a.ttc", "/nonexistent/b.ttc"),))
    response = staff_client.get(f"/s/{studio.code}/poster.png")
    assert response.status_code == 503
    assert b"fonts-noto-cjk" in response.content and b"/nonexistent/a.ttc" in response.content
    assert staff_client.get(f"/s/{studio.code}/poster.svg").status_code == 200  # SVG needs no font here
    with pytest.raises(posters.PosterFontMissing):
        posters.find_cjk_font()


def test_poster_font_setting_wins(settings):
    found = posters.find_cjk_font()
    settings.POSTER_FONT = found.bold
    assert posters.find_cjk_font().regular == found.bold


def test_unknown_studio_or_format_is_404(staff_client, studio):
    assert staff_client.get("/s/nope/poster.svg").status_code == 404
    assert staff_client.get(f"/s/{studio.code}/poster.pdf").status_code == 404
