"""The directory's mirror (registers) marks the employee who has left, login or not."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0006_employee_pseudonymised_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="employee",
            name="left_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="slutade"),
        ),
    ]
