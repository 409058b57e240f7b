from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0001_sync_run"),
    ]

    operations = [
        migrations.AddField(
            model_name="syncrun",
            name="outage_alerted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="larm om uteblivna körningar skickat"),
        ),
    ]
