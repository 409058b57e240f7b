"""The contact person's queue (Att hantera): what it lists, filters and decides."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from audit.models import AuditEvent
from orders import services
from orders.models import PukOrder
from orders.states import OrderState
from organisation.services import assign_contact_person
from tests.factories import CardFactory, EmployeeFactory, PukOrderFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_order(card, state=OrderState.SUBMITTED, created_days_ago=0, **fields):
    order = PukOrderFactory(
        card=card, placed_by=fields.pop("placed_by", card.holder.user or UserFactory()), state=state, **fields
    )
    if created_days_ago:
        PukOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=created_days_ago))
        order.refresh_from_db()
    return order


@pytest.fixture
def karin(client, contact_person):
    client.force_login(contact_person)
    return client


def queue_page(client, **params):
    return client.get(reverse("orders:queue"), params).content.decode()


def test_queue_lists_only_the_orders_of_the_contact_persons_forvaltning(karin, card, other_forvaltning):
    mine = make_order(card)
    theirs = make_order(CardFactory(holder=EmployeeFactory(forvaltning=other_forvaltning)))
    page = queue_page(karin)
    assert mine.reference in page
    assert theirs.reference not in page


def test_queue_shows_what_waits_by_default_and_everything_on_request(karin, card):
    waiting = make_order(card)
    posted = make_order(CardFactory(holder=card.holder), state=OrderState.POSTED)
    assert posted.reference not in queue_page(karin)
    page = queue_page(karin, state="all")
    assert waiting.reference in page and posted.reference in page


@pytest.mark.parametrize("query", ["anna", "Anna Person", "HSA", "CARD"])
def test_queue_search_finds_the_order_by_holder_name_hsa_id_or_card_number(karin, card, query):
    order = make_order(card)
    other = make_order(CardFactory(holder=EmployeeFactory(forvaltning=card.holder.forvaltning, first_name="Bo")))
    query = {"HSA": card.holder.hsa_id, "CARD": card.card_number}.get(query, query)
    query = query.replace("Person", card.holder.last_name[:6])
    page = queue_page(karin, q=query)
    assert order.reference in page
    assert other.reference not in page


def test_queue_date_range_keeps_orders_placed_within_it(karin, card):
    old = make_order(card, created_days_ago=40)
    new = make_order(CardFactory(holder=card.holder))
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    page = queue_page(karin, created_from=since)
    assert new.reference in page and old.reference not in page


def test_queue_with_a_nonsense_filter_says_so_and_lists_nothing(karin, card):
    order = make_order(card)
    response = karin.get(reverse("orders:queue"), {"created_from": "igår", "state": "bogus"})
    assert response.status_code == 200
    assert order.reference not in response.content.decode()
    assert 'class="error"' in response.content.decode()


@pytest.mark.parametrize("field", ["created_from", "created_to"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_queue_with_a_date_out_of_range_says_which_years_and_does_not_fail(karin, card, field, day):
    order = make_order(card)
    response = karin.get(reverse("orders:queue"), {field: day})
    assert response.status_code == 200
    assert "Ange ett år mellan 1900 och 2999." in response.content.decode()
    assert order.reference not in response.content.decode()
    export = karin.get(reverse("orders:queue_export"), {field: day}, follow=True)
    assert export.status_code == 200
    assert "Filtret är ogiltigt" in export.content.decode()


def test_queue_filter_form_shows_the_filter_it_applied(karin, card, contact_person, other_forvaltning):
    assign_contact_person(user=contact_person, forvaltning=other_forvaltning)
    page = queue_page(karin, state="returned", forvaltning=other_forvaltning.pk, created_from="2026-01-02", q="Anna")
    assert '<option value="returned" selected>' in page
    assert f'<option value="{other_forvaltning.pk}" selected>{other_forvaltning.name}</option>' in page
    assert 'name="created_from" value="2026-01-02"' in page
    assert 'name="q" value="Anna"' in page


def test_queue_pages_by_25(karin, employee):
    for _ in range(26):
        make_order(CardFactory(holder=employee))
    first, second = queue_page(karin), queue_page(karin, page=2)
    assert "Sida 1 av 2" in first
    assert first.count('name="order"') == 25 and second.count('name="order"') == 1


def test_htmx_filter_request_gets_only_the_results(karin, card):
    make_order(card)
    response = karin.get(reverse("orders:queue"), HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert 'id="bulk"' in response.content.decode()


def test_an_order_waiting_longer_than_the_target_is_marked_overdue(karin, card, forvaltning):
    forvaltning.approval_target_days = 2
    forvaltning.save()
    make_order(card, created_days_ago=10)
    make_order(CardFactory(holder=card.holder), state=OrderState.POSTED, created_days_ago=10)
    make_order(CardFactory(holder=card.holder))
    assert queue_page(karin, state="all").count("Över målet") == 1


def test_order_detail_shows_the_timeline_and_address_status_but_never_an_address(karin, card, contact_person):
    order = services.place_order(placed_by=card.holder.user, card=card, reason="lost_letter", blocked_codes="both")
    page = karin.get(reverse("orders:queue_detail", args=[order.pk])).content.decode()
    assert "Beställningen skickades in" in page
    assert "Folkbokföringsadress finns" in page
    assert "Storgatan" not in page and "211 34" not in page


def test_another_forvaltnings_order_is_404_to_view_and_to_decide(karin, other_forvaltning):
    theirs = make_order(CardFactory(holder=EmployeeFactory(forvaltning=other_forvaltning)))
    assert karin.get(reverse("orders:queue_detail", args=[theirs.pk])).status_code == 404
    assert karin.post(reverse("orders:approve", args=[theirs.pk])).status_code == 404
    assert karin.post(reverse("orders:reject", args=[theirs.pk]), {"reason": "Nej"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == OrderState.SUBMITTED
    assert not AuditEvent.objects.filter(action__in=["order_approved", "order_rejected"]).exists()


def test_contact_person_approves_and_the_holder_is_told_after_commit(
    karin, card, contact_person, django_capture_on_commit_callbacks
):
    order = make_order(card)
    with django_capture_on_commit_callbacks() as callbacks:
        response = karin.post(reverse("orders:approve", args=[order.pk]), {"state": "submitted"})
    order.refresh_from_db()
    assert response.status_code == 302
    assert order.state == OrderState.APPROVED
    assert order.decided_by == contact_person
    assert AuditEvent.objects.for_object(order).get(action="order_approved").actor == contact_person
    assert callbacks  # the decision mail (and letter) are enqueued only on commit


def test_contact_person_rejects_with_a_reason_the_holder_sees(
    karin, card, mailoutbox, django_capture_on_commit_callbacks, tasks_in_process
):
    order = make_order(card)
    with django_capture_on_commit_callbacks(execute=True):
        karin.post(
            reverse("orders:reject", args=[order.pk]), {"reason": "Kortet ska bytas i stället.", "state": "submitted"}
        )
    order.refresh_from_db()
    assert order.state == OrderState.REJECTED
    assert order.rejection_reason == "Kortet ska bytas i stället."
    assert [m.to for m in mailoutbox] == [[card.holder.work_email]]
    assert "Kortet ska bytas i stället." in mailoutbox[0].body


def test_reject_without_a_reason_says_why_and_writes_nothing(karin, card):
    order = make_order(card)
    response = karin.post(reverse("orders:reject", args=[order.pk]), {"reason": "   "}, follow=True)
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED
    assert "Skriv ett skäl till avslaget" in response.content.decode()
    assert not AuditEvent.objects.filter(action="order_rejected").exists()


def test_approving_an_order_cancelled_since_the_page_loaded_says_so_and_writes_nothing(karin, card):
    order = make_order(card)
    services.cancel_order(order=PukOrder.objects.get(pk=order.pk), by=card.holder.user)
    response = karin.post(reverse("orders:approve", args=[order.pk]), {"state": "submitted"}, follow=True)
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert "har ändrats under tiden och har nu status: Återkallad" in response.content.decode()
    assert not AuditEvent.objects.filter(action="order_approved").exists()


def test_bulk_approve_decides_each_selected_order_and_ignores_foreign_ids(karin, employee, other_forvaltning):
    mine = [make_order(CardFactory(holder=employee)) for _ in range(2)]
    theirs = make_order(CardFactory(holder=EmployeeFactory(forvaltning=other_forvaltning)))
    response = karin.post(
        reverse("orders:approve_selected"),
        {
            "order": [o.pk for o in mine] + [theirs.pk, "x", "9" * 30],
            **shown_as_submitted([*mine, theirs]),
            "next": "https://evil.example/",
        },
    )
    assert response.url == reverse("orders:queue")
    assert set(PukOrder.objects.filter(state=OrderState.APPROVED)) == set(mine)
    theirs.refresh_from_db()
    assert theirs.state == OrderState.SUBMITTED


def shown_as_submitted(orders):
    """The hidden fields with the state the queue list showed for each order."""
    return {f"state-{order.pk}": "submitted" for order in orders}


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_bulk_approve_says_how_many_selected_orders_it_could_not_handle_and_why(karin, other_forvaltning):
    theirs = [make_order(CardFactory(holder=EmployeeFactory(forvaltning=other_forvaltning))) for _ in range(2)]
    response = karin.post(
        reverse("orders:approve_selected"),
        {"order": [o.pk for o in theirs] + [10**9], **shown_as_submitted(theirs)},
        follow=True,
    )
    assert messages_of(response) == [
        "3 markerade beställningar kunde inte hanteras: de finns inte bland de beställningar du får besluta om."
    ]
    assert not PukOrder.objects.exclude(state=OrderState.SUBMITTED).exists()


def test_bulk_approve_says_which_orders_were_approved_and_which_await_a_second_approver(karin, employee):
    plain = make_order(CardFactory(holder=employee))
    suspicious = make_order(CardFactory(holder=employee), needs_second_approval=True)
    response = karin.post(
        reverse("orders:approve_selected"),
        {"order": [plain.pk, suspicious.pk], **shown_as_submitted([plain, suspicious])},
        follow=True,
    )
    assert messages_of(response) == [
        "1 beställning godkändes.",
        "1 beställning fick ett första godkännande och väntar nu på en andra, annan godkännare.",
    ]


def test_bulk_approve_leaves_an_order_first_approved_by_someone_else_since_the_list_was_shown(
    karin, card, second_contact_person
):
    order = make_order(card, needs_second_approval=True)
    services.approve_order(order=PukOrder.objects.get(pk=order.pk), by=second_contact_person)
    response = karin.post(
        reverse("orders:approve_selected"), {"order": [order.pk], **shown_as_submitted([order])}, follow=True
    )
    order.refresh_from_db()
    assert order.state == OrderState.SECOND_APPROVAL
    assert order.decided_by is None
    (warning,) = messages_of(response)
    assert warning.startswith(f"{order.reference}: Beställningen har under tiden fått ett första godkännande av Sara")


def test_approving_an_order_first_approved_by_someone_else_since_the_page_loaded_is_not_a_second_approval(
    karin, card, contact_person, second_contact_person
):
    order = make_order(card, needs_second_approval=True)
    page = karin.get(reverse("orders:queue_detail", args=[order.pk])).content.decode()
    assert 'name="state" value="submitted"' in page
    services.approve_order(order=PukOrder.objects.get(pk=order.pk), by=second_contact_person)  # meanwhile

    response = karin.post(reverse("orders:approve", args=[order.pk]), {"state": "submitted"}, follow=True)

    order.refresh_from_db()
    assert order.state == OrderState.SECOND_APPROVAL
    assert (order.first_approved_by, order.decided_by) == (second_contact_person, None)
    assert "fått ett första godkännande av Sara Svensson" in response.content.decode()
    assert not AuditEvent.objects.filter(action="order_approved").exists()


def test_rejecting_an_order_decided_since_the_page_loaded_says_by_whom_and_writes_nothing(
    karin, card, second_contact_person
):
    order = make_order(card)
    services.approve_order(order=PukOrder.objects.get(pk=order.pk), by=second_contact_person)
    response = karin.post(
        reverse("orders:reject", args=[order.pk]), {"reason": "Fel kort", "state": "submitted"}, follow=True
    )
    order.refresh_from_db()
    assert order.state == OrderState.APPROVED
    assert "redan beslutad av Sara Svensson" in response.content.decode()
    assert not AuditEvent.objects.filter(action="order_rejected").exists()


@pytest.mark.parametrize("state", ["", "bogus", "approved"])
def test_a_decision_posted_with_a_missing_or_tampered_state_writes_nothing(karin, card, state):
    order = make_order(card)
    karin.post(reverse("orders:approve", args=[order.pk]), {"state": state})
    karin.post(reverse("orders:reject", args=[order.pk]), {"reason": "Nej", "state": state})
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED
    assert not AuditEvent.objects.filter(action__in=["order_approved", "order_rejected"]).exists()


def test_a_first_approval_says_the_order_awaits_a_second_approver(karin, card):
    order = make_order(card, needs_second_approval=True)
    response = karin.post(reverse("orders:approve", args=[order.pk]), {"state": "submitted"}, follow=True)
    assert messages_of(response) == [
        f"{order.reference} har fått ett första godkännande och väntar nu på en andra, annan godkännare."
    ]


@pytest.mark.parametrize("next_url", ["foo", "orders:queue_detail", "//evil.example/", "https://evil.example/", ""])
def test_bulk_approve_goes_back_to_the_queue_unless_next_is_a_path_on_this_site(karin, card, next_url):
    make_order(card)
    response = karin.post(reverse("orders:approve_selected"), {"order": [], "next": next_url})
    assert response.status_code == 302
    assert response.url == reverse("orders:queue")


def test_bulk_approve_returns_to_the_filtered_queue_it_came_from(karin, card):
    order = make_order(card)
    came_from = reverse("orders:queue") + "?state=all&page=1"
    response = karin.post(reverse("orders:approve_selected"), {"order": [order.pk], "next": came_from})
    assert response.url == came_from


def test_bulk_approve_reports_an_order_it_may_not_approve(karin, card, contact_person):
    order = make_order(card, placed_by=contact_person, needs_second_approval=True)
    response = karin.post(
        reverse("orders:approve_selected"), {"order": [order.pk], **shown_as_submitted([order])}, follow=True
    )
    assert "annan kontaktperson måste godkänna" in response.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED


def test_an_order_placed_on_behalf_is_approved_by_one_other_contact_person(card, contact_person, second_contact_person):
    """Four eyes: the placer is one pair, one approval by someone else the other."""
    order = services.place_order(placed_by=contact_person, card=card, reason="lost_letter", blocked_codes="both")
    assert order.second_approval_reasons == ["placed_on_behalf"]

    with pytest.raises(services.OrderRefused, match="själv lagt beställningen"):
        services.approve_order(order=order, by=contact_person)
    services.approve_order(order=order, by=second_contact_person)
    order.refresh_from_db()
    assert order.state == OrderState.APPROVED
    assert (order.first_approved_by, order.decided_by) == (None, second_contact_person)
    assert not order.central_queue


def test_a_suspicious_order_placed_by_its_holder_needs_two_different_approvers(
    card, contact_person, second_contact_person, register
):
    register.add(card.holder, registered_since=(timezone.localdate() - timedelta(days=3)).isoformat())
    order = services.place_order(placed_by=card.holder.user, card=card, reason="lost_letter", blocked_codes="both")
    assert order.needs_second_approval and order.second_approval_reasons == ["recent_address_change"]

    services.approve_order(order=order, by=contact_person)
    assert order.state == OrderState.SECOND_APPROVAL
    with pytest.raises(services.OrderRefused, match="redan godkänt"):
        services.approve_order(order=order, by=contact_person)
    services.approve_order(order=order, by=second_contact_person)
    order.refresh_from_db()
    assert order.state == OrderState.APPROVED
    assert (order.first_approved_by, order.decided_by) == (contact_person, second_contact_person)


def test_a_contact_person_may_not_decide_their_own_order(forvaltning, contact_person, register):
    own_card = CardFactory(holder=EmployeeFactory(user=contact_person, forvaltning=forvaltning))
    register.add(own_card.holder)
    order = make_order(own_card)
    with pytest.raises(services.OrderRefused, match="gäller dig själv"):
        services.reject_order(order=order, by=contact_person, reason="Nej")


def test_a_viewer_without_approve_permission_cannot_decide(client, card, forvaltning):
    from guardian.shortcuts import remove_perm

    viewer = UserFactory()
    # A permission counts only with an assignment in force behind it (organisation.permissions).
    assign_contact_person(user=viewer, forvaltning=forvaltning)
    remove_perm("organisation.approve_orders", viewer, forvaltning)
    order = make_order(card)
    client.force_login(viewer)
    assert client.get(reverse("orders:queue_detail", args=[order.pk])).status_code == 200
    assert client.post(reverse("orders:approve", args=[order.pk])).status_code == 404
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED


def test_the_queue_list_says_why_an_order_needs_two_approvers(karin, card, employee):
    reasons = ["repeat_orders", "recent_address_change"]
    order = make_order(card, needs_second_approval=True, second_approval_reasons=reasons)
    plain = make_order(CardFactory(holder=employee))
    page = queue_page(karin)
    assert (
        "Två godkännare: Innehavarens tredje beställning inom tolv månader; Folkbokföringsadressen är nyligen ändrad"
        in page
    )
    assert page.count("Två godkännare") == 1
    assert order.reference in page and plain.reference in page


def test_a_groups_permission_on_a_forvaltning_opens_nothing_only_an_assignment_does(client, card, forvaltning):
    make_order(card)
    kontaktpersoner = Group.objects.create(name="Kontaktpersoner SUS")
    for perm in ("organisation.view_orders", "organisation.approve_orders"):
        assign_perm(perm, kontaktpersoner, forvaltning)
    member = UserFactory(username="greta")
    member.groups.add(kontaktpersoner)
    client.force_login(member)

    assert client.get(reverse("orders:queue")).status_code == 404


def test_queue_rows_escape_what_people_and_registers_wrote(karin, card):
    """The rows are made in Python (orders.queue_table.rows_html), not by the template's
    autoescape: every text in them must still be escaped."""
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    card.holder.first_name, card.holder.last_name, card.holder.hsa_id = hostile, hostile, "SE-<b>1</b>"
    card.holder.save()
    make_order(card)
    page = queue_page(karin)
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<b>1</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page


def test_the_order_page_names_who_placed_and_first_approved_it_in_one_query_for_both(
    karin, card, contact_person, second_contact_person, django_assert_num_queries
):
    order = make_order(
        card, placed_by=second_contact_person, needs_second_approval=True, second_approval_reasons=["repeat_orders"]
    )
    PukOrder.objects.filter(pk=order.pk).update(
        state=OrderState.SECOND_APPROVAL, first_approved_by=UserFactory(first_name="Frida", last_name="Först")
    )
    karin.get(reverse("orders:queue_detail", args=[order.pk]))  # the session and the roles, remembered

    with django_assert_num_queries(8):
        page = karin.get(reverse("orders:queue_detail", args=[order.pk])).content.decode()

    placer = second_contact_person.get_full_name() or second_contact_person.username
    assert f"Beställd av</dt><dd>{placer}</dd>" in page
    assert "Första godkännande: Frida Först" in page
