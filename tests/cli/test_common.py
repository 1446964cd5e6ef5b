"""What every command shares: how a failed write is described."""

from __future__ import annotations

import errno
import io
import os
import sys
import time
from pathlib import Path

import pytest

from mmm_analytics.cli.common import (
    Output,
    ReaderMayClose,
    describe_os_error,
    tolerate_closed_pipe,
    warn_config_channels,
)


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


def test_a_full_disk_met_by_a_write_without_a_name_names_the_full_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, every step writing to a full disk said only 'no space left on the device being written', with no
    path, option or step (the failed write, into an open file, carries no name)."""
    import os

    full, roomy = tmp_path / "small", tmp_path / "big"
    full.mkdir()
    real = os.statvfs

    def statvfs(path: object) -> object:
        found = real(path)  # type: ignore[arg-type]
        free = 0 if Path(str(path)) == full else 10**6
        return type("Stats", (), {"f_bavail": free, "f_frsize": found.f_frsize})()

    monkeypatch.setattr(os, "statvfs", statvfs)
    outputs = (Output("--reports", roomy / "reports"), Output("--output", full / "models"))
    line = describe_os_error(OSError(errno.ENOSPC, "No space left on device"), outputs)
    assert (
        line
        == f"no space left on the device of --output '{full / 'models'}'; free some space there or choose another folder"
    )


def test_a_file_that_cannot_be_read_is_told_to_be_made_readable(tmp_path: Path) -> None:
    """Before: "'x': permission denied on 'x'; choose another path (a folder you can write to)", the path
    twice and the fix of a write, for a config or quality file the command only reads."""
    config = tmp_path / "data_config.yaml"
    config.write_text("channels: {}")
    line = describe_os_error(PermissionError(errno.EACCES, "Permission denied", str(config)))
    assert line == (
        f"'{config}' cannot be read (permission denied); make it readable (e.g. chmod u+r '{config}') "
        "or choose another path"
    )


def test_a_write_refused_names_the_output_once(tmp_path: Path) -> None:
    output = tmp_path / "out"
    line = describe_os_error(
        PermissionError(errno.EACCES, "Permission denied", str(output)), (Output("--output", output),)
    )
    assert line == f"--output '{output}': permission denied; choose another --output (a folder you can write to)"


def _config_folder(tmp_path: Path, tv_cpm: str, radio: bool = True) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    radio_line = "  Radio: {column: Radio_Listenership, cpm: 0.6}\n" if radio else ""
    (folder / "data_config.yaml").write_text(
        f"channels:\n  TV: {{column: TV_Impressions, cpm: {tv_cpm}}}\n{radio_line}", encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize(
    ("tv_cpm", "radio", "expected"),
    [
        ("1.2", True, None),
        ("12.0", True, "(TV 1.2 -> 12): the ROIs and advice that follow use the model's"),
        ("1.2", False, "lists the channels TV, the model in"),
    ],
    ids=["same", "cpm-changed", "channel-removed"],
)
def test_a_config_whose_channels_or_cpms_changed_after_training_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tv_cpm: str, radio: bool, expected: str | None
) -> None:
    """Before, data_config.yaml's CPMs changed after training (as its comment invites) were silently not used."""
    import json

    from mmm_analytics.config.loader import load_config

    model = tmp_path / "models"
    model.mkdir()
    (model / "features_meta.json").write_text(json.dumps({"channels": ["TV", "Radio"], "cpm": [1.2, 0.6]}))
    folder = _config_folder(tmp_path, tv_cpm, radio)
    warn_config_channels(model / "mmm_model.keras", folder, load_config(folder))
    err = " ".join(capsys.readouterr().err.split())
    if expected is None:
        assert err == ""
    else:
        assert err.startswith("warning: ") and expected in err and "re-run 'mmm features' and 'mmm train'" in err


