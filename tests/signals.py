"""Signal set-up for the processes tests start to act as a user at a terminal."""

from __future__ import annotations

import signal


def terminal_sigint() -> None:
    """Run in a child before it execs: Ctrl-C (SIGINT) as at a terminal.

    A launcher without job control (``cmd &`` in a script, ``make`` under ``nohup``) starts the
    tests with SIGINT ignored, and an ignored signal stays ignored across exec, so the child
    would never see the Ctrl-C the test types.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
