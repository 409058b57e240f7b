"""sync_registers: bring RS-portal in step with one register, all or nothing.

A register (registers.card_sync.CardRegister; the directory plugs in the same way, named
in REGISTERS) first reads its export whole and works out the changes (`plan`), writing
nothing; then, unless the run is a dry run or refused by the safety limit, applies them
(`apply`) in one transaction. A broken export, or any error while applying, leaves the
previous state as it was. Each run is recorded as a SyncRun, whatever its outcome.
"""

import logging
from collections.abc import Iterable, Iterator
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import SyncRun

log = logging.getLogger(__name__)

# Register name → its class, in the order a full sync runs them (people before their cards).
REGISTERS = {
    "directory": "registers.directory_sync.DirectoryRegister",
    "cards": "registers.card_sync.CardRegister",
}

# How many lines of each kind of change a run keeps (and a dry run prints).
SAMPLE_LINES = 10

T = TypeVar("T")


class Progress(Protocol):
    def phase(self, description: str, total: int | None = None) -> None: ...

    def advance(self, steps: int = 1) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    def phase(self, description: str, total: int | None = None) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


def counted(items: Iterable[T], progress: Progress) -> Iterator[T]:
    for item in items:
        yield item
        progress.advance()


class Plan(Protocol):
    rows_read: int

    def counts(self) -> dict[str, int]: ...

    def sample(self, lines: int) -> dict[str, list[str]]: ...

    @property
    def deactivations(self) -> int: ...

    def deactivated_share(self) -> float: ...


# The register's own plan: each register applies the plan it made.
P = TypeVar("P", bound=Plan)


class Register(Protocol[P]):
    def plan(self, progress: Progress) -> P:
        """Read the export and work out its changes, writing nothing. Raises for a broken
        export, naming the line or entry at fault."""
        ...

    def apply(self, plan: P, progress: Progress) -> int:
        """Make the changes, each an audited act; returns the writes made. Runs inside the
        sync's transaction: raising undoes them all."""
        ...


def get_register(name: str) -> Register[Any]:
    if name not in REGISTERS:
        raise ValueError(f"unknown register {name!r}: one of {', '.join(REGISTERS)}")
    register: Register[Any] = import_string(REGISTERS[name])()
    return register


def sync(
    name: str,
    *,
    dry_run: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    register: Register[Any] | None = None,
) -> SyncRun:
    """One register's sync, recorded. Never raises for a broken export or a failed apply:
    the SyncRun says what happened (outcome, message). `register`: the named register read
    from another source (seed_demo's history), instead of the one in REGISTERS."""
    progress = progress or NoProgress()
    register = register or get_register(name)
    run = SyncRun.objects.create(register=name, dry_run=dry_run, forced=force)
    try:
        plan = register.plan(progress)
    except Exception as exc:
        log.warning("sync of %s: the export is broken or unreadable: %s", name, exc)
        return _finish(run, SyncRun.Outcome.FAILED, message=_in_words(exc))
    run.rows_read = plan.rows_read
    run.counts = plan.counts()
    run.sample = plan.sample(SAMPLE_LINES)
    refusal = safety_refusal(plan, settings.RSPORTAL_REGISTER_SAFETY_SHARE, settings.RSPORTAL_REGISTER_SAFETY_MINIMUM)
    if refusal and not force:
        return _finish(run, SyncRun.Outcome.REFUSED, message=refusal)
    if dry_run:
        return _finish(run, SyncRun.Outcome.OK, message=refusal)
    try:
        with transaction.atomic():
            run.writes = register.apply(plan, progress)
    except Exception as exc:
        log.exception("sync of %s failed while applying; nothing was changed", name)
        run.writes = 0
        return _finish(run, SyncRun.Outcome.FAILED, message=_in_words(exc))
    return _finish(run, SyncRun.Outcome.OK, message=refusal)


def safety_refusal(plan: Plan, share: float, minimum: int = 0) -> str:
    """Why the run would end too much of the region at once ("" when it would not). Up to
    `minimum` ends pass whatever their share: in a register of a few dozen (the demo, a
    pilot) one revoked card is already more than 5 %."""
    if plan.deactivations <= minimum or plan.deactivated_share() <= share:
        return ""
    return (
        f"Körningen skulle avsluta {plan.deactivations} ({plan.deactivated_share():.1%}), "
        f"mer än säkerhetsgränsen {share:.0%}. Kontrollera exporten, eller kör med --force."
    )


def _finish(run: SyncRun, outcome: str, *, message: str = "") -> SyncRun:
    run.outcome = outcome
    run.message = message
    run.finished_at = timezone.now()
    run.save()
    return run


def _in_words(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
