"""Choices shared across apps. Plain Python: importing this never touches the ORM."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Administrative level of a studio, an agency or a representative's congress."""

    NATIONAL = "national", _("national")
    PROVINCIAL = "provincial", _("provincial")
    CITY = "city", _("city")
    COUNTY = "county", _("county/district")
    TOWNSHIP = "township", _("township")


class Flag(models.TextChoices):
    """Blue on track or good, yellow slow (remind and supervise), red overdue or failing (red card)."""

    BLUE = "blue", _("blue (on track)")
    YELLOW = "yellow", _("yellow (slow)")
    RED = "red", _("red (overdue)")


class Loop(models.IntegerChoices):
    WITHIN_SECTOR = 1, _("loop 1: within the sector")
    ACROSS_DEPARTMENTS = 2, _("loop 2: across departments")
    JOINT_CONSULTATION = 3, _("loop 3: joint consultation")
