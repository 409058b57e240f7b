"""Retention carried out (retention.services.carry_out), with the clock moved: each kind of
record goes, or is pseudonymised, when its period is past and not before; the monthly
figures are the same before and after; a second run does nothing; the dry run changes
nothing and counts what the run then does. On SQLite and PostgreSQL alike; the audit
trail's years on PostgreSQL are in test_audit_partitions.py."""

from datetime import date, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import record
from cards.models import Card, PukRecord
from desk.models import DeskSession, DeskVisit, PukTicket, Station, UnblockAttempt
from orders.models import DigestSent, Letter, Notification, PukOrder, Reason
from orders.reports import monthly_report
from orders.states import OrderState
from organisation.models import Employee, Forvaltning, User
from retention import services
from retention.models import RetentionRun
from retention.policy import Kind
from tests.factories import CardFactory, EmployeeFactory, PukOrderFactory, UserFactory, give_puk

pytestmark = pytest.mark.django_db


def at(clock, moment):
    """From here on, the clock stands at `moment`: rows made now are made then."""
    clock.set(moment)
    return moment


def closed_order(clock, card, state, placed, *, closed=None, decided_by=None, letters=(), **fields):
    """An order placed at `placed`, decided an hour later, closed (last changed) at `closed`,
    with a letter made at each of `letters` (tracking id and all)."""
    at(clock, placed)
    decided = placed + timedelta(hours=1) if decided_by else None
    order = PukOrderFactory(card=card, state=state, decided_by=decided_by, decided_at=decided, **fields)
    for generation, made in enumerate(letters, start=1):
        at(clock, made)
        Letter.objects.create(order=order, generation=generation, tracking_id=f"RR{order.pk:07d}{generation}SE")
    PukOrder.objects.filter(pk=order.pk).update(updated_at=closed or placed)
    return order


def figures(first, last):
    """The monthly report of every förvaltning for each month from `first` to `last`."""
    months, month = [], timezone.localdate(first).replace(day=1)
    while month <= timezone.localdate(last):
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return [monthly_report(Forvaltning.objects.order_by("pk"), month) for month in months]


