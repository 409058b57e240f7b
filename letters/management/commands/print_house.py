"""The embedded print house, by hand: what beat does on a schedule, and a stand-in for the
print house's side of the spool folder (writing status files into its inbox), so the
demo can follow a letter to the door.

  manage.py print_house batch                      hand the spooled letters over in batches now
  manage.py print_house report LETTER STATUS [--tracking-id ID] [--reason unknown_address|not_collected|other]
  manage.py print_house import                     apply the status files in the inbox
"""

import json
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from letters import services as letters
from letters import status as print_house_status
from letters.print_house import SpoolPrintHouse
from orders.models import ReturnReason


class Command(BaseCommand):
    help = "Form a print batch, write a print-house status report into the inbox, or import the inbox."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("batch")
        sub.add_parser("import")
        report = sub.add_parser("report")
        report.add_argument("letter_id", help="e.g. PUK-000001-1")
        report.add_argument("status", choices=sorted(print_house_status.STATUSES))
        report.add_argument("--tracking-id", default="")
        report.add_argument("--reason", default="", choices=ReturnReason.values, help="why a returned letter came back")

    def handle(self, action: str, **options: Any) -> None:
        if action == "batch":
            batches = letters.form_print_batch(force=True)
            self.stdout.write(f"batches {', '.join(batches)}" if batches else "no letters waiting")
        elif action == "import":
            self.stdout.write(f"{print_house_status.import_inbox()} status reports applied")
        else:
            self._report(options)

    def _report(self, options: dict[str, Any]) -> None:
        if options["status"] == "posted" and not options["tracking_id"]:
            raise CommandError("posted needs --tracking-id")
        if options["status"] == "returned" and not options["reason"]:
            raise CommandError("returned needs --reason")
        event = {"event_id": str(uuid.uuid4()), "letter_id": options["letter_id"], "status": options["status"]}
        if options["tracking_id"]:
            event["tracking_id"] = options["tracking_id"]
        if options["reason"]:
            event["reason"] = options["reason"]
        inbox = SpoolPrintHouse().inbox
        inbox.mkdir(parents=True, exist_ok=True)
        # As the print house must: write under another name, rename when complete.
        partial, path = inbox / f"{event['event_id']}.part", inbox / f"{event['event_id']}.jsonl"
        partial.write_text(json.dumps(event) + "\n", encoding="utf-8")
        partial.rename(path)
        self.stdout.write(f"wrote {path}")
