from django.db import migrations

# PostgreSQL gives every unique CharField a second index besides its unique one: "<column>_like", with
# varchar_pattern_ops, which serves only LIKE / startswith lookups. The portal looks up a tracking code and an
# idempotency key only by equality (the unique index), or with iexact, which neither index serves; nothing in
# the portal queries either with LIKE (the bench's one startswith, in a setup step, scans once). Yet every
# submission writes both indexes (about 37 MB on the city's million petitions), so they go. Django's model
# state never knew of them: nothing changes there. An AlterField that changes either column's type would have
# Django create its _like index again.
LIKE_INDEXES = {
    "petitions_petition_tracking_code_54ed7545_like": "tracking_code",
    "petitions_petition_idempotency_key_d388bd2a_like": "idempotency_key",
}


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL on PostgreSQL only: SQLite has no _like indexes (nor varchar_pattern_ops)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0010_petition_word_similar_index'),
    ]

    operations = [
        PostgreSQLOnly(
            sql=[f'DROP INDEX IF EXISTS "{name}"' for name in LIKE_INDEXES],
            reverse_sql=[f'CREATE INDEX IF NOT EXISTS "{name}" ON "petitions_petition" ("{column}" varchar_pattern_ops)'
                         for name, column in LIKE_INDEXES.items()],
            state_operations=[],
        ),
    ]