def visit(clock, card, operator, station, moment, *, second_operator=None):
    at(clock, moment)
    desk_visit = DeskVisit.objects.create(station=station, operator=operator, card=card, id_document="passport")
    attempt = UnblockAttempt.objects.create(
        visit=desk_visit, pin="legitimering", assisted=True, result="done", second_operator=second_operator
    )
    PukTicket.objects.create(
        attempt=attempt, card=card, operator=operator, station=station, expires_at=moment + timedelta(minutes=2)
    )
    DeskSession.objects.create(station=station, operator=operator, last_seen_at=moment, ended_at=moment)
    return desk_visit


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def history(clock, now, forvaltning, other_forvaltning, contact_person):
    """Three years of records: what is past its period and what is not, in both förvaltningar."""
    long_ago = now - timedelta(days=800)
    a_while_ago = now - timedelta(days=770)
    recently = now - timedelta(days=100)
    station = Station.objects.create(name="Kortstation Lund", location="Lund", credential_hash="x" * 64)
    operator = UserFactory(username="olle")

    # A leaver: login deactivated, card revoked, and every record of theirs past its period.
    leaver = EmployeeFactory(forvaltning=forvaltning, first_name="Lena", last_name="Lämnat", user__username="lena")
    leaver.user.is_active = False
    leaver.user.save()
    revoked = CardFactory(holder=leaver, status=Card.Status.REVOKED)
    give_puk(revoked)
    other_reason = closed_order(
        clock,
        revoked,
        OrderState.DELIVERED,
        long_ago,
        closed=long_ago + timedelta(days=4),
        decided_by=contact_person,
        letters=[long_ago + timedelta(hours=2)],
        reason=Reason.OTHER,
        reason_text="Tappade väskan på tåget, ring mig på 0701234567",
        address_registered_since=date(2023, 12, 1),
        needs_second_approval=True,
        second_approval_reasons=["recent_address"],
    )
    at(clock, long_ago + timedelta(hours=1))
    record(AuditAction.ORDER_APPROVED, other_reason, actor=contact_person)
    Notification.objects.create(order=other_reason, kind="receipt", recipient="lena@test.skane.se", sent_at=long_ago)
    visit(clock, revoked, operator, station, long_ago + timedelta(days=10))

    # An employee who still works here, with old and new orders.
    anna = EmployeeFactory(forvaltning=forvaltning, first_name="Anna")
    card = CardFactory(holder=anna)
    give_puk(card)
    rejected = closed_order(
        clock,
        card,
        OrderState.REJECTED,
        long_ago + timedelta(days=1),
        decided_by=contact_person,
        rejection_reason="Anna har redan fått ett nytt kort",
    )
    closed_order(clock, card, OrderState.CANCELLED, a_while_ago)
    closed_order(clock, card, OrderState.HANDLED_AT_DESK, a_while_ago + timedelta(days=1))
    recent = closed_order(
        clock,
        card,
        OrderState.DELIVERED,
        recently,
        decided_by=contact_person,
        letters=[recently + timedelta(hours=3)],
        reason=Reason.OTHER,
        reason_text="Kortet låg i tvättmaskinen",
    )
    # Mail is kept 90 days: a reminder about her order last month is kept.
    last_month = at(clock, now - timedelta(days=30))
    Notification.objects.create(order=recent, kind="reminder", recipient="karin@test.skane.se", sent_at=last_month)
    DigestSent.objects.create(user=contact_person, date=timezone.localdate(long_ago), order_count=1, sent_at=long_ago)
    DigestSent.objects.create(
        user=contact_person, date=timezone.localdate(last_month), order_count=1, sent_at=last_month
    )
    visit(clock, card, operator, station, recently)

    # Open for long, never closed: left alone.
    stuck_card = CardFactory(holder=EmployeeFactory(forvaltning=forvaltning))
    stuck = closed_order(clock, stuck_card, OrderState.POSTED, long_ago, decided_by=contact_person, letters=[long_ago])

    # The other förvaltning: a letter sent again (two letters, both paid for), long ago.
    bo = EmployeeFactory(forvaltning=other_forvaltning, first_name="Bo")
    expired = CardFactory(holder=bo, valid_to=timezone.localdate(now) - timedelta(days=1))
    give_puk(expired)
    sent_again = closed_order(
        clock,
        expired,
        OrderState.DELIVERED,
        a_while_ago,
        closed=a_while_ago + timedelta(days=20),
        decided_by=contact_person,
        letters=[a_while_ago + timedelta(hours=2), a_while_ago + timedelta(days=10)],
    )
    at(clock, now)
    return {
        "first": long_ago,
        "closed": long_ago + timedelta(days=4),
        "leaver": leaver,
        "anna": anna,
        "other_reason": other_reason,
        "rejected": rejected,
        "recent": recent,
        "stuck": stuck,
        "sent_again": sent_again,
        "card": card,
        "revoked": revoked,
        "expired": expired,
    }


def test_the_monthly_figures_are_the_same_before_and_after(history, now):
    before = figures(history["first"], now)
    assert sum(row.orders for month in before for row in month) == 7
    assert sum(row.letters for month in before for row in month) == 5

    report = services.carry_out(now=now)

    assert report.outcomes[Kind.ORDERS].counts["orders"] == 5
    assert report.outcomes[Kind.EMPLOYEES].counts["employees"] == 1
    assert figures(history["first"], now) == before


def test_an_order_past_its_period_is_pseudonymised_not_deleted(history, now):
    services.carry_out(now=now)

    order = PukOrder.objects.get(pk=history["other_reason"].pk)
    assert order.pseudonymised_at == now
    assert (order.reason_text, order.address_registered_since, order.second_approval_reasons) == ("", None, [])
    # What the figures and the order's history count stays.
    assert (order.reason, order.state, order.forvaltning_id, order.holder_id) == (
        Reason.OTHER,
        OrderState.DELIVERED,
        history["leaver"].forvaltning_id,
        history["leaver"].pk,
    )
    assert order.updated_at == history["closed"], "its closing stays its closing"
    assert list(order.letters.values_list("tracking_id", flat=True)) == [""]
    assert PukOrder.objects.get(pk=history["rejected"].pk).rejection_reason == ""
    assert set(Letter.objects.filter(order=history["sent_again"]).values_list("tracking_id", flat=True)) == {""}


