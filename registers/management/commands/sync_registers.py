from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registers import services
from registers.models import SyncRun
from registers.progress import progress_for


class Command(BaseCommand):
    help = (
        "Bring people, units and cards in step with the region's registers. Idempotent; each "
        "register all or nothing. --dry-run shows what would change and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Show the changes; write nothing.")
        parser.add_argument("--force", action="store_true", help="Pass the safety limit on how much may end at once.")
        parser.add_argument(
            "--register",
            action="append",
            choices=list(services.REGISTERS),
            help="Only this register (may be given more than once). Default: all, in order.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names = [name for name in services.REGISTERS if name in (options["register"] or services.REGISTERS)]
        failed = []
        for name in names:
            with progress_for(self.stdout, interactive=self.stdout.isatty()) as progress:
                run = services.sync(name, dry_run=options["dry_run"], force=options["force"], progress=progress)
            self._report(run)
            if run.outcome != SyncRun.Outcome.OK:
                failed.append(name)
        if failed:
            raise CommandError(f"not in step: {', '.join(failed)} (see above; nothing was changed there)")

    def _report(self, run: SyncRun) -> None:
        title = f"{run.register}: {run.get_outcome_display()}" + (" (provkörning, inget skrevs)" if run.dry_run else "")
        self.stdout.write(self.style.SUCCESS(title) if run.outcome == SyncRun.Outcome.OK else self.style.ERROR(title))
        if run.message:
            self.stdout.write(f"  {run.message}")
        counts = ", ".join(f"{kind} {count}" for kind, count in run.counts.items())
        self.stdout.write(f"  rader {run.rows_read}; {counts or 'inga ändringar'}; skrivningar {run.writes}")
        for kind, lines in run.sample.items():
            self.stdout.write(f"  {kind}:")
            for line in lines:
                self.stdout.write(f"    {line}")
