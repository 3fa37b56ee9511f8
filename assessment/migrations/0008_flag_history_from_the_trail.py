"""Flag history is read from the trail: the assessment_flagchange table becomes a view over FLAG events.

The sweep wrote every flag change twice, as a FlagChange row and as the petition's FLAG event. Rows of
the table that have no FLAG event (none are expected: every writer wrote both) are first copied to the
trail, so nothing is lost; then the table is dropped and a view of the same name and columns reads the
events. Reversible: the table is created again and filled from the view's rows.
"""
import django.db.models.deletion
from django.db import migrations, models

VIEW = """
CREATE VIEW assessment_flagchange AS
SELECT e.id AS id, e.petition_id AS petition_id, {null_id} AS representative_id, {null_id} AS studio_id,
       COALESCE({from_flag}, '') AS from_flag, COALESCE({to_flag}, '') AS to_flag,
       COALESCE({stage}, '') AS stage, e.at AS at, e.note AS reason
FROM petitions_petitionevent e
WHERE e.action = 'flag'
"""


def _view_sql(vendor: str) -> str:
    if vendor == "postgresql":
        key, null_id = "(e.data ->> '{}')", "NULL::bigint"
    else:
        key, null_id = "json_extract(e.data, '$.{}')", "NULL"
    return VIEW.format(null_id=null_id, from_flag=key.format("from"), to_flag=key.format("to"),
                       stage=key.format("stage"))


def table_to_view(apps, schema_editor):
    FlagChange = apps.get_model("assessment", "FlagChange")
    PetitionEvent = apps.get_model("petitions", "PetitionEvent")
    trail = PetitionEvent.objects.filter(petition_id=models.OuterRef("petition_id"), action="flag",
                                         at=models.OuterRef("at"))
    missing = (FlagChange.objects.filter(petition__isnull=False).filter(~models.Exists(trail)).order_by("id").values_list("petition_id", "from_flag", "to_flag", "stage", "at", "reason"))
    batch = []
    for petition_id, from_flag, to_flag, stage, at, reason in missing.iterator(chunk_size=2000):
        batch.append(PetitionEvent(petition_id=petition_id, action="flag", actor_label="system", at=at,
                                   note=reason, public=False, data={"from": from_flag, "to": to_flag, "stage": stage}))
        if len(batch) == 2000:
            PetitionEvent.objects.bulk_create(batch)
            batch = []
    PetitionEvent.objects.bulk_create(batch)
    schema_editor.execute("DROP TABLE assessment_flagchange")
    schema_editor.execute(_view_sql(schema_editor.connection.vendor))


def view_to_table(apps, schema_editor):
    rows = []
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT petition_id, from_flag, to_flag, stage, at, reason FROM assessment_flagchange")
        rows = cursor.fetchall()
    schema_editor.execute("DROP VIEW assessment_flagchange")
    # The model as it was before this migration: a table with its index and constraint.
    old = apps.get_model("assessment", "FlagChange")
    schema_editor.create_model(old)
    old.objects.bulk_create([old(petition_id=p, from_flag=f, to_flag=t, stage=s, at=a, reason=r)
                             for p, f, t, s, a, r in rows], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0007_notification_texts'),
        ('petitions', '0009_routing_indexes'),
    ]

    operations = [
        migrations.RunPython(table_to_view, view_to_table),
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveConstraint(model_name='flagchange', name='flag_change_one_subject'),
            migrations.RemoveIndex(model_name='flagchange', name='assessment__to_flag_c8f678_idx'),
            migrations.AlterField(
                model_name='flagchange', name='petition',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.DO_NOTHING,
                                        related_name='flag_changes', to='petitions.petition', verbose_name='petition')),
            migrations.AlterField(
                model_name='flagchange', name='representative',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.DO_NOTHING,
                                        related_name='flag_changes', to='liaison.representative',
                                        verbose_name='representative')),
            migrations.AlterField(
                model_name='flagchange', name='studio',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.DO_NOTHING,
                                        related_name='flag_changes', to='offices.studio', verbose_name='studio')),
            migrations.AlterModelOptions(
                name='flagchange',
                options={'managed': False, 'ordering': ['-at'], 'verbose_name': 'flag change',
                         'verbose_name_plural': 'flag changes'},
            ),
        ]),
    ]
