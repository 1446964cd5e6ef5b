"""What an analysis returns, and how it says that the data cannot support it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from mmm_analytics.eda import defaults


class NotApplicable(Exception):
    """The data cannot support an analysis (no festive weeks, one geo, too few weeks...).

    The message is the note shown in the report in place of the figure.
    """


def require_weeks(n_weeks: int, what: str, minimum: int = defaults.MIN_CORRELATION_WEEKS) -> None:
    """:class:`NotApplicable` when ``n_weeks`` is under ``minimum``: ``what`` (a correlation, a scatter) read
    r = NaN or +-1 from one or two weeks and was shown as a finding."""
    if n_weeks < minimum:
        raise NotApplicable(f"{what} needs at least {minimum} weeks; the panel has {n_weeks}")


class AnalysisResult(Protocol):
    """A finished computation: plotted by its figure function, saved through ``tables()``."""

    # Read-only, so that frozen dataclasses (whose fields cannot be set) satisfy the protocol.
    @property
    def notes(self) -> tuple[str, ...]:
        """Caveats shown in the report."""
        ...

    def tables(self) -> dict[str, pd.DataFrame]:
        """Named tables written as ``<name>.csv`` (may be empty)."""
        ...


@dataclass(frozen=True, slots=True)
class AnalysisOutcome:
    """What became of one numbered analysis.

    Attributes
    ----------
    number, slug, title, question
        From the analysis' registry entry.
    result : object or None
        The computed result; None when the analysis was skipped.
    figure : Path or None
        The saved PNG; None when skipped.
    skipped : str or None
        Why the analysis could not run (shown in the report).
    notes : tuple of str
        Caveats of an analysis that ran (e.g. a channel left out).
    """

    number: int
    slug: str
    title: str
    question: str
    result: Any = None
    figure: Path | None = None
    skipped: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return f"fig-{self.number:02d}-{self.slug}"
