"""The citizen's forms: a request at a studio, following it with its tracking code, rating the answer.

Bots: the request form has a honeypot field, `website`, that people never see (it is moved off
screen, hidden from screen readers and skipped by the keyboard). A form that fills it is a bot:
the view answers exactly as for a stored request (a success page with a tracking code that exists
nowhere) and stores nothing, so the bot learns nothing to adapt to. See `PetitionForm.is_bot`.
"""
from __future__ import annotations

import functools
import re
import unicodedata
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from offices.models import Sector
from offices.selectors import sector_exists

from . import photos
from .codes import LENGTH as CODE_LENGTH
from .codes import normalise_tracking_code
from .models import Rating

TEXT_MIN, TEXT_MAX = 10, 2000
NAME_MAX, ADDRESS_MAX, COMMENT_MAX = 64, 255, 500
MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）.]")
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# C0/C1 control characters other than tab and line breaks: invisible, and never meant.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _is_extender(ch: str) -> bool:
    """A code point that joins the character before it on screen (accents, emoji modifiers, ZWJ...)."""
    cp = ord(ch)
    return (unicodedata.combining(ch) != 0 or unicodedata.category(ch) in ("Mn", "Me")
            or 0xFE00 <= cp <= 0xFE0F or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F
            or cp == 0x20E3)


def text_length(text: str) -> int:
    """Characters as a person counts them: 你 is 1, 👍🏽 is 1, 👨‍👩‍👧 is 1, 🇨🇳 is 1, é is 1.

    Python's len() counts code points (👍🏽 is 2) and a browser's maxlength counts UTF-16 units
    (😀 is 2); this approximates Unicode grapheme clusters without a dependency, and matches the
    Intl.Segmenter count in static/js/petition-form.js.
    """
    count, joined, pending_flag = 0, False, False
    for ch in text:
        cp = ord(ch)
        if ch == "\u200d":  # zero-width joiner: the next code point is part of this character
            joined = True
            continue
        if joined:
            joined = False
            continue
        if _is_extender(ch):
            continue
        if 0x1F1E6 <= cp <= 0x1F1FF:  # regional indicators pair into one flag
            if pending_flag:
                pending_flag = False
                continue
            pending_flag = True
            count += 1
            continue
        pending_flag = False
        count += 1
    return count


def clean_text(value: str) -> str:
    """NFC-normalised, control characters removed, Windows line breaks made plain, trimmed."""
    value = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def normalise_mobile(raw: str) -> str:
    """'+86 138-1234-1234', '１３８１２３４１２３４' (full width) -> '13812341234'."""
    value = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix):]
            break
    else:
        if value.startswith("86") and len(value) == 13:
            value = value[2:]
    return value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to three photos from one <input type=file multiple>; each checked by petitions/photos.py."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return photos.clean_photos(files)


class SectorChoiceField(forms.ModelChoiceField):
    """Every sector, in the order the form sets on its queryset; a submitted choice is checked by its key alone.

    Every sector is a valid choice, so a submission is checked against the set of sector keys kept per process
    (offices.selectors.sector_exists) instead of a query per POST. The value is the sector with only its key
    loaded: a petition stores the key, and any other field is read from the database if ever asked for."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            pk = int(value.pk if isinstance(value, Sector) else value)
        except (ValueError, TypeError):
            pk = None
        if pk is None or not sector_exists(pk):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": value})
        return Sector.from_db(Sector.objects.db, ["id"], [pk])


class CitizenForm(forms.Form):
    """Labels are questions or end in a bracket: no ":" (or "：") after them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _sectors_in_order(studio):
    """The studio's own sector first, then the others in their usual order."""
    return Sector.objects.annotate(
        own=Case(When(pk=studio.sector_id, then=Value(0)), default=Value(1), output_field=IntegerField()),
    ).order_by("own", "position", "id")


