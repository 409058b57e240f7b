"""Enqueue a Celery task by its name.

Services name the task they want instead of importing its module: the tasks call the
services, so imports run one way only (tasks → services). The task is looked up at once,
so a name that is no task fails in the caller, not later in a worker.
"""

from celery import current_app
from django.db import transaction


def enqueue(task_name: str, *args: object) -> None:
    current_app.tasks[task_name].delay(*args)


def enqueue_on_commit(task_name: str, *args: object) -> None:
    """Send the task once the current transaction commits, so it never sees a change that
    was rolled back. `robust`: a broker that is down does not undo the change that asked
    for the task; beat's sweeps send what was lost once the broker is back."""
    task = current_app.tasks[task_name]
    transaction.on_commit(lambda: task.delay(*args), robust=True)
