"""Uploaded files are private: nothing under MEDIA_ROOT is ever served at /media/.

Citizens' photos (petitions.PetitionPhoto) are personal data, and proposal attachments, research
reports and assignment evidence are internal documents. Their file fields are `PrivateFileField` /
`PrivateImageField`: the same column and migration state as Django's FileField / ImageField, but
`.url` names an access-checked view (`url_name`, with the row's id) instead of a path under MEDIA_URL,
so templates, the admin and any API that print `.url` link to the checked view without knowing it.

The view checks who may see the row (liaison.access) and returns `private_file_response()`:

- production (`MEDIA_ACCEL_REDIRECT` set, e.g. `/protected-media/`): an empty response with
  `X-Accel-Redirect: /protected-media/<name>`, which nginx serves from an `internal` location
  (deploy/nginx/servicedesk.conf): the file never passes through gunicorn, and no URL reaches
  it without the view;
- development and tests (unset): Django streams the file itself.

Images are shown inline only when their type is one the photo check produces (JPEG, PNG, WebP); every
other file is a download (`Content-Disposition: attachment`), with `nosniff` and a sandboxing CSP, so
an uploaded HTML or SVG file can never run in the portal's origin.
"""
from __future__ import annotations

import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile, ImageFieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
FILE_CSP = "default-src 'none'; img-src 'self'; sandbox"


class _PrivateURL:
    """`.url` of a private file: the access-checked view of its row, never MEDIA_URL."""

    @property
    def url(self):
        self._require_file()
        return reverse(self.field.url_name, args=[self.instance.pk])


class PrivateFieldFile(_PrivateURL, FieldFile):
    pass


class PrivateImageFieldFile(_PrivateURL, ImageFieldFile):
    pass


class PrivateFileField(models.FileField):
    attr_class = PrivateFieldFile

    def __init__(self, *args, url_name: str = "", **kwargs):
        self.url_name = url_name
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        # The column and the migration state are a plain FileField's: only `.url` differs.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.FileField", args, kwargs


class PrivateImageField(models.ImageField):
    attr_class = PrivateImageFieldFile

    def __init__(self, *args, url_name: str = "", **kwargs):
        self.url_name = url_name
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs


def _safe_name(name: str) -> str:
    """The stored name, relative and without `..`: what the storage wrote, or nothing at all."""
    clean = posixpath.normpath(name or "")
    if not name or clean != name or clean.startswith(("/", "../")) or clean == "..":
        raise Http404
    return clean


def private_file_response(field_file) -> HttpResponse:
    """The file of `field_file`, for a request the caller has already checked. 404 if it is gone."""
    name = _safe_name(field_file.name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    if not inline:
        content_type = "application/octet-stream"
    filename = posixpath.basename(name)
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        if not field_file.storage.exists(name):
            raise Http404
        response = FileResponse(field_file.storage.open(name, "rb"), content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
