"""The print house port and its embedded default, a spool folder.

The default writes one PDF per letter into `spool/` (atomically, readable by this user
only), forms batches by count or age into `batches/<id>/` with a manifest, and deletes a
letter's PDF as soon as the print house reports it printed: no letter is left readable on
disk after the print house has taken it. Status comes back as files in `inbox/` or as a
signed webhook (letters.status). A real print house implements the PrintHouse
protocol below and is named in RSPORTAL_PRINT_HOUSE.

A batch is prepared, then recorded in the database, then released to the print house: a
run that stops in between leaves a batch that the next run releases (recorded) or takes
the letters back from (not recorded), so that no letter is printed twice or never.
"""

import hashlib
import json
import os
import secrets
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class PrintHouse(Protocol):
    def hand_over(self, letter_id: str, pdf: bytes) -> None: ...

    def form_batch(self, letters: list[dict[str, Any]]) -> tuple[str, list[str]]:
        """Prepare a batch, not yet for the print house to take. `letters`: {"letter_id": …,
        "outer_envelope": [address lines] or None}. Returns the batch id and the ids of the
        letters left out because their file is missing."""

    def release_batch(self, batch_id: str) -> None:
        """The batch is recorded: the print house may take it. Safe to call twice."""

    def unreleased_batches(self) -> list[str]:
        """Batches prepared and not released: a run that stopped in between left them."""

    def discard(self, letter_id: str) -> None: ...


class SpoolPrintHouse:
    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root or settings.RSPORTAL_PRINT_DIR)
        self.spool = self.root / "spool"
        self.batches = self.root / "batches"
        self.inbox = self.root / "inbox"

    def hand_over(self, letter_id: str, pdf: bytes) -> None:
        """Write the letter under its own name: doing it twice leaves one file."""
        self.spool.mkdir(parents=True, exist_ok=True)
        _write_private(self.spool / f"{letter_id}.pdf", pdf)

    def form_batch(self, letters: list[dict[str, Any]]) -> tuple[str, list[str]]:
        """Move the letters' files into `batches/<id>.part/` with the manifest; the print
        house takes only folders without the suffix. A letter's file is looked for in the
        spool, then in the batches a stopped run prepared and never released."""
        batch_id = f"{timezone.now():%Y%m%dT%H%M%S%f}-{secrets.token_hex(2)}"
        abandoned = list(self.batches.glob(f"*{_UNRELEASED}"))
        folder = self.batches / f"{batch_id}{_UNRELEASED}"
        folder.mkdir(parents=True)
        manifest: list[dict[str, Any]] = []
        missing: list[str] = []
        for letter in letters:
            name = f"{letter['letter_id']}.pdf"
            source = next((path for path in (self.spool / name, *(f / name for f in abandoned)) if path.exists()), None)
            if source is None:
                missing.append(letter["letter_id"])
                continue
            target = folder / name
            source.rename(target)
            manifest.append({**letter, "sha256": hashlib.sha256(target.read_bytes()).hexdigest()})
        _write_private(
            folder / "manifest.json", json.dumps({"batch": batch_id, "letters": manifest}, indent=2).encode()
        )
        return batch_id, missing

    def release_batch(self, batch_id: str) -> None:
        prepared = self.batches / f"{batch_id}{_UNRELEASED}"
        if prepared.exists():
            prepared.rename(self.batches / batch_id)

    def unreleased_batches(self) -> list[str]:
        return sorted(path.name.removesuffix(_UNRELEASED) for path in self.batches.glob(f"*{_UNRELEASED}"))

    def discard(self, letter_id: str) -> None:
        for path in [self.spool / f"{letter_id}.pdf", *self.batches.glob(f"*/{letter_id}.pdf")]:
            path.unlink(missing_ok=True)

    def remove_stale(self, live_letter_ids: Collection[str], older_than: datetime) -> int:
        """Delete what nothing waits for, untouched since before `older_than`: letter files
        not in `live_letter_ids` (a run that died before its commit, an order that moved on
        without a printed report), unfinished writes (*.tmp), and batch folders whose
        letters are all gone. Returns how many files were deleted."""
        cutoff = older_than.timestamp()
        removed = 0
        candidates = [*self.spool.glob("*.pdf"), *self.batches.glob("*/*.pdf")]
        candidates += [*self.spool.glob("*.tmp"), *self.batches.glob("*/*.tmp")]
        for path in candidates:
            stale = path.suffix == ".tmp" or path.stem not in live_letter_ids
            if stale and _untouched_since(path, cutoff):
                path.unlink(missing_ok=True)
                removed += 1
        for folder in self.batches.glob("*"):
            left = list(folder.iterdir()) if folder.is_dir() else None
            if left is None or any(path.suffix == ".pdf" for path in left):
                continue
            if all(_untouched_since(path, cutoff) for path in left or [folder]):  # an empty one may be forming now
                for path in left:
                    path.unlink(missing_ok=True)
                folder.rmdir()
        return removed


_UNRELEASED = ".part"


def _untouched_since(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:  # gone meanwhile: nothing to delete
        return False


def _write_private(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def get_print_house() -> PrintHouse:
    return import_string(settings.RSPORTAL_PRINT_HOUSE)()
