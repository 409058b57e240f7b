"""The stations' health, as their agents report it (cards/agent/health.py), and what the
administrators' page shows of it (docs/desk.md, "Stationernas hälsa").

An agent reports on every call of the station API, in the header `X-RS-Station-Health`,
and by its heartbeat (`heartbeat/`, the same object as the body). The header is checked
as every body is (rsportal.jsonbody: size, depth, control characters, each field's type);
a header that fails is logged and left out, and the call goes on as if it had none.

What one call costs: the station row is already loaded by its credential, so the report is
compared with it in memory; at most one UPDATE of that row, and none when nothing changed
and the station was last seen less than SEEN_EVERY ago. A fault is inserted only when the
agent's last error is newer than the one the station holds (and once: a constraint).
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from rsportal import jsonbody
from rsportal.jsonbody import Bool, Int, MapOf, Object, Text

from .models import Station, StationFault

log = logging.getLogger(__name__)

HEADER = "X-RS-Station-Health"
MAX_HEADER_BYTES = 4096
SEEN_EVERY = timedelta(seconds=30)  # last_seen_at is written at most this often when nothing else changed
FAULTS_SHOWN = 3  # the latest faults per station on the page
LAST_DAY = timedelta(hours=24)
_LATEST_POSSIBLE = 4_102_444_800  # 2100-01-01, as seconds since 1970: an error's time is before it

REPORT = Object(
    {
        "version": Text(40),
        "readers": MapOf(Text(200), Bool(nullable=True), max_items=8),
        "pcscd": Bool(nullable=True),
    },
    {
        "reader": Text(200),
        "error": Object(
            {"kind": Text(60, nonblank=True), "at": Int(0, _LATEST_POSSIBLE)},
            {"reference": Text(40), "detail": Text(300)},
            nullable=True,
        ),
    },
)


@dataclass(frozen=True)
class Report:
    """A report as the station row holds it."""

    version: str
    reader: str
    readers: dict[str, bool | None]
    pcscd: bool | None
    error_at: datetime | None
    error_kind: str
    error_reference: str
    error_detail: str

    @classmethod
    def of(cls, data: dict[str, Any]) -> "Report":
        error = data.get("error") or {}
        at = datetime.fromtimestamp(error["at"], UTC) if error else None
        return cls(
            version=data["version"],
            reader=data.get("reader", ""),
            readers=data["readers"],
            pcscd=data["pcscd"],
            error_at=at,
            error_kind=error.get("kind", ""),
            error_reference=error.get("reference", ""),
            error_detail=error.get("detail", ""),
        )

    def fields(self) -> dict[str, Any]:
        """The station's columns, as this report sets them (the last error only if it has one)."""
        columns: dict[str, Any] = {
            "agent_version": self.version,
            "reader": self.reader,
            "readers": self.readers,
            "pcscd_answers": self.pcscd,
        }
        if self.error_at is not None:
            columns.update(
                last_error_at=self.error_at,
                last_error_kind=self.error_kind,
                last_error_reference=self.error_reference,
                last_error_detail=self.error_detail,
            )
        return columns


def from_header(request: HttpRequest) -> Report | None:
    """The report in the request's header; None without one, or when it fails the check
    (logged with the reason, never the value)."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    try:
        return Report.of(jsonbody.parse(raw.encode("latin-1", "replace"), REPORT, max_bytes=MAX_HEADER_BYTES))
    except jsonbody.Refused as refused:
        log.warning("station health header ignored: %s", refused.reason)
        return None


def record(station: Station, report: Report | None, *, now: datetime | None = None) -> None:
    """The station was heard from, with `report` (None: a call without one). One UPDATE at
    most, skipped when nothing changed and the station was seen less than SEEN_EVERY ago;
    a fault row only for an error newer than the station's last."""
    now = now or timezone.now()
    changes: dict[str, Any] = {}
    if report is not None:
        changes = {name: value for name, value in report.fields().items() if getattr(station, name) != value}
        new_error = report.error_at is not None and (
            station.last_error_at is None or report.error_at > station.last_error_at
        )
        if not new_error:  # an older error than the one kept (calls crossed): the kept one stays
            for name in ("last_error_at", "last_error_kind", "last_error_reference", "last_error_detail"):
                changes.pop(name, None)
        elif report.error_at is not None:
            StationFault.objects.bulk_create(
                [
                    StationFault(
                        station=station,
                        occurred_at=report.error_at,
                        kind=report.error_kind,
                        reference=report.error_reference,
                        detail=report.error_detail,
                    )
                ],
                ignore_conflicts=True,  # two calls with the same new error at once: one row
            )
    stale = station.last_seen_at is None or now - station.last_seen_at >= SEEN_EVERY
    if not changes and not stale:
        return
    changes["last_seen_at"] = now
    Station.objects.filter(pk=station.pk).update(**changes)
    for name, value in changes.items():
        setattr(station, name, value)


# --- the administrators' page --------------------------------------------------------


@dataclass
class StationHealth:
    station: Station
    silent: bool  # not heard from for longer than RSPORTAL_STATION_SILENT_AFTER_MINUTES (or never)
    faults_last_day: int
    latest_faults: list[StationFault]
    readers: list[tuple[str, bool | None, bool]]  # name, card in it (None: not known), the one the agent uses
    seen_just_now: bool = False  # within the last minute: "nyss", not "0 minutes ago"

    @property
    def reader_missing(self) -> bool:
        """The reader the agent uses is not among those pcscd knows."""
        return bool(self.station.reader) and self.station.reader not in self.station.readers


def silent_after() -> timedelta:
    return timedelta(minutes=settings.RSPORTAL_STATION_SILENT_AFTER_MINUTES)


def is_silent(station: Station, now: datetime) -> bool:
    return station.last_seen_at is None or now - station.last_seen_at > silent_after()


def stations(now: datetime | None = None) -> list[StationHealth]:
    """Every station, the active ones first, each with its faults of the last 24 hours:
    two queries and one for the latest faults of those that have any."""
    now = now or timezone.now()
    since = now - LAST_DAY
    rows: QuerySet[Station] = Station.objects.annotate(
        faults_last_day=Count("faults", filter=Q(faults__occurred_at__gte=since))
    ).order_by("-active", "name")
    listed = list(rows)
    latest: dict[int, list[StationFault]] = {}
    with_faults = [station.pk for station in listed if getattr(station, "faults_last_day", 0)]
    if with_faults:
        for fault in StationFault.objects.filter(station_id__in=with_faults, occurred_at__gte=since).order_by(
            "station_id", "-occurred_at"
        ):
            shown = latest.setdefault(fault.station_id, [])
            if len(shown) < FAULTS_SHOWN:
                shown.append(fault)
    return [
        StationHealth(
            station=station,
            silent=station.active and is_silent(station, now),
            faults_last_day=getattr(station, "faults_last_day", 0),
            latest_faults=latest.get(station.pk, []),
            seen_just_now=station.last_seen_at is not None and now - station.last_seen_at < timedelta(minutes=1),
            readers=[
                (name, present, name == station.reader)
                for name, present in sorted((station.readers or {}).items())
                if isinstance(name, str)
            ],
        )
        for station in listed
    ]


def faults_since(station: Station, since: datetime) -> QuerySet[StationFault]:
    return StationFault.objects.filter(station=station, occurred_at__gte=since)
