from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _reset_workdays(**kwargs):
    from . import workdays

    workdays.reset_cache()


def _reset_policies(**kwargs):
    from . import sla

    sla.reset_cache()


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from .models import SlaPolicy, WorkdayOverride

        for signal in (post_save, post_delete):
            signal.connect(_reset_workdays, sender=WorkdayOverride, dispatch_uid=f"workdays-{signal}")
            signal.connect(_reset_policies, sender=SlaPolicy, dispatch_uid=f"sla-{signal}")
