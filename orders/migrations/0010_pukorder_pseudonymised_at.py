"""The retention run pseudonymises an order closed longer than its period (retention.services):
it empties the free text, so an order whose reason is "other" may then be without one."""

from django.db import migrations, models

# Written back into an emptied text of an order with the reason "other" when this migration is
# rolled back, so the constraint of before holds again.
PLACEHOLDER = "(gallrad)"


def backwards(apps, schema_editor):
    PukOrder = apps.get_model("orders", "PukOrder")
    PukOrder.objects.filter(reason="other", reason_text="").update(reason_text=PLACEHOLDER)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0009_central_queue"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="pukorder",
            name="other_reason_has_text",
        ),
        migrations.AddField(
            model_name="pukorder",
            name="pseudonymised_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="personuppgifter gallrade"),
        ),
        migrations.AddConstraint(
            model_name="pukorder",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("reason", "other"), _negated=True),
                    models.Q(("reason_text", ""), _negated=True),
                    ("pseudonymised_at__isnull", False),
                    _connector="OR",
                ),
                name="other_reason_has_text",
            ),
        ),
        # Rolled back first: the texts come back before the old constraint does.
        migrations.RunPython(migrations.RunPython.noop, backwards),
    ]
