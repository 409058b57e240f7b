"""The retention run (retention.services) marks the employee it pseudonymised."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organisation', '0005_rights_with_a_period'),
    ]

    operations = [
        migrations.AddField(
            model_name='employee',
            name='pseudonymised_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='personuppgifter gallrade'),
        ),
    ]
