"""Photo checks: decoded by Pillow, re-encoded, metadata gone, orientation applied, bad files refused."""
import io
import os

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from petitions import photos
from petitions.models import Petition, PetitionPhoto
from tests.petitions.intake_helpers import (  # noqa: F401 (fixtures)
    _fresh_cache, en_client, gps_jpeg, image_bytes, studio, upload, valid_data,
)


def reopen(content_file):
    content_file.seek(0)
    return Image.open(io.BytesIO(content_file.read()))


def test_a_renamed_text_file_is_refused():
    fake = upload("holiday.jpg", "这不是图片，只是改了扩展名的文本文件。\n".encode() * 50, "image/jpeg")
    with pytest.raises(ValidationError) as err:
        photos.clean_photo(fake)
    assert err.value.error_list[0].code == "photo_invalid" and "holiday.jpg" in err.value.messages[0]


def test_a_6_mb_image_is_refused_before_decoding():
    # Noise does not compress: a real PNG of about 6 MB.
    noise = Image.frombytes("RGB", (1450, 1450), os.urandom(1450 * 1450 * 3))
    out = io.BytesIO()
    noise.save(out, format="PNG", compress_level=0)
    assert out.tell() > 6 * 1024 * 1024 - 200_000
    with pytest.raises(ValidationError) as err:
        photos.clean_photo(upload("big.png", out.getvalue(), "image/png"))
    assert err.value.error_list[0].code == "photo_too_large"
    assert "5.0" in err.value.messages[0] and "MB" in err.value.messages[0]


def test_gps_and_all_exif_are_removed_and_the_orientation_applied():
    original = Image.open(io.BytesIO(gps_jpeg(size=(80, 40), orientation=6)))
    assert original.getexif().get_ifd(0x8825)  # the test image does carry a position
    cleaned = reopen(photos.clean_photo(upload("gps.jpg", gps_jpeg(size=(80, 40), orientation=6))))
    assert cleaned.format == "JPEG"
    assert not cleaned.getexif()  # no GPS, no camera, no orientation left
    assert "exif" not in cleaned.info and "icc_profile" not in cleaned.info and "xmp" not in cleaned.info
    assert cleaned.size == (40, 80)  # turned upright as the camera was held


def test_png_text_chunks_are_removed_and_transparency_kept():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret location 36.45N 116.24E")
    source = io.BytesIO()
    Image.new("RGBA", (30, 20), (0, 0, 0, 0)).save(source, format="PNG", pnginfo=info)
    cleaned = reopen(photos.clean_photo(upload("t.png", source.getvalue(), "image/png")))
    assert cleaned.format == "PNG" and cleaned.mode == "RGBA"
    assert "Comment" not in cleaned.info and not getattr(cleaned, "text", {})


@pytest.mark.parametrize(("fmt", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_accepted_formats_are_reencoded_under_a_new_name(fmt, extension):
    cleaned = photos.clean_photo(upload("../../etc/passwd 张三.bin", image_bytes(fmt), "application/octet-stream"))
    assert cleaned.name.endswith(f".{extension}") and "/" not in cleaned.name and "张三" not in cleaned.name
    assert reopen(cleaned).format == fmt


def test_other_image_formats_are_refused():
    gif = io.BytesIO()
    Image.new("P", (10, 10)).save(gif, format="GIF")
    bmp = io.BytesIO()
    Image.new("RGB", (10, 10)).save(bmp, format="BMP")
    for name, data in (("a.gif", gif.getvalue()), ("b.bmp", bmp.getvalue())):
        with pytest.raises(ValidationError):
            photos.clean_photo(upload(name, data, "image/jpeg"))


def test_a_truncated_jpeg_is_refused():
    data = image_bytes("JPEG", size=(400, 300))
    with pytest.raises(ValidationError):
        photos.clean_photo(upload("cut.jpg", data[: len(data) // 2]))


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError):
        photos.clean_photo(upload("empty.jpg", b""))


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_decompression_bomb_is_refused_without_decoding_it():
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, format="PNG")  # 100 megapixels in a few kilobytes
    assert bomb.tell() < 200_000
    with pytest.raises(ValidationError) as err:
        photos.clean_photo(upload("bomb.png", bomb.getvalue(), "image/png"))
    assert err.value.error_list[0].code == "photo_too_many_pixels"


def test_a_very_large_photo_is_scaled_down():
    cleaned = reopen(photos.clean_photo(upload("wide.jpg", image_bytes("JPEG", size=(6000, 1000)))))
    assert max(cleaned.size) == photos.MAX_SIDE


def test_clean_photos_reports_every_bad_file_at_once():
    with pytest.raises(ValidationError) as err:
        photos.clean_photos([upload("a.jpg", b"x" * 10), upload("ok.jpg", image_bytes()), upload("b.jpg", b"y" * 10)])
    assert len(err.value.messages) == 2


@pytest.mark.django_db
def test_a_submitted_photo_is_stored_without_its_gps(en_client, studio):
    data = valid_data(studio)
    data["photos"] = [upload("IMG_0001.jpg", gps_jpeg())]
    response = en_client.post(f"/s/{studio.code}/", data, REMOTE_ADDR="10.2.2.2")
    assert response.status_code == 302
    photo = Petition.objects.get().photos.get()
    with photo.image.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert not image.getexif() and image.size == (40, 80)
    assert (photo.width, photo.height) == (40, 80)
    assert "IMG_0001" not in photo.image.name


@pytest.mark.django_db
def test_a_renamed_text_file_in_the_form_saves_nothing(en_client, studio):
    data = valid_data(studio)
    data["photos"] = [upload("photo.jpg", b"<html><script>alert(1)</script></html>")]
    response = en_client.post(f"/s/{studio.code}/", data, REMOTE_ADDR="10.2.2.3")
    assert response.status_code == 200
    assert "photo.jpg" in response.content.decode() and "<script>alert(1)" not in response.content.decode()
    assert Petition.objects.count() == 0 and PetitionPhoto.objects.count() == 0


@pytest.mark.django_db
def test_a_6_mb_photo_in_the_form_gets_a_message_beside_the_field(en_client, studio):
    data = valid_data(studio)
    data["photos"] = [upload("big.jpg", b"\xff\xd8\xff" + os.urandom(6 * 1024 * 1024))]
    response = en_client.post(f"/s/{studio.code}/", data, REMOTE_ADDR="10.2.2.4")
    assert response.status_code == 200
    errors = response.context["form"].errors["photos"]
    assert "big.jpg" in errors[0] and "at most 5.0" in errors[0]
    assert Petition.objects.count() == 0
