"""On PostgreSQL the database itself refuses to change or delete a trail event, whatever the client."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION petition_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'petitions_petitionevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS petition_event_append_only ON petitions_petitionevent;
CREATE TRIGGER petition_event_append_only
    BEFORE UPDATE OR DELETE ON petitions_petitionevent
    FOR EACH ROW EXECUTE FUNCTION petition_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS petition_event_append_only ON petitions_petitionevent;
DROP FUNCTION IF EXISTS petition_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
