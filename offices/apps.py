from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _reset_sectors(**kwargs):
    from . import selectors

    selectors.reset_sector_cache()


def _reset_studios(**kwargs):
    from . import selectors

    selectors.reset_studio_cache()


class OfficesConfig(AppConfig):
    name = "offices"
    verbose_name = _("Studios and offices")

    def ready(self):
        from .models import Sector, Studio

        for signal in (post_save, post_delete):
            signal.connect(_reset_sectors, sender=Sector, dispatch_uid=f"sectors-{signal}")
            signal.connect(_reset_studios, sender=Studio, dispatch_uid=f"studios-{signal}")
