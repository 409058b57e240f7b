"""Four eyes means two different contact persons (the placer of an on-behalf order counts
as one, the holder never does), and no order waits on a person who does not exist: a
förvaltning with too few contact persons sends its orders to the central queue of Region
Skåne's RS-kort administrators (issue 15, points 1-3)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.actions import AuditAction
from audit.models import AuditEvent
from orders import services, tasks
from orders.selectors import orders_for_contact_person
from orders.states import OrderState
from organisation.models import ContactPersonAssignment
from organisation.services import assign_contact_person, remove_contact_person
from tests.factories import CardFactory, EmployeeFactory, ForvaltningFactory, PukOrderFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = ContactPersonAssignment.Role


@pytest.fixture
def rita():
    """An RS-kort administrator, through the group the migration made."""
    user = UserFactory(username="rita", first_name="Rita", last_name="Rydberg")
    user.groups.add(Group.objects.get(name="RS-kortadministratörer"))
    return user


@pytest.fixture
def regionservice(register):
    """A förvaltning without any contact person, and olle, who works there."""
    forvaltning = ForvaltningFactory(code="regionservice", name="Regionservice")
    olle = EmployeeFactory(forvaltning=forvaltning, user__username="olle", user__first_name="Olle")
    register.add(olle)
    return CardFactory(holder=olle)


@pytest.fixture
def primarvard(register):
    """kalle kontaktperson, karin ersättare, and Gustav's card."""
    forvaltning = ForvaltningFactory(code="primarvard", name="Primärvård Skåne")
    kalle = UserFactory(username="kalle", first_name="Kalle", last_name="Karlsson")
    karin = UserFactory(username="karin", first_name="Karin", last_name="Kontakt")
    assign_contact_person(user=kalle, forvaltning=forvaltning)
    assign_contact_person(user=karin, forvaltning=forvaltning, role=Role.SUBSTITUTE)
    gustav = EmployeeFactory(forvaltning=forvaltning, user__username="gustav", user__first_name="Gustav")
    register.add(gustav)
    return {"kalle": kalle, "karin": karin, "card": CardFactory(holder=gustav)}


def place(card, by=None):
    return services.place_order(
        placed_by=by or card.holder.user, card=card, reason="lost_letter", blocked_codes="legitimering"
    )


def actions(order):
    return list(AuditEvent.objects.for_object(order).values_list("action", flat=True))


# Point 1: the on-behalf deadlock.


def test_gustavs_order_placed_by_kalle_is_approved_by_karin_alone(primarvard):
    order = place(primarvard["card"], by=primarvard["kalle"])
    assert not order.needs_second_approval and order.approvals_still_needed == 1
    assert not order.central_queue  # karin is there to give it

    with pytest.raises(services.OrderRefused, match="själv lagt beställningen"):
        services.approve_order(order=order, by=primarvard["kalle"])
    services.approve_order(order=order, by=primarvard["karin"])

    order.refresh_from_db()
    assert order.state == OrderState.APPROVED
    assert order.decided_by == primarvard["karin"]
    assert actions(order) == [AuditAction.ORDER_SUBMITTED, AuditAction.ORDER_APPROVED]


def test_an_order_karin_places_for_bertil_is_approved_by_sara_alone(card, contact_person, second_contact_person):
    order = place(card, by=contact_person)
    services.approve_order(order=order, by=second_contact_person)
    assert order.state == OrderState.APPROVED


def test_an_order_stuck_in_second_approval_under_the_old_rule_goes_to_the_central_queue_and_completes(
    primarvard, rita, client
):
    """Placed by kalle and first approved by karin before the rule changed: it waits for one
    more approval by someone who is neither holder, placer nor first approver. Primärvård
    has nobody left, so beat's routing sends it to the central queue, where rita gives it."""
    kalle, karin = primarvard["kalle"], primarvard["karin"]
    stuck = PukOrderFactory(
        card=primarvard["card"],
        placed_by=kalle,
        state=OrderState.SECOND_APPROVAL,
        first_approved_by=karin,
        needs_second_approval=True,
        second_approval_reasons=["placed_on_behalf"],
    )
    for nobody in (kalle, karin):
        with pytest.raises(services.OrderRefused):
            services.approve_order(order=stuck, by=nobody)

    assert tasks.route_waiting_orders() == 1
    assert tasks.route_waiting_orders() == 0  # once
    stuck.refresh_from_db()
    assert stuck.central_queue and stuck.state == OrderState.SECOND_APPROVAL
    assert actions(stuck) == [AuditAction.ORDER_SENT_TO_CENTRAL_QUEUE]

    client.force_login(rita)
    client.post(reverse("orders:approve", args=[stuck.pk]), {"state": "second_approval"})
    stuck.refresh_from_db()
    assert (stuck.state, stuck.first_approved_by, stuck.decided_by) == (OrderState.APPROVED, karin, rita)