def test_after_ctrl_c_the_rest_of_the_run_ignores_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, a Ctrl-C reaching JAX's exit handler printed a traceback under the 'interrupted' line.
    The command marks the interrupt; the console entry then ignores SIGINT until the process ends
    (only there: a test or a caller of the command keeps its Ctrl-C)."""
    import signal

    import typer

    from mmm_analytics.cli import app as app_module
    from mmm_analytics.cli.common import state, user_errors

    monkeypatch.setattr(state, "interrupted", False)
    calls: list[tuple[int, object]] = []
    monkeypatch.setattr(signal, "signal", lambda signum, handler: calls.append((signum, handler)))
    with pytest.raises(typer.Exit) as ended, user_errors():
        raise KeyboardInterrupt
    assert ended.value.exit_code == 130 and state.interrupted and calls == []

    def interrupted_command(args: list[str] | None, prog_name: str) -> None:
        raise SystemExit(130)

    monkeypatch.setattr(app_module, "app", interrupted_command)
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)
    with pytest.raises(SystemExit):
        app_module.main(["curves"])
    assert calls == [(signal.SIGINT, signal.SIG_IGN)]


def test_a_ctrl_c_in_a_callback_interrupts_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, a Ctrl-C landing in JAX's garbage-collection callback printed 'Exception ignored ...
    KeyboardInterrupt' and the command ran on to the end."""
    import _thread

    from mmm_analytics.cli.common import pass_on_interrupts

    interrupts: list[bool] = []
    monkeypatch.setattr(_thread, "interrupt_main", lambda: interrupts.append(True))
    reported: list[object] = []

    def unraisable(kind: type[BaseException]) -> object:
        return type("Args", (), {"exc_type": kind, "exc_value": kind(), "exc_traceback": None, "object": None})()

    pass_on_interrupts(unraisable(KeyboardInterrupt), report=reported.append)  # type: ignore[arg-type]
    assert interrupts == [] and reported == []  # not from inside the hook: it would be swallowed again
    deadline = time.monotonic() + 5.0
    while not interrupts and time.monotonic() < deadline:
        time.sleep(0.01)
    assert interrupts == [True]
    other = unraisable(ValueError)
    pass_on_interrupts(other, report=reported.append)  # type: ignore[arg-type]
    assert interrupts == [True] and reported == [other]


def test_a_write_refused_names_the_file_being_written_not_its_temporary_name() -> None:
    """Before: "--output-dir 'out': permission denied on 'out/outputs/reports/.channel_roi.adnos28b.csv'"."""
    error = PermissionError(errno.EACCES, "Permission denied", "out/outputs/reports/.channel_roi.adnos28b.csv")
    line = describe_os_error(error, (Output("--output-dir", Path("out")),))
    assert line == (
        "--output-dir 'out': permission denied on 'out/outputs/reports/channel_roi.csv'; choose another --output-dir "
        "(a folder you can write to)"
    )
    plain = PermissionError(errno.EACCES, "Permission denied", "out/.hidden")  # not a temporary name: kept
    assert "on 'out/.hidden'" in describe_os_error(plain, (Output("--output-dir", Path("out")),))


def test_a_stream_whose_reader_left_drops_the_rest_and_says_it_wrote_it(tmp_path: Path) -> None:
    """Writes and flushes after the reader closed the pipe are dropped, not raised (see ReaderMayClose)."""
    read_end, write_end = os.pipe()
    stream = os.fdopen(write_end, "w", buffering=1)
    tolerant = ReaderMayClose(stream)
    assert tolerant.write("seen\n") == 5
    assert os.read(read_end, 100) == b"seen\n"
    os.close(read_end)
    assert tolerant.write("lost\n" * 20_000) == 100_000  # more than a pipe holds: the write meets the closed end
    tolerant.flush()
    assert tolerant.reader_left
    assert tolerant.write("after\n") == 6 and tolerant.encoding == stream.encoding
    stream.close()  # its buffer goes to the null device: no error


def test_both_output_streams_outlive_their_reader_and_are_wrapped_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`mmm train 2>&1 | head` closes standard error too: a warning written after that ended the run."""
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    tolerate_closed_pipe()
    tolerate_closed_pipe()
    assert isinstance(sys.stdout, ReaderMayClose) and sys.stdout.stream is out
    assert isinstance(sys.stderr, ReaderMayClose) and sys.stderr.stream is err
