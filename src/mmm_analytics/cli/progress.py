"""Rich progress bars for the long steps: training (per Adam epoch), curves (per figure batch) and the
batch simulation (per optimisation).

Each is a context manager yielding the callback its step calls; the bar disappears when the
step ends, and the step's own summary is printed instead. Rich is imported when a bar opens,
so ``mmm --help`` stays light.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from mmm_analytics.cli.common import console

if TYPE_CHECKING:
    from rich.progress import Progress

#: What the training bar says once the gradient steps end (the rest of the training runs then).
AFTER_FIT = "refinement to the best fit, intervals and evaluation"
CURVES_FIRST = "ROI curves and their intervals"
CURVES_LAST = "tables and the ROI report"


def _bar() -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    # Off when the output is not a terminal: a log gets the closing lines, not a blank line per bar.
    return Progress(*columns, TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal)


def epoch_text(epoch: int, epochs: int, objective: float) -> str:
    """The training bar's label after ``epoch`` of at most ``epochs``."""
    shown = f"{objective:.4g}" if math.isfinite(objective) else "not finite"
    return f"fit (gradient steps): epoch {epoch} of at most {epochs}, objective {shown}"


@contextlib.contextmanager
def epoch_bar() -> Iterator[Callable[[int, int, float], None]]:
    """A bar over the Adam epochs showing the training objective; yields the per-epoch callback."""
    with _bar() as progress:
        task = progress.add_task("fit (gradient steps): compiling", total=None)

        def advance(epoch: int, epochs: int, objective: float) -> None:
            label = AFTER_FIT if epoch >= epochs else epoch_text(epoch, epochs, objective)
            progress.update(task, completed=epoch, total=epochs, description=label, refresh=True)

        yield advance


@contextlib.contextmanager
def figure_bar() -> Iterator[Callable[[int, int], None]]:
    """A bar over the curve figures, advanced per batch; yields the (saved, in all) callback."""
    with _bar() as progress:
        task = progress.add_task(CURVES_FIRST, total=None)

        def advance(done: int, total: int) -> None:
            label = CURVES_LAST if done >= total else f"figures ({total} in all)"
            progress.update(task, completed=done, total=total, description=label, refresh=True)

        yield advance


@contextlib.contextmanager
def simulation_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A bar over the batch simulation's optimisations (the recommended plan, each brand x region's own
    plan, the frontier's budgets); yields the (doing, done, in all) callback."""
    with _bar() as progress:
        task = progress.add_task("simulation: scenarios", total=None)

        def advance(doing: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=f"simulation: {doing}", refresh=True)

        yield advance