def test_orders_in_their_period_and_open_orders_are_left_as_they_are(history, now):
    untouched = [history["recent"], history["stuck"]]
    before = list(PukOrder.objects.filter(pk__in=[o.pk for o in untouched]).order_by("pk").values())

    report = services.carry_out(now=now)

    assert list(PukOrder.objects.filter(pk__in=[o.pk for o in untouched]).order_by("pk").values()) == before
    assert PukOrder.objects.get(pk=history["recent"].pk).reason_text == "Kortet låg i tvättmaskinen"
    assert Letter.objects.get(order=history["stuck"]).tracking_id != ""
    assert "1 open orders" in report.outcomes[Kind.ORDERS].note


def test_the_leaver_is_pseudonymised_with_their_login_and_the_others_are_not(history, now):
    services.carry_out(now=now)

    leaver = Employee.objects.select_related("user").get(pk=history["leaver"].pk)
    assert leaver.pseudonymised_at == now
    assert (leaver.first_name, leaver.last_name, leaver.work_email) == ("Gallrad", f"#{leaver.pk}", "")
    assert leaver.personnummer == f"X{leaver.pk:010d}X" and leaver.hsa_id == f"gallrad-{leaver.pk}"
    assert leaver.forvaltning_id == history["leaver"].forvaltning_id
    user = leaver.user
    assert (user.username, user.first_name, user.last_name, user.email) == (f"gallrad-{user.pk}", "", "", "")
    assert not user.has_usable_password() and not user.is_active
    # Anna works here (login in use); Bo's login is in use too, though his card expired.
    assert Employee.objects.filter(pseudonymised_at__isnull=False).count() == 1
    assert Employee.objects.get(pk=history["anna"].pk).first_name == "Anna"


def test_a_leaver_with_something_kept_is_not_pseudonymised_yet(history, now, clock):
    bo = Employee.objects.get(first_name="Bo")
    User.objects.filter(pk=bo.user_id).update(is_active=False)
    # A desk visit to his expired card a year ago: kept for its period, and so is he.
    operator = User.objects.get(username="olle")
    visit(clock, history["expired"], operator, Station.objects.get(), now - timedelta(days=365))
    at(clock, now)

    services.carry_out(now=now)
    assert Employee.objects.get(pk=bo.pk).pseudonymised_at is None

    # Once that visit is past its period too, he is.
    later = now + timedelta(days=366)
    at(clock, later)
    services.carry_out(now=later)
    assert Employee.objects.get(pk=bo.pk).pseudonymised_at == later


def test_puk_records_go_as_soon_as_the_card_cannot_use_them(history, now):
    services.carry_out(now=now)
    assert set(PukRecord.objects.values_list("card", flat=True)) == {history["card"].pk}


def test_a_card_valid_through_today_keeps_its_puk(history, now):
    Card.objects.filter(pk=history["expired"].pk).update(valid_to=timezone.localdate(now))
    services.carry_out(now=now)
    assert set(PukRecord.objects.values_list("card", flat=True)) == {history["card"].pk, history["expired"].pk}


def test_mail_desk_visits_and_sessions_past_their_period_are_deleted(history, now):
    expired_session = SessionStore()
    expired_session.create()
    Session.objects.filter(pk=expired_session.session_key).update(expire_date=now - timedelta(seconds=1))
    live_session = SessionStore()
    live_session.create()

    report = services.carry_out(now=now)

    assert list(Notification.objects.values_list("order", flat=True)) == [history["recent"].pk]
    assert DigestSent.objects.get().date == timezone.localdate(now - timedelta(days=30))
    assert DeskVisit.objects.get().card == history["card"]
    assert UnblockAttempt.objects.count() == PukTicket.objects.count() == DeskSession.objects.count() == 1
    assert list(Session.objects.values_list("pk", flat=True)) == [live_session.session_key]
    assert report.counts()["desk"] == {"visits": 1, "unblock_attempts": 1, "puk_tickets": 1, "desk_logins": 1}
    assert report.counts()["mail"] == {"notifications": 1, "digests": 1}
    assert report.counts()["sessions"] == {"sessions": 1}


def test_nothing_is_due_before_its_period_has_passed(history, now):
    """Run 40 days after the oldest records: only what needs no period goes (the PUK of the
    revoked card; the expired card was still valid then)."""
    earlier = now - timedelta(days=760)
    report = services.carry_out(now=earlier)
    assert {kind: counts for kind, counts in report.counts().items() if counts} == {"puk_records": {"puk_records": 1}}


