"""What every command shares: how a failed write is described."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from mmm_analytics.cli.common import Output, describe_os_error


def test_a_full_disk_without_a_file_name_says_where_it_may_be() -> None:
    """Before, `mmm optimize > /dev/full` said 'No space left on device; check the paths you gave', though
    every path was fine and standard output was full."""
    line = describe_os_error(OSError(errno.ENOSPC, "No space left on device"))
    assert line.startswith("no space left on the device being written")
    assert "standard output if redirected" in line


def test_a_full_disk_on_an_output_names_its_option(tmp_path: Path) -> None:
    error = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "a.png"))
    line = describe_os_error(error, (Output("--figures", tmp_path / "out"),))
    assert (
        line
        == f"--figures '{tmp_path / 'out'}': no space left on the device; free some space or choose another --figures"
    )


def test_after_ctrl_c_the_rest_of_the_run_ignores_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, a Ctrl-C reaching JAX's exit handler printed a traceback under the 'interrupted' line."""
    import signal

    import typer

    from mmm_analytics.cli.common import user_errors

    monkeypatch.setattr(signal, "signal", lambda signum, handler: calls.append((signum, handler)))
    calls: list[tuple[int, object]] = []
    with pytest.raises(typer.Exit) as ended, user_errors():
        raise KeyboardInterrupt
    assert ended.value.exit_code == 130
    assert calls == [(signal.SIGINT, signal.SIG_IGN)]
