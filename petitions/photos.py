"""Checking a citizen's photo: decode it with Pillow, apply its orientation, re-encode it without metadata.

What the browser says a file is (its name, its content type) is never trusted: only a file that
Pillow decodes completely as JPEG, PNG or WebP is kept. The stored file is a fresh encoding of the
decoded pixels, so EXIF (GPS position, camera, time), XMP, ICC and text chunks are all left behind;
colours in another profile (an iPhone's Display P3) are converted to sRGB first when possible.
"""
from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 3
MAX_BYTES = 5 * 1024 * 1024
# Refuse before decoding: a small file can unpack into gigabytes of pixels (a "decompression bomb").
MAX_PIXELS = 50_000_000
# Larger photos are scaled down; a phone's 4032 x 3024 stays as it is.
MAX_SIDE = 4096
# format -> (file extension, re-encoding options)
FORMATS = {
    "JPEG": ("jpg", {"quality": 85, "optimize": True}),
    "PNG": ("png", {"optimize": False}),
    "WEBP": ("webp", {"quality": 85, "method": 4}),
}
ACCEPT = "image/jpeg,image/png,image/webp"


def _display_name(upload) -> str:
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:60] or str(_("the photo"))


def _to_srgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if not profile:
        return image
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
        return ImageCms.profileToProfile(image.convert(mode), source, target, outputMode=mode)
    except Exception:  # a broken or unusual profile: keep the pixels as they are
        return image


def clean_photo(upload) -> ContentFile:
    """The upload as a freshly encoded image file, or ValidationError with a message for the citizen."""
    name = _display_name(upload)
    size = getattr(upload, "size", None) or 0
    if size > MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; each photo can be at most %(max)s."),
            code="photo_too_large",
            params={"name": name, "size": filesizeformat(size), "max": filesizeformat(MAX_BYTES)},
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty."), code="photo_empty", params={"name": name})
    not_a_picture = ValidationError(
        _("“%(name)s” is not a JPEG, PNG or WebP picture, or it is damaged. Please choose a photo."),
        code="photo_invalid", params={"name": name},
    )
    try:
        upload.seek(0)
        with Image.open(upload) as original:
            fmt = original.format
            if fmt not in FORMATS:
                raise not_a_picture
            width, height = original.size
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                raise ValidationError(
                    _("“%(name)s” is too large a picture (%(width)s × %(height)s pixels)."),
                    code="photo_too_many_pixels", params={"name": name, "width": width, "height": height},
                )
            original.seek(0)  # the first frame of an animation
            original.load()  # decodes every byte: a truncated or forged file fails here
            image = ImageOps.exif_transpose(original)  # turn it the way the camera was held
            image = _to_srgb(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError,
            TypeError, IndexError, KeyError, ZeroDivisionError, MemoryError):
        raise not_a_picture from None

    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    extension, options = FORMATS[fmt]
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if fmt == "JPEG" or not has_alpha:
        image = image.convert("L" if image.mode in ("1", "L", "LA") else "RGB")
    else:
        image = image.convert("RGBA")
    # Pillow copies `info` through convert() and some encoders read it (a PNG's ICC profile, XMP):
    # empty it, and pass no exif=, icc_profile= or pnginfo=, so the new file carries pixels only.
    image.info = {}
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def clean_photos(uploads) -> list[ContentFile]:
    """All the uploads cleaned, or one ValidationError listing every problem (nothing is kept then)."""
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(
            _("You chose %(count)s photos; please choose at most %(max)s."),
            code="too_many_photos", params={"count": len(uploads), "max": MAX_PHOTOS},
        )
    cleaned, errors = [], []
    for upload in uploads:
        try:
            cleaned.append(clean_photo(upload))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return cleaned
