"""The sync's progress: a bar on a terminal (rich), plain lines in a log."""

from collections.abc import Iterator
from contextlib import contextmanager
from io import TextIOBase

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .services import Progress as SyncProgress

# Plain progress: a line every this many steps.
EVERY = 10_000


class BarProgress:
    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task: object = None

    def phase(self, description: str, total: int | None = None) -> None:
        self.finish()
        self.task = self.bar.add_task(description, total=total)

    def advance(self, steps: int = 1) -> None:
        if self.task is not None:
            self.bar.advance(self.task, steps)  # type: ignore[arg-type]

    def finish(self) -> None:
        if self.task is not None:
            self.bar.stop_task(self.task)  # type: ignore[arg-type]


class LineProgress:
    def __init__(self, out: TextIOBase) -> None:
        self.out = out
        self.description = ""
        self.done = 0
        self.total: int | None = None

    def phase(self, description: str, total: int | None = None) -> None:
        self.finish()
        self.description, self.done, self.total = description, 0, total
        self.out.write(f"{description}…\n")

    def advance(self, steps: int = 1) -> None:
        before = self.done
        self.done += steps
        if self.done // EVERY > before // EVERY:
            of = f" av {self.total}" if self.total is not None else ""
            self.out.write(f"{self.description}: {self.done}{of}\n")

    def finish(self) -> None:
        if self.description:
            self.out.write(f"{self.description}: {self.done} klart\n")
            self.description = ""


@contextmanager
def progress_for(out: TextIOBase, *, interactive: bool) -> Iterator[SyncProgress]:
    if not interactive:
        plain = LineProgress(out)
        yield plain
        plain.finish()
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        progress = BarProgress(bar)
        yield progress
        progress.finish()