# Points 2 and 3: too few people, or none, in the förvaltning.


def test_olles_order_in_a_forvaltning_without_contact_persons_goes_to_the_central_queue(regionservice):
    order = place(regionservice)
    assert order.central_queue
    assert actions(order) == [AuditAction.ORDER_SUBMITTED, AuditAction.ORDER_SENT_TO_CENTRAL_QUEUE]
    event = AuditEvent.objects.get(action=AuditAction.ORDER_SENT_TO_CENTRAL_QUEUE)
    assert event.actor is None
    assert (event.data["approvers_in_forvaltning"], event.data["approvals_still_needed"]) == (0, 1)


def test_the_rs_kort_administrators_get_the_new_order_notice(
    regionservice, rita, mailoutbox, tasks_in_process, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(regionservice)
    notices = [mail for mail in mailoutbox if mail.to == [rita.email]]
    assert len(notices) == 1 and order.reference in notices[0].body
    assert reverse("orders:queue_detail", args=[order.pk]) in notices[0].body


def test_a_central_administrator_sees_and_decides_the_central_queue_only(regionservice, rita, card, client):
    central = place(regionservice)
    ordinary = PukOrderFactory(card=card)  # Skånes universitetssjukvård's own queue
    client.force_login(rita)

    page = client.get(reverse("orders:queue")).content.decode()
    assert central.reference in page and ordinary.reference not in page
    assert "Central kö" in page
    assert client.get(reverse("orders:queue_detail", args=[ordinary.pk])).status_code == 404
    assert client.post(reverse("orders:approve", args=[ordinary.pk]), {"state": "submitted"}).status_code == 404

    client.post(reverse("orders:approve", args=[central.pk]), {"state": "submitted"})
    central.refresh_from_db()
    assert (central.state, central.decided_by) == (OrderState.APPROVED, rita)


def test_a_central_administrator_has_no_contact_person_pages(rita, client):
    client.force_login(rita)
    assert client.get(reverse("home")).url == reverse("orders:queue")
    assert client.get(reverse("orders:on_behalf")).status_code == 404
    assert client.get(reverse("orders:report")).status_code == 404
    assert reverse("orders:on_behalf") not in client.get(reverse("orders:queue")).content.decode()


def test_a_contact_person_does_not_see_another_forvaltnings_central_orders(regionservice, contact_person, client):
    central = place(regionservice)
    client.force_login(contact_person)
    assert central.reference not in client.get(reverse("orders:queue")).content.decode()


def test_an_on_behalf_order_of_a_forvaltning_whose_only_contact_person_placed_it_goes_central(
    card, contact_person, rita
):
    order = place(card, by=contact_person)  # karin is Skånes universitetssjukvård's only one
    assert order.central_queue
    services.approve_order(order=order, by=rita)
    assert order.state == OrderState.APPROVED


def test_a_four_eyes_order_with_one_contact_person_gets_its_second_approval_centrally(
    card, contact_person, rita, register
):
    register.add(card.holder, registered_since="2099-01-01")  # just moved: two approvers
    order = place(card)
    assert order.needs_second_approval and order.central_queue  # karin alone cannot be two
    services.approve_order(order=order, by=contact_person)
    assert order.state == OrderState.SECOND_APPROVAL
    services.approve_order(order=order, by=rita)
    assert (order.first_approved_by, order.decided_by) == (contact_person, rita)


def test_the_first_approval_sends_the_order_on_when_nobody_is_left_for_the_second(
    card, contact_person, second_contact_person, register
):
    register.add(card.holder, registered_since="2099-01-01")
    order = place(card)
    assert not order.central_queue  # karin and sara
    second_contact_person.is_active = False  # sara left meanwhile
    second_contact_person.save()
    services.approve_order(order=order, by=contact_person)
    order.refresh_from_db()
    assert order.state == OrderState.SECOND_APPROVAL and order.central_queue


def test_removing_an_assignment_sends_the_orders_nobody_left_can_approve_to_the_central_queue(
    card, contact_person, second_contact_person, tasks_in_process, django_capture_on_commit_callbacks
):
    order = place(card, by=contact_person)  # waits for sara
    assert not order.central_queue
    assignment = ContactPersonAssignment.objects.get(user=second_contact_person)
    with django_capture_on_commit_callbacks(execute=True):
        remove_contact_person(assignment)
    order.refresh_from_db()
    assert order.central_queue
    assert AuditEvent.objects.filter(action=AuditAction.ORDER_SENT_TO_CENTRAL_QUEUE).count() == 1


def test_beat_routes_an_order_whose_approver_was_deactivated(card, contact_person):
    order = place(card)
    contact_person.is_active = False
    contact_person.save()
    decided = PukOrderFactory(card=CardFactory(holder=card.holder), state=OrderState.POSTED)

    assert tasks.route_waiting_orders() == 1
    order.refresh_from_db()
    decided.refresh_from_db()
    assert order.central_queue and not decided.central_queue  # only what waits for a decision


def test_an_ordinary_contact_persons_queue_asks_by_literal_forvaltning_ids_as_before(contact_person, forvaltning):
    with CaptureQueriesContext(connection) as queries:
        where = str(orders_for_contact_person(contact_person).query).split(" WHERE ")[1]
    assert "central_queue" not in where and f"IN ({forvaltning.pk})" in where
    assert len(queries) == 2  # the förvaltningar, and whether a central administrator


def test_the_admin_shows_the_forvaltningar_that_lack_approvers(client, forvaltning, other_forvaltning, contact_person):
    enough = ForvaltningFactory(code="enough", name="Förvaltning med två")
    for username in ("a1", "a2"):
        assign_contact_person(user=UserFactory(username=username), forvaltning=enough)
    client.force_login(UserFactory(username="ada", is_staff=True, is_superuser=True))
    url = reverse("admin:organisation_forvaltning_changelist")

    page = client.get(url).content.decode()
    assert "1 – för få för fyra ögon" in page and "0 – för få för fyra ögon" in page
    lacking = client.get(url, {"saknar_godkannare": "ja"}).content.decode()
    assert forvaltning.name in lacking and other_forvaltning.name in lacking and enough.name not in lacking
    assert "saknar tillräckligt många godkännare" in lacking


def test_the_central_permission_is_a_model_permission_of_orders():
    group = Group.objects.get(name="RS-kortadministratörer")
    assert list(group.permissions.values_list("content_type__app_label", "codename")) == [
        ("orders", "decide_in_central_queue")
    ]
    assert Permission.objects.filter(codename="decide_in_central_queue").count() == 1


def test_the_order_form_tells_olle_that_the_rs_kort_administrators_approve(regionservice, client, card, contact_person):
    client.force_login(regionservice.holder.user)
    page = client.get(reverse("orders:new", args=[regionservice.pk])).content.decode()
    assert "så Region Skånes RS-kortadministratörer godkänner beställningen" in page
    assert "Din förvaltnings kontaktperson godkänner" not in page

    client.force_login(card.holder.user)  # Skånes universitetssjukvård has karin
    page = client.get(reverse("orders:new", args=[card.pk])).content.decode()
    assert "Din förvaltnings kontaktperson godkänner beställningen innan brevet skickas." in page


def test_a_central_notice_lost_with_the_broker_is_sent_by_the_mail_sweep_once(
    regionservice, rita, mailoutbox, tasks_in_process, django_capture_on_commit_callbacks
):
    from orders.mail_sweep import sweep_unsent_mail

    with django_capture_on_commit_callbacks(execute=False):  # the broker was down: the tasks are lost
        order = place(regionservice)
    assert sweep_unsent_mail(older_than_seconds=0) == 2  # the receipt and the administrators' notice
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([order.holder.work_email, rita.email])
    assert sweep_unsent_mail(older_than_seconds=0) == 0
