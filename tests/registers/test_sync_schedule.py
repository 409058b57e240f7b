"""Beat runs the card sync every night, through the same service as the command."""

import pytest
from django.conf import settings

from registers.models import SyncRun
from rsportal.queueing import enqueue


def test_beat_names_the_sync_task_of_the_cards_register():
    entry = settings.CELERY_BEAT_SCHEDULE["registers-sync-cards"]
    assert entry["task"] == "registers.tasks.sync_register"
    assert entry["args"] == ("cards",)


@pytest.mark.django_db
def test_the_task_runs_the_sync_and_records_it(tasks_in_process, settings, tmp_path):
    settings.CARD_SYSTEM_FILE = tmp_path / "missing.csv"

    enqueue("registers.tasks.sync_register", "cards")

    run = SyncRun.objects.get()
    assert run.outcome == SyncRun.Outcome.FAILED
    assert "missing.csv" in run.message
