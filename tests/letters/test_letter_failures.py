"""A letter task that keeps failing ends the order in `failed`, with the error in words
and a retry button; a permanent cause fails it at once. Nothing stays in `approved`."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from letters import pdf as letter
from letters import services as letters
from letters import tasks
from orders.models import PukOrder
from orders.states import OrderState
from tests.letters.spool import spooled

pytestmark = pytest.mark.django_db


@pytest.fixture
def few_retries(tasks_in_process, monkeypatch):
    """The letter task in this process, retrying at once (eager), twice."""
    monkeypatch.setattr(tasks.produce_letter, "max_retries", 2)


def state_of(order):
    return PukOrder.objects.get(pk=order.pk)


def test_a_register_that_stays_down_fails_the_order_after_the_last_retry(
    approved, few_retries, settings, tmp_path, client, contact_person
):
    settings.POPULATION_REGISTER_FILE = tmp_path / "gone.json"
    tasks.produce_letter.delay(approved.pk)

    order = state_of(approved)
    assert order.state == OrderState.FAILED
    assert order.letter_error == "Folkbokföringsregistret svarade inte."
    assert order.letter_attempts == 2  # the third attempt was the last: it failed the order
    client.force_login(contact_person)
    page = client.get(reverse("orders:queue_detail", args=[approved.pk])).content.decode()
    assert "Folkbokföringsregistret svarade inte." in page and "Försök igen" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("sv"):  # the request leaves English active in this thread otherwise
        page = client.get(reverse("orders:queue_detail", args=[approved.pk])).content.decode()
    assert "The population register did not respond." in page


def test_an_unexpected_error_is_retried_then_fails_in_words_without_its_text(
    approved, few_retries, monkeypatch, caplog
):
    attempts = []

    def broken(content):
        attempts.append(content.letter_id)
        raise ValueError("cannot place 24681357")  # the fixture's PUK

    monkeypatch.setattr(letters, "render_letter", broken)
    tasks.produce_letter.delay(approved.pk)

    order = state_of(approved)
    assert len(attempts) == 3 and order.state == OrderState.FAILED
    assert order.letter_error.startswith("Ett oväntat fel uppstod när kodbrevet skulle skapas.")
    assert "ValueError" in caplog.text and "24681357" not in caplog.text
    assert spooled() == []


def fail_once(monkeypatch):
    """The next letter's rendering fails once (a full disk), then works."""
    render, failures = letter.render_letter, [OSError("disk full")]

    def render_after_a_failure(content):
        if failures:
            raise failures.pop()
        return render(content)

    monkeypatch.setattr(letters, "render_letter", render_after_a_failure)


def test_a_retry_that_succeeds_makes_the_letter_and_forgets_the_attempts(approved, few_retries, monkeypatch):
    fail_once(monkeypatch)
    tasks.produce_letter.delay(approved.pk)
    order = state_of(approved)
    assert order.state == OrderState.LETTER_QUEUED
    assert (order.letter_attempts, order.letter_retry_at) == (0, None)
    assert len(spooled()) == 1


@pytest.mark.parametrize("key", ["", "not base64!", "c2hvcnQ="])
def test_a_missing_or_bad_puk_store_key_fails_the_order_at_once(approved, few_retries, settings, monkeypatch, key):
    settings.RSPORTAL_PUK_STORE_KEY = key
    attempts = []
    produce = letters.produce_letter
    monkeypatch.setattr(letters, "produce_letter", lambda order_id: attempts.append(order_id) or produce(order_id))
    tasks.produce_letter.delay(approved.pk)
    order = state_of(approved)
    assert order.state == OrderState.FAILED and "nyckel" in order.letter_error
    assert len(attempts) == 1


def test_the_sweep_leaves_an_order_alone_while_its_task_is_retrying(approved, monkeypatch):
    enqueued = []
    monkeypatch.setattr(tasks.produce_letter, "delay", enqueued.append)
    long_ago = timezone.now() - timedelta(minutes=30)
    retry_at = timezone.now() + timedelta(seconds=160)
    PukOrder.objects.filter(pk=approved.pk).update(updated_at=long_ago, letter_attempts=4, letter_retry_at=retry_at)
    assert letters.sweep_approved_orders() == 0

    # The retry is long overdue: its message was lost, so the sweep enqueues the task again.
    PukOrder.objects.filter(pk=approved.pk).update(letter_retry_at=long_ago)
    assert letters.sweep_approved_orders() == 1 and enqueued == [approved.pk]


def test_the_retry_button_gives_the_letter_task_all_its_attempts_again(
    approved, client, contact_person, few_retries, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    register_file, settings.POPULATION_REGISTER_FILE = settings.POPULATION_REGISTER_FILE, tmp_path / "gone.json"
    tasks.produce_letter.delay(approved.pk)
    assert state_of(approved).state == OrderState.FAILED

    settings.POPULATION_REGISTER_FILE = register_file
    fail_once(monkeypatch)  # one more failure is one of the new attempts, not past the last
    client.force_login(contact_person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("letters:retry", args=[approved.pk]))
    assert state_of(approved).state == OrderState.LETTER_QUEUED
