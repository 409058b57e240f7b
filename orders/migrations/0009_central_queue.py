"""The central queue of Region Skåne's RS-kort administrators, the four-eyes rule in
which the placer of an on-behalf order is the first pair of eyes, and one set of state
names (letter_queued is "Hos tryckeriet", as the letter's steps call it).

- `central_queue` on the order, its partial index, and the permission
  `orders.decide_in_central_queue`, given to a new group *RS-kortadministratörer*: the
  administrator puts the RA function's people in it.
- An on-behalf order that nobody has approved yet needs one approval now, not two: its
  placer counts as the first pair of eyes. Orders already in second_approval keep waiting
  for one more approval, by someone who is neither holder, placer nor first approver (beat's
  orders.tasks.route_waiting_orders sends those that nobody can give it to the central
  queue, with its audit event). Nothing here writes or fakes an audit event, and no state
  changes.
"""

import django_fsm
from django.conf import settings
from django.db import migrations, models

GROUP = "RS-kortadministratörer"
PERMISSION = ("decide_in_central_queue", "Besluta om beställningar i den centrala kön")


def one_approval_for_waiting_on_behalf_orders(apps, schema_editor):
    PukOrder = apps.get_model("orders", "PukOrder")
    waiting = PukOrder.objects.filter(state="submitted", needs_second_approval=True).select_related("holder")
    on_behalf = [order.pk for order in waiting if order.placed_by_id != order.holder.user_id]
    PukOrder.objects.filter(pk__in=on_behalf).update(needs_second_approval=False)


def two_approvals_for_waiting_on_behalf_orders(apps, schema_editor):
    """Back to the previous rule, under which being placed on behalf asked for two approvals."""
    PukOrder = apps.get_model("orders", "PukOrder")
    waiting = PukOrder.objects.filter(state="submitted", needs_second_approval=False).select_related("holder")
    on_behalf = [order.pk for order in waiting if order.placed_by_id != order.holder.user_id]
    PukOrder.objects.filter(pk__in=on_behalf).update(needs_second_approval=True)


def central_administrators_group(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="orders", model="pukorder")
    permission, _ = Permission.objects.get_or_create(
        codename=PERMISSION[0], content_type=content_type, defaults={"name": PERMISSION[1]}
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0008_forvaltning_newest_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="pukorder",
            options={
                "ordering": ["-created_at"],
                "permissions": [PERMISSION],
                "verbose_name": "PUK-beställning",
                "verbose_name_plural": "PUK-beställningar",
            },
        ),
        migrations.AddField(
            model_name="pukorder",
            name="central_queue",
            field=models.BooleanField(db_default=False, default=False, verbose_name="hos RS-kortadministratörerna"),
        ),
        migrations.AddIndex(
            model_name="pukorder",
            index=models.Index(
                condition=models.Q(("central_queue", True)), fields=["-created_at", "id"], name="order_central_queue"
            ),
        ),
        # One set of state names: the letter at the print house is "Hos tryckeriet" everywhere.
        migrations.AlterField(
            model_name="pukorder",
            name="state",
            field=django_fsm.FSMField(
                choices=[
                    ("submitted", "Inskickad"),
                    ("second_approval", "Väntar på andra godkännande"),
                    ("approved", "Godkänd"),
                    ("letter_queued", "Hos tryckeriet"),
                    ("printed", "Utskrivet"),
                    ("posted", "Skickat som rekommenderat brev"),
                    ("delivered", "Utlämnat"),
                    ("forwarded", "Skickat via Skatteverkets förmedling"),
                    ("returned", "Returnerat"),
                    ("failed", "Misslyckades"),
                    ("rejected", "Avslagen"),
                    ("cancelled", "Återkallad"),
                    ("handled_at_desk", "Hanterad på kortstation"),
                    ("closed", "Avslutad"),
                ],
                default="submitted",
                max_length=50,
                protected=True,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(one_approval_for_waiting_on_behalf_orders, two_approvals_for_waiting_on_behalf_orders),
        # Back: the group and its members stay (deleting a group would take its members'
        # other rights with it); without the field, the permission opens nothing.
        migrations.RunPython(central_administrators_group, migrations.RunPython.noop),
    ]
