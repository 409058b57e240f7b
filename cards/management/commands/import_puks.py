from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cards.puk_import import import_puks


class Command(BaseCommand):
    help = "Import PUKs from the card issuing system's export (CSV: card_number,puk), encrypted at rest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file")

    def handle(self, csv_file: str, **options: Any) -> None:
        try:
            # A byte that is not UTF-8 becomes U+FFFD: that row is then refused as not digits.
            with open(csv_file, encoding="utf-8-sig", errors="replace", newline="") as f:
                report = import_puks(f)
        except OSError as exc:
            raise CommandError(f"cannot read {csv_file}: {exc.strerror}") from exc
        for line, problem in report.problems:
            self.stderr.write(f"line {line}: {problem}")
        self.stdout.write(f"{report.imported} PUKs imported, {len(report.problems)} rows refused")
