from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("assessment", "0003_sla_pauses_notifications_score_weights")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="emailed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="e-mailed"),
        ),
    ]