def test_the_dry_run_changes_nothing_and_counts_what_the_run_does(history, now):
    rows = {
        model: list(model.objects.order_by("pk").values())
        for model in (PukOrder, Letter, Employee, User, Notification, DigestSent, DeskVisit, PukRecord)
    }
    dry = services.carry_out(now=now, dry_run=True)
    for model, before in rows.items():
        assert list(model.objects.order_by("pk").values()) == before, model
    assert not RetentionRun.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.RETENTION_CARRIED_OUT).exists()

    done = services.carry_out(now=now)
    for kind in Kind:
        if kind is not Kind.AUDIT:
            assert {k: n for k, n in dry.outcomes[kind].counts.items() if n} == dict(done.outcomes[kind].counts), kind


def test_a_second_run_does_nothing_and_leaves_no_record(history, now):
    services.carry_out(now=now)
    after_first = {model: list(model.objects.order_by("pk").values()) for model in (PukOrder, Employee, Letter)}

    again = services.carry_out(now=now + timedelta(minutes=5))

    assert not again.anything
    assert {model: list(model.objects.order_by("pk").values()) for model in after_first} == after_first
    assert RetentionRun.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.RETENTION_CARRIED_OUT).count() == 1


def test_a_run_that_did_something_is_recorded_on_its_run(history, now):
    report = services.carry_out(now=now)
    run = RetentionRun.objects.get()
    assert report.run == run
    assert run.counts["orders"] == {"orders": 5, "letters": 3}
    event = AuditEvent.objects.for_object(run).get()
    assert event.action == AuditAction.RETENTION_CARRIED_OUT
    assert event.actor_label == "system"
    assert event.data["orders"] == {"orders": 5, "letters": 3}
    assert event.data["employees"] == {"employees": 1, "logins": 1}


def test_batches_are_bounded_and_the_next_run_goes_on(history, now):
    first = services.carry_out(now=now, batch_size=2, max_batches=1)
    assert first.outcomes[Kind.ORDERS].counts["orders"] == 2
    assert first.outcomes[Kind.ORDERS].more

    second = services.carry_out(now=now, batch_size=2, max_batches=1)
    third = services.carry_out(now=now, batch_size=2, max_batches=1)
    assert (second.outcomes[Kind.ORDERS].counts["orders"], third.outcomes[Kind.ORDERS].counts["orders"]) == (2, 1)
    assert not third.outcomes[Kind.ORDERS].more
    assert PukOrder.objects.filter(pseudonymised_at__isnull=False).count() == 5


def test_the_audit_trail_is_never_thinned_row_by_row(history, now):
    """Whatever the run does, every audit event there was is still there, unchanged."""
    before = list(AuditEvent.objects.order_by("pk").values())
    assert before, "the history has audit events"
    services.carry_out(now=now)
    after = list(AuditEvent.objects.order_by("pk").values())
    assert after[: len(before)] == before


def test_the_task_runs_the_same_carrying_out(history, now, tasks_in_process, clock):
    from rsportal.celery import app

    at(clock, now)
    counts = app.tasks["retention.tasks.carry_out_retention"].delay().get()
    assert counts["orders"] == {"orders": 5, "letters": 3}


def test_the_command_dry_run_prints_what_it_would_do_per_kind(history, now, capsys, clock):
    at(clock, now)
    call_command("gallra", "--dry-run")
    out = capsys.readouterr().out
    assert "dry run, nothing changed" in out
    for kind in Kind:
        assert f"  {kind.value}: " in out
    assert "5 orders" in out and "1 employees" in out and "2 puk records" in out
    assert PukOrder.objects.filter(pseudonymised_at__isnull=False).count() == 0


def test_the_command_looks_ahead_only_in_a_dry_run(history, now, capsys, clock):
    at(clock, now - timedelta(days=760))
    later = timezone.localdate(now).isoformat()
    call_command("gallra", "--dry-run", "--as-of", later)
    assert "5 orders" in capsys.readouterr().out
    with pytest.raises(CommandError, match="only with --dry-run"):
        call_command("gallra", "--as-of", later)
    assert PukOrder.objects.filter(pseudonymised_at__isnull=False).count() == 0
