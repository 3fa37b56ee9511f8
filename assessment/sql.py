"""Small SQL helpers the sweep and the reports share (PostgreSQL and SQLite)."""
from django.db.models import Case, F, FloatField, Func, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual

from offices.choices import Flag

from . import sla


class Epoch(Func):
    """Seconds since 1970 of a datetime column, as a float."""

    output_field = FloatField()
    arity = 1

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::double precision",
                           **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
                           **extra)


def stage_start_expression():
    """When the petition's current clock started (see assessment.sla for the stages)."""
    return Coalesce(
        Case(
            When(status="submitted", then=F("submitted_at")),
            When(status="accepted", resolve_due_at__isnull=True, then=F("submitted_at")),
            When(status__in=("accepted", "dispatched"), then=F("dispatched_at")),
            When(status="resolved", then=F("resolved_at")),
        ),
        F("submitted_at"),
    )


def yellow_at_epoch_expression():
    """yellow_at = stage start + yellow_share × (due_at − stage start), in epoch seconds.

    There is no yellow_at column: it is derived from due_at, the stage's start and the policy's
    share, so that a changed policy applies at the next sweep.
    """
    start = Epoch(stage_start_expression())
    return start + sla.yellow_share_expression() * (Epoch(F("due_at")) - start)


def target_flag_expression(now):
    """red past due_at, yellow past yellow_at, blue otherwise (for petitions whose clock runs)."""
    return Case(
        When(due_at__lte=now, then=Value(Flag.RED)),
        When(GreaterThanOrEqual(Value(now.timestamp(), output_field=FloatField()), yellow_at_epoch_expression()),
             then=Value(Flag.YELLOW)),
        default=Value(Flag.BLUE),
    )
