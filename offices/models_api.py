"""API keys for Open311 clients (and other systems that only submit requests).

A key can create petitions and nothing else: it never unlocks personal data. Only a hash of the key
is stored; the key itself is shown once, when it is created in the admin.
"""
import hashlib
import secrets

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

rate_validator = RegexValidator(r"^\d+/(s|m|h|d)$", _("Write a rate as a number of requests per s, m, h or d, "
                                                       "for example 100/h."))


def api_key_hash(raw: str) -> str:
    return hashlib.sha256((raw or "").encode("utf-8", "surrogatepass")).hexdigest()


class ApiKey(models.Model):
    name = models.CharField(_("name"), max_length=128, help_text=_("Who uses the key, e.g. a mobile app or a city's "
                                                                 "Open311 client."))
    prefix = models.CharField(_("prefix"), max_length=8, editable=False, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    studio = models.ForeignKey("offices.Studio", verbose_name=_("receiving studio"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               help_text=_("Requests posted with this key go to this studio; empty: to the city's "
                                           "studio of the requested service's sector."))
    rate = models.CharField(_("rate limit"), max_length=16, default="60/h", validators=[rate_validator],
                            help_text=_("Requests this key may post, e.g. 60/h."))
    active = models.BooleanField(_("active"), default=True)
    contact = models.CharField(_("contact"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return secrets.token_urlsafe(30)

    def set_key(self, raw: str) -> None:
        self.prefix, self.key_hash = raw[:8], api_key_hash(raw)

    @classmethod
    def lookup(cls, raw: str):
        """The active key for `raw`, or None."""
        if not raw or len(raw) > 200:
            return None
        return cls.objects.select_related("studio").filter(key_hash=api_key_hash(raw), active=True).first()