class PetitionForm(CitizenForm):
    """A citizen's request at one studio. Nothing here writes: the view calls petition_submit()."""

    category = SectorChoiceField(
        queryset=Sector.objects.none(), label=_("What is it about?"), empty_label=None,
        error_messages={"required": _("Please choose what your request is about."),
                        "invalid_choice": _("Please choose one of the listed topics.")},
    )
    text = forms.CharField(
        label=_("Your request"), strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "data-min": TEXT_MIN, "data-max": TEXT_MAX,
                                     "aria-describedby": "id_text_help id_text_count"}),
        help_text=format_lazy(_("Describe the problem, where it is and what you hope for: {min} to {max} characters."),
                              min=TEXT_MIN, max=f"{TEXT_MAX:,}"),
        error_messages={"required": _("Please describe your request.")},
    )
    citizen_name = forms.CharField(
        label=_("Your name (optional)"), required=False, strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    citizen_phone = forms.CharField(
        label=_("Mobile number (optional)"), required=False,
        help_text=_("So that the representative can call you back. Shown to no one else in full."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel-national", "inputmode": "tel"}),
    )
    address = forms.CharField(
        label=_("Where is it? (optional)"), required=False, strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput,
                                error_messages={"invalid": _("The location could not be read. Please try again.")})
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput,
                                 error_messages={"invalid": _("The location could not be read. Please try again.")})
    photos = MultiplePhotoField(
        label=_("Photos (optional, up to 3)"),
        help_text=_("JPEG, PNG or WebP, at most 5 MB each. Location and camera details are removed."),
        widget=MultipleFileInput(attrs={"accept": photos.ACCEPT}),
    )
    consent = forms.BooleanField(
        label=_("I agree that my request, and my name and number if I give them, are passed to the "
                "representatives and departments that handle it."),
        error_messages={"required": _("Please tick the box to agree, or we cannot pass your request on.")},
    )
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot: see the module docstring. Its label tells a person who somehow sees it what to do.
    website = forms.CharField(
        required=False, label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, studio, **kwargs):
        self.studio = studio
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("category", studio.sector_id)
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        if not self.is_bound:
            field.queryset = _sectors_in_order(studio)
        # Rendered from one list, read when the form is shown (never for a valid POST, which checks the chosen
        # key only, so a POST builds no queryset): the select widget would otherwise read the queryset twice.

        @functools.cache
        def choices():
            return [(sector.pk, sector.name) for sector in _sectors_in_order(studio).only("id", "name")]

        field.widget.choices = choices

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip()) if self.is_bound else False

    def clean_text(self):
        value = clean_text(self.cleaned_data.get("text", ""))
        length = text_length(value)
        if not value:
            raise ValidationError(_("Please describe your request."), code="required")
        if length < TEXT_MIN:
            raise ValidationError(
                _("Please write a little more: at least %(min)s characters (you wrote %(count)s)."),
                code="too_short", params={"min": TEXT_MIN, "count": length},
            )
        if length > TEXT_MAX:
            raise ValidationError(
                _("Please shorten it to %(max)s characters (you wrote %(count)s). You can add photos instead."),
                code="too_long", params={"max": f"{TEXT_MAX:,}", "count": f"{length:,}"},
            )
        return value

    def clean_citizen_name(self):
        value = " ".join(clean_text(self.cleaned_data.get("citizen_name", "")).split())
        if text_length(value) > NAME_MAX or len(value) > NAME_MAX:
            raise ValidationError(_("A name can have at most %(max)s characters."), code="too_long",
                                  params={"max": NAME_MAX})
        return value

    def clean_citizen_phone(self):
        raw = self.cleaned_data.get("citizen_phone", "")
        if not raw.strip():
            return ""
        value = normalise_mobile(raw)
        if not MOBILE.match(value):
            raise ValidationError(
                _("Please give an 11-digit mainland mobile number starting with 1, such as 138 1234 5678, "
                  "or leave it empty."), code="invalid")
        return value

    def clean_address(self):
        value = " ".join(clean_text(self.cleaned_data.get("address", "")).split())
        if len(value) > ADDRESS_MAX:
            raise ValidationError(_("Please shorten the address to %(max)s characters."), code="too_long",
                                  params={"max": ADDRESS_MAX})
        return value

    def clean_idempotency_key(self):
        value = (self.cleaned_data.get("idempotency_key") or "").strip()
        # Not the citizen's input: a missing or odd key only loses the double-tap protection.
        return value if _IDEMPOTENCY_KEY.match(value) else None

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if "latitude" in self.errors or "longitude" in self.errors:
            return data
        if (lat is None) != (lon is None):
            self.add_error("latitude", _("The location is incomplete. Please try again or remove it."))
        elif lat is not None:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                self.add_error("latitude", _("The location could not be read. Please try again or remove it."))
            else:
                data["latitude"] = Decimal(str(lat)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
                data["longitude"] = Decimal(str(lon)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        return data


class TrackForm(CitizenForm):
    """A tracking code and, when the request gave a phone number, its last 4 digits."""

    code = forms.CharField(
        label=_("Tracking code"), max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                      "placeholder": "ABCDE-12345"}),
        error_messages={"required": _("Please enter the tracking code you were given.")},
    )
    digits = forms.CharField(
        label=_("Last 4 digits of your mobile number"), required=False, max_length=12,
        help_text=_("Only if you gave a mobile number with your request."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"}),
    )

    def clean_code(self):
        code = normalise_tracking_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise ValidationError(
                _("A tracking code has %(length)s letters and digits, like ABCDE-12345."),
                code="invalid", params={"length": CODE_LENGTH})
        return code

    def clean_digits(self):
        value = re.sub(r"\D", "", unicodedata.normalize("NFKC", self.cleaned_data.get("digits", "")))
        if value and len(value) != 4:
            raise ValidationError(_("Please enter exactly the last 4 digits."), code="invalid")
        return value


class RatingForm(CitizenForm):
    CHOICES = [(Rating.SATISFIED, Rating.SATISFIED.label),
               (Rating.BASICALLY_SATISFIED, Rating.BASICALLY_SATISFIED.label),
               (Rating.DISSATISFIED, Rating.DISSATISFIED.label)]

    rating = forms.ChoiceField(
        label=_("How satisfied are you with the answer?"), choices=CHOICES, widget=forms.RadioSelect,
        error_messages={"required": _("Please choose one of the ratings."),
                        "invalid_choice": _("Please choose one of the ratings.")},
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"), required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("If you are dissatisfied, tell us what is still wrong: your request goes back for handling."),
    )

    def clean_comment(self):
        value = clean_text(self.cleaned_data.get("comment", ""))
        if text_length(value) > COMMENT_MAX:
            raise ValidationError(_("Please shorten it to %(max)s characters (you wrote %(count)s)."),
                                  code="too_long", params={"max": COMMENT_MAX, "count": text_length(value)})
        return value
