"""Nothing lost, nothing twice: the letter task on the real Redis broker and real worker
processes that the tests start and kill."""

import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from letters.tasks import produce_letter, sweep_approved_orders
from orders import services
from orders.models import Letter, PukOrder
from orders.states import OrderState
from tests.factories import approved_order, give_puk
from tests.letters.spool import spooled
from tests.worker import (
    BASE_DIR,
    WorkerProcess,
    on_broker,
    require_broker_and_shared_database,
    wait_for,
    worker_env,
)

pytestmark = pytest.mark.services


def order_state(order):
    return PukOrder.objects.get(pk=order.pk).state


@pytest.fixture
def approved(transactional_db, card, contact_person):
    require_broker_and_shared_database()
    give_puk(card)
    return approved_order(card, contact_person)  # the letter task is now on the broker


def test_a_worker_killed_in_the_middle_of_a_letter_leaves_exactly_one_letter(approved, tmp_path):
    # An unacknowledged message is delivered again once its visibility timeout has passed
    # (checked by a worker as it starts): short here.
    visibility_timeout = 3
    env = worker_env(tmp_path, RSPORTAL_BROKER_VISIBILITY_TIMEOUT=str(visibility_timeout))
    slow = WorkerProcess(
        tmp_path / "slow.log", {**env, "RSPORTAL_PRINT_HOUSE": "tests.slow_print_house.SlowSpoolPrintHouse"}
    ).start()
    assert wait_for(lambda: spooled()), slow.log_path.read_text()
    slow.kill()  # kill -9 of the whole worker: the PDF is on disk, the transaction never committed
    assert order_state(approved) == OrderState.APPROVED
    # The message is in Redis alone, taken and never acknowledged: only the broker can bring it back.
    assert on_broker("letters.tasks.produce_letter") == (0, 1)
    time.sleep(visibility_timeout + 1)

    worker = WorkerProcess(tmp_path / "worker.log", env).start()
    try:
        assert wait_for(lambda: order_state(approved) == OrderState.LETTER_QUEUED), worker.log_path.read_text()
        assert wait_for(lambda: on_broker("letters.tasks.produce_letter") == (0, 0)), (
            "the redelivered message is not acknowledged"
        )
    finally:
        worker.stop()
    assert Letter.objects.filter(order=approved).count() == 1
    assert len(spooled()) == 1
    assert "letters.tasks.produce_letter" in worker.log_path.read_text()  # the second worker made it


def test_a_letter_task_delivered_twice_makes_one_letter(approved, tmp_path):
    produce_letter.delay(approved.pk)
    produce_letter.delay(approved.pk)
    worker = WorkerProcess(tmp_path / "worker.log", worker_env(tmp_path), concurrency=2).start()
    try:
        assert wait_for(lambda: order_state(approved) == OrderState.LETTER_QUEUED), worker.log_path.read_text()
        time.sleep(1)  # let the other deliveries finish too
    finally:
        worker.stop()
    assert Letter.objects.filter(order=approved).count() == 1
    assert len(spooled()) == 1


def test_an_approval_while_the_broker_is_down_still_gets_its_letter_once_it_is_back(
    transactional_db, card, contact_person, tmp_path
):
    require_broker_and_shared_database()
    give_puk(card)
    order = services.place_order(placed_by=card.holder.user, card=card, reason="lost_letter", blocked_codes="both")
    # Approve in a process of its own whose broker host takes the connection and never
    # answers: the publish gives up within seconds, the request does not hang.
    silent_broker = socket.create_server(("127.0.0.1", 0), backlog=64)
    script = (
        "from orders.models import PukOrder; from orders import services; "
        "from django.contrib.auth import get_user_model; "
        f"services.approve_order(order=PukOrder.objects.get(pk={order.pk}), "
        f"by=get_user_model().objects.get(pk={contact_person.pk}))"
    )
    env = worker_env(tmp_path, CELERY_BROKER_URL=f"redis://127.0.0.1:{silent_broker.getsockname()[1]}/0")
    started = time.monotonic()
    with silent_broker:
        approval = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
    assert approval.returncode == 0, approval.stderr
    assert time.monotonic() - started < 45
    assert order_state(order) == OrderState.APPROVED  # the approval stands
    assert not Letter.objects.exists()

    # The broker is back (this process's own, the real one): beat's sweep task, run by a
    # real worker, finds the order waiting and enqueues its letter, which that worker makes.
    PukOrder.objects.filter(pk=order.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    worker = WorkerProcess(tmp_path / "worker.log", worker_env(tmp_path)).start()
    try:
        sweep_approved_orders.delay()
        assert wait_for(lambda: order_state(order) == OrderState.LETTER_QUEUED), worker.log_path.read_text()
        time.sleep(1)
    finally:
        worker.stop()
    assert "letters.tasks.sweep_approved_orders" in worker.log_path.read_text()
    assert Letter.objects.filter(order=order).count() == 1
    assert len(spooled()) == 1
