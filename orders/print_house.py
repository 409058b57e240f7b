"""The print house port and its embedded default, a spool folder.

The default writes one PDF per letter into `spool/` (atomically, readable by this user
only), forms batches by count or age into `batches/<id>/` with a manifest, and deletes a
letter's PDF as soon as the print house reports it printed: no letter is left readable on
disk after the print house has taken it. Status comes back as files in `inbox/` or as a
signed webhook (orders.print_house_status). A real print house implements `hand_over`,
`form_batch` and `discard` and is named in RSPORTAL_PRINT_HOUSE.
"""

import hashlib
import json
import os
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class PrintHouse(Protocol):
    def hand_over(self, letter_id: str, pdf: bytes) -> None: ...

    def form_batch(self, letters: list[dict]) -> str:
        """`letters`: {"letter_id": …, "outer_envelope": [address lines] or None}."""

    def discard(self, letter_id: str) -> None: ...


class SpoolPrintHouse:
    def __init__(self, root=None):
        self.root = Path(root or settings.RSPORTAL_PRINT_DIR)
        self.spool = self.root / "spool"
        self.batches = self.root / "batches"
        self.inbox = self.root / "inbox"

    def hand_over(self, letter_id, pdf):
        """Write the letter under its own name: doing it twice leaves one file."""
        self.spool.mkdir(parents=True, exist_ok=True)
        _write_private(self.spool / f"{letter_id}.pdf", pdf)

    def form_batch(self, letters):
        batch_id = timezone.now().strftime("%Y%m%dT%H%M%S%f")
        folder = self.batches / batch_id
        folder.mkdir(parents=True)
        manifest = []
        for letter in letters:
            source = self.spool / f"{letter['letter_id']}.pdf"
            target = folder / source.name
            if source.exists():
                source.rename(target)
            if target.exists():
                manifest.append({**letter, "sha256": hashlib.sha256(target.read_bytes()).hexdigest()})
        _write_private(folder / "manifest.json", json.dumps({"batch": batch_id, "letters": manifest}, indent=2).encode())
        return batch_id

    def discard(self, letter_id):
        for path in [self.spool / f"{letter_id}.pdf", *self.batches.glob(f"*/{letter_id}.pdf")]:
            path.unlink(missing_ok=True)

    def letter_files(self):
        return sorted([*self.spool.glob("*.pdf"), *self.batches.glob("*/*.pdf")])


def _write_private(path: Path, data: bytes):
    temporary = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def get_print_house() -> PrintHouse:
    return import_string(settings.RSPORTAL_PRINT_HOUSE)()
