"""Photos on a petition submitted through the API (multipart/form-data): checked and re-encoded by the
studio page's own form (petitions/photos.py), with its limits and its messages; a petition with a photo
that is refused is not stored at all."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from petitions.models import Petition, PetitionPhoto
from tests.petitions.intake_helpers import gps_jpeg, image_bytes

TEXT = "村东头的灌溉渠堵塞了，麦田浇不上水，请帮忙协调疏通。"


def form(world, **extra):
    return {"studio": world.studio_a.code, "text": TEXT, "citizen_phone": "13900001111", "consent": "true", **extra}


def post(client, data, **headers):
    return client.post("/api/v1/petitions", data, format="multipart", **headers)


def stored_images(petition):
    images = []
    for photo in PetitionPhoto.objects.filter(petition=petition).order_by("id"):
        with photo.image.open("rb") as f:
            images.append(Image.open(io.BytesIO(f.read())))
    return images


def test_photos_are_stored_reencoded_without_gps(api_as, world):
    photos = [SimpleUploadedFile("IMG_0001.jpg", gps_jpeg(size=(80, 40), orientation=6), "image/jpeg"),
              SimpleUploadedFile("plan.png", image_bytes("PNG", size=(30, 20)), "image/png")]
    assert Image.open(io.BytesIO(gps_jpeg())).getexif().get_ifd(0x8825)  # the upload does carry a position
    response = post(api_as(None), form(world, photos=photos))
    assert response.status_code == 201, response.content
    petition = Petition.objects.get(tracking_code=response.json()["tracking_code"])
    assert petition.citizen_phone == "13900001111" and petition.source == "api"
    jpeg, png = stored_images(petition)
    assert jpeg.format == "JPEG" and not jpeg.getexif() and "exif" not in jpeg.info
    assert jpeg.size == (40, 80)  # turned upright, as the camera was held
    assert png.format == "PNG"
    names = list(PetitionPhoto.objects.filter(petition=petition).values_list("image", flat=True))
    assert not any("IMG_0001" in n or "plan" in n for n in names)  # a fresh name, not the client's


def test_multipart_without_photos_is_a_plain_submission(api_as, world):
    response = post(api_as(None), form(world))
    assert response.status_code == 201, response.content
    assert not PetitionPhoto.objects.exists()


@pytest.mark.parametrize("files, message", [
    ([("notes.jpg", "这不是图片，只是改了扩展名的文本文件。\n".encode() * 50, "image/jpeg")],
     "“notes.jpg” is not a JPEG, PNG or WebP picture, or it is damaged. Please choose a photo."),
    ([(f"p{i}.png", image_bytes("PNG"), "image/png") for i in range(4)],
     "You chose 4 photos; please choose at most 3."),
    ([("big.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), "image/jpeg")],
     "“big.jpg” is 5.0\xa0MB; each photo can be at most 5.0\xa0MB."),
    ([("empty.jpg", b"", "image/jpeg")], "“empty.jpg” is empty."),
])
def test_refused_photos_are_400_on_photos_and_store_nothing(api_as, world, files, message):
    uploads = [SimpleUploadedFile(name, content, content_type) for name, content, content_type in files]
    response = post(api_as(None), form(world, photos=uploads), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and list(body["fields"]) == ["photos"]
    assert body["fields"]["photos"] == [message]
    assert Petition.objects.count() == len(world.all) and not PetitionPhoto.objects.exists()


def test_one_bad_photo_among_good_ones_refuses_the_whole_petition(api_as, world):
    uploads = [SimpleUploadedFile("ok.jpg", image_bytes("JPEG"), "image/jpeg"),
               SimpleUploadedFile("bad.webp", b"RIFF0000WEBPVP8 garbage", "image/webp")]
    response = post(api_as(None), form(world, photos=uploads), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "bad.webp" in response.json()["fields"]["photos"][0]
    assert Petition.objects.count() == len(world.all) and not PetitionPhoto.objects.exists()


def test_photos_messages_come_in_chinese_by_default(api_as, world):
    upload = SimpleUploadedFile("a.jpg", b"not an image at all" * 10, "image/jpeg")
    body = post(api_as(None), form(world, photos=[upload])).json()
    assert body["fields"]["photos"][0].startswith("“a.jpg”") and "JPEG" in body["fields"]["photos"][0]
    assert body["fields"]["photos"][0] != ("“a.jpg” is not a JPEG, PNG or WebP picture, or it is damaged. "
                                           "Please choose a photo.")


def test_photos_in_json_or_as_text_parts_are_refused(api_as, world):
    as_json = api_as(None).post("/api/v1/petitions", {**form(world), "consent": True, "photos": ["aGVsbG8="]},
                                format="json")
    assert as_json.status_code == 400 and "photos" in as_json.json()["fields"]
    as_text = post(api_as(None), form(world, photos="not a file"))
    assert as_text.status_code == 400 and any(k.startswith("photos") for k in as_text.json()["fields"])
    assert Petition.objects.count() == len(world.all)


def test_other_fields_are_checked_as_before(api_as, world):
    response = post(api_as(None), form(world, text="短", consent="false",
                                       photos=[SimpleUploadedFile("a.png", image_bytes("PNG"), "image/png")]))
    assert response.status_code == 400
    assert {"text", "consent"} <= set(response.json()["fields"])
    assert Petition.objects.count() == len(world.all) and not PetitionPhoto.objects.exists()
