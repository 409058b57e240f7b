"""The state of the mirror, for the administrators: each register's last run and last
success, the latest runs, and the alert when no sync has succeeded for too long."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import SyncRun
from .services import REGISTERS

log = logging.getLogger(__name__)

# The registers in words; a register not named here shows by its name in REGISTERS.
REGISTER_NAMES: dict[str, Promise] = {
    "cards": _("Kortsystemet"),
    "directory": _("HSA-katalogen"),
    "people": _("HSA-katalogen"),
}


# The kinds of change (registers.card_diff.Kind, registers.people's counts) in words.
CHANGE_KINDS: dict[str, Promise] = {
    "new": _("nya"),
    "changed": _("ändrade"),
    "revoked": _("spärrade"),
    "expired": _("utgångna"),
    "gone": _("borta ur exporten"),
    "refused": _("nekade rader"),
    "started": _("började"),
    "returned": _("kom tillbaka"),
    "renamed": _("bytte namn"),
    "moved": _("flyttade"),
    "left": _("slutade"),
    "appointed": _("utsedda till kontaktperson"),
    "ended": _("uppdrag som upphörde"),
}


def register_name(register: str) -> str:
    return str(REGISTER_NAMES.get(register, register))


@dataclass
class Changes:
    """One kind of change a run found: how many, and its first lines."""

    kind: str
    count: int
    lines: list[str]


def changes(run: SyncRun | None) -> list[Changes]:
    """The kinds of change the run found (those with any), in words, with their first lines."""
    if run is None:
        return []
    return [
        Changes(str(CHANGE_KINDS.get(kind, kind)), count, list(run.sample.get(kind, [])))
        for kind, count in run.counts.items()
        if count
    ]


@dataclass
class RegisterState:
    register: str
    name: str
    last_run: SyncRun | None
    last_success: SyncRun | None
    overdue: bool

    @property
    def last_run_changes(self) -> list[Changes]:
        return changes(self.last_run)

    @property
    def last_success_changes(self) -> list[Changes]:
        return changes(self.last_success)


def successes(register: str) -> QuerySet[SyncRun]:
    """The runs that brought the register in step: done, and not a dry run."""
    return SyncRun.objects.filter(register=register, outcome=SyncRun.Outcome.OK, dry_run=False)


def registers() -> list[str]:
    """The registers synced now, then any with runs recorded from before."""
    recorded = SyncRun.objects.order_by().values_list("register", flat=True).distinct()
    return list(REGISTERS) + sorted(set(recorded) - set(REGISTERS))


def states(now: datetime | None = None) -> list[RegisterState]:
    now = now or timezone.now()
    hours = settings.RSPORTAL_REGISTER_ALERT_AFTER_HOURS
    return [
        RegisterState(
            register=register,
            name=register_name(register),
            last_run=SyncRun.objects.filter(register=register).first(),
            last_success=successes(register).first(),
            overdue=_outage_since(register, now, hours) is not None,
        )
        for register in registers()
    ]


def latest_runs(count: int = 20) -> list[tuple[SyncRun, str, list[Changes]]]:
    """The latest runs of every register: each with its register in words and its changes."""
    return [(run, register_name(run.register), changes(run)) for run in SyncRun.objects.all()[:count]]


def _outage_anchor(register: str) -> SyncRun | None:
    """The run an outage counts from: the last success, or the first run when none succeeded."""
    return successes(register).first() or SyncRun.objects.filter(register=register).order_by("started_at").first()


def _anchor_time(anchor: SyncRun) -> datetime:
    if anchor.outcome == SyncRun.Outcome.OK and not anchor.dry_run and anchor.finished_at:
        return anchor.finished_at
    return anchor.started_at


def _outage_since(register: str, now: datetime, hours: int) -> SyncRun | None:
    anchor = _outage_anchor(register)
    if anchor is None or _anchor_time(anchor) > now - timedelta(hours=hours):
        return None
    return anchor


def alert_overdue_registers(now: datetime | None = None) -> list[str]:
    """Mail the administrators about each register with no successful sync for
    RSPORTAL_REGISTER_ALERT_AFTER_HOURS: once per outage, recorded on the run it counts from."""
    now = now or timezone.now()
    hours = settings.RSPORTAL_REGISTER_ALERT_AFTER_HOURS
    alerted = []
    for register in REGISTERS:
        with transaction.atomic():
            anchor = _outage_since(register, now, hours)
            if anchor is None:
                continue
            anchor = SyncRun.objects.select_for_update().get(pk=anchor.pk)
            if anchor.outage_alerted_at is not None:
                continue
            _mail_administrators(register, anchor, now, hours)
            anchor.outage_alerted_at = now
            anchor.save(update_fields=["outage_alerted_at"])
            alerted.append(register)
    return alerted


def _mail_administrators(register: str, anchor: SyncRun, now: datetime, hours: int) -> None:
    User = get_user_model()
    recipients = list(
        User.objects.filter(is_superuser=True, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if not recipients:
        log.warning(
            "no sync of %s has succeeded for %s hours, and no administrator has an e-mail address", register, hours
        )
        return
    last_success = anchor if anchor.outcome == SyncRun.Outcome.OK and not anchor.dry_run else None
    context = {
        "hours": hours,
        "last_success": last_success,
        "last_run": SyncRun.objects.filter(register=register).first(),
        "status_url": settings.SITE_URL + reverse("registers:status"),
    }
    with translation.override(settings.LANGUAGE_CODE):  # the check may run where another language is active
        context["register"] = register_name(register)
        subject = render_to_string("email/register_outage_subject.txt", context).strip()
        body = render_to_string("email/register_outage.txt", context)
    send_mail(subject, body, None, recipients)
