"""Atomic writes: no temp file left on success, the old file kept when the writer fails; JSON is strict."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmm_analytics.errors import InputError
from mmm_analytics.utils.io import (
    FORMULA_STARTS,
    atomic_path,
    finite_or_none,
    read_json_object,
    read_parquet,
    spreadsheet_safe,
    to_json,
    write_csv,
    write_json,
    write_parquet,
    write_text,
    write_with,
)


def test_write_text_creates_folders_and_leaves_only_the_target(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "note.txt"
    assert write_text(path, "hello ₹\n") == path
    assert path.read_text(encoding="utf-8") == "hello ₹\n"
    assert [p.name for p in path.parent.iterdir()] == ["note.txt"]


def test_overwrite_replaces_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    write_text(path, "a much longer first version\n")
    write_text(path, "short\n")
    assert path.read_text(encoding="utf-8") == "short\n"


@pytest.mark.parametrize(
    "write",
    [
        lambda path: write_with(path, _write_half_then_fail),
        lambda path: write_parquet(path, pd.DataFrame({"mixed": [1, "two", object()]})),
        lambda path: write_text(path, 42),  # type: ignore[arg-type]
    ],
    ids=["writer_raises_midway", "parquet_cannot_encode", "text_is_not_str"],
)
def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path, write) -> None:
    path = tmp_path / "result.out"
    path.write_text("old contents\n", encoding="utf-8")
    with pytest.raises((RuntimeError, TypeError, pyarrow.ArrowException)):
        write(path)
    assert path.read_text(encoding="utf-8") == "old contents\n"
    assert [p.name for p in tmp_path.iterdir()] == ["result.out"]


def _write_half_then_fail(tmp: Path) -> None:
    tmp.write_text("partial", encoding="utf-8")
    raise RuntimeError("disk full")


def test_failed_first_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "new.bin") as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


class _Stopped(Exception):
    pass


def _raise_stopped(_signum: int, _frame: object) -> None:
    raise _Stopped


@pytest.mark.parametrize("call", ["open", "close"])
def test_a_sigterm_just_after_the_temp_file_is_made_still_removes_it(tmp_path: Path, monkeypatch, call: str) -> None:
    """A worker stopped right as its figure's temp file appeared left it behind (a flaky pool test):
    the SIGTERM's handler runs as the call that made (``open``) or closed the file returns."""
    real = getattr(os, call)

    def then_sigterm(*args, **kwargs):
        result = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)  # the handler raises here, in this thread
        return result

    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        monkeypatch.setattr(os, call, then_sigterm)
        with pytest.raises(_Stopped), atomic_path(tmp_path / "figure.png") as tmp:
            tmp.write_bytes(b"png")
    finally:
        monkeypatch.undo()
        signal.signal(signal.SIGTERM, previous)
    assert list(tmp_path.iterdir()) == []


def test_temp_files_get_the_usual_permissions(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        with atomic_path(tmp_path / "figure.png") as tmp:
            assert tmp.stat().st_mode & 0o777 == 0o644
            tmp.write_bytes(b"png")
    finally:
        os.umask(mask)
    assert (tmp_path / "figure.png").stat().st_mode & 0o777 == 0o644


def test_temp_file_sits_beside_the_target_with_the_same_suffix(tmp_path: Path) -> None:
    with atomic_path(tmp_path / "figure.png") as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".png" and tmp.name.startswith(".figure.")
        tmp.write_bytes(b"png")
    assert (tmp_path / "figure.png").read_bytes() == b"png" and not tmp.exists()


@pytest.mark.parametrize("length", [245, 250, 255])
def test_a_file_named_up_to_the_longest_name_the_file_system_takes_is_written(tmp_path: Path, length: int) -> None:
    """Before, a legal name of 246 to 255 bytes was refused as too long: its temporary name added 10 bytes."""
    from mmm_analytics.utils.io import NAME_MAX

    target = tmp_path / ("é" * ((length - 5) // 2) + "b" * ((length - 5) % 2) + ".json")
    assert len(os.fsencode(target.name)) == length <= NAME_MAX
    write_text(target, "{}")
    assert target.read_text() == "{}" and [p.name for p in tmp_path.iterdir()] == [target.name]


def test_a_name_that_is_nearly_all_suffix_is_written_too(tmp_path: Path) -> None:
    """'a.' and 250 letters is a legal name whose suffix alone left no room for the temporary name."""
    target = tmp_path / ("a." + "x" * 250)
    write_text(target, "ok")
    assert target.read_text() == "ok" and [p.name for p in tmp_path.iterdir()] == [target.name]


def test_csv_and_parquet_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame({"channel": ["TV", "Radio"], "spend": [1.5, 2.25], "weeks": [3, 4]})
    pd.testing.assert_frame_equal(pd.read_csv(write_csv(tmp_path / "t.csv", frame)), frame, check_dtype=False)
    pd.testing.assert_frame_equal(
        pd.read_parquet(write_parquet(tmp_path / "t.parquet", frame)), frame, check_dtype=False
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.parquet"]


def test_json_converts_numpy_timestamps_and_paths(tmp_path: Path) -> None:
    data = {
        "roi": np.float64(1.25),
        "n": np.int64(3),
        "curve": np.array([0.0, 0.5]),
        "start": pd.Timestamp("2022-07-04"),
        "model": Path("outputs/models/mmm_model.keras"),
    }
    path = write_json(tmp_path / "meta.json", data)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and text == to_json(data) + "\n"
    loaded = json.loads(text)
    assert loaded["roi"] == 1.25 and loaded["n"] == 3 and loaded["curve"] == [0.0, 0.5]
    assert loaded["start"] == "2022-07-04T00:00:00" and loaded["model"] == "outputs/models/mmm_model.keras"


def _strict(text: str) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"allocation": {"TV": float("nan")}}, r"\$\.allocation\.TV"),
        ({"rows": [{"roi": 1.0}, {"roi": np.float64(np.inf)}]}, r"\$\.rows\[1\]\.roi"),
        ({"curve": np.array([0.0, -np.inf])}, r"\$\.curve\[1\]"),
    ],
    ids=["nan", "numpy_inf_in_a_list", "array"],
)
def test_non_finite_json_is_refused_naming_where_and_nothing_is_written(tmp_path: Path, data, where: str) -> None:
    path = tmp_path / "result.json"
    path.write_text("old contents\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^JSON value at {where} is -?(nan|inf);"):
        write_json(path, data)
    assert path.read_text(encoding="utf-8") == "old contents\n"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_nulls_write_not_available_numbers_as_null(tmp_path: Path) -> None:
    data = {"r2": float("nan"), "by_series": np.array([0.5, np.nan]), "ok": 2.0, "none": None}
    loaded = _strict(write_json(tmp_path / "metrics.json", data, nulls=True).read_text(encoding="utf-8"))
    assert loaded == {"r2": None, "by_series": [0.5, None], "ok": 2.0, "none": None}
    assert (
        finite_or_none(float("inf")) is None and finite_or_none(np.float64(1.5)) == 1.5 and finite_or_none(None) is None
    )


@settings(max_examples=50, deadline=None)
@given(
    st.recursive(
        st.floats() | st.integers() | st.text(max_size=5) | st.none(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
        max_leaves=12,
    )
)
def test_json_is_always_strict_or_refused(data) -> None:
    try:
        text = to_json(data)
    except ValueError as error:
        assert "JSON has no NaN or infinity" in str(error)
    else:
        _strict(text)
    _strict(to_json(data, nulls=True))


def test_json_refuses_unknown_objects_by_type_name() -> None:
    with pytest.raises(TypeError, match="not JSON serialisable: set"):
        to_json({"channels": {"TV"}})


def test_a_pipe_at_the_target_is_refused_not_replaced(tmp_path: Path) -> None:
    """Before, the rename replaced a pipe (or a device, as root) with a plain file."""
    pipe = tmp_path / "out.json"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match="is not a regular file"):
        write_json(pipe, {"a": 1})
    assert pipe.is_fifo() and sorted(tmp_path.iterdir()) == [pipe]


def test_read_parquet_names_a_damaged_file_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "panel.parquet"
    path.write_bytes(b"PAR1")
    with pytest.raises(InputError, match=r"panel.parquet: not a readable parquet file \(\w+\); rerun it"):
        read_parquet(path, "rerun it")


def test_read_json_object_refuses_damaged_json_and_other_values(tmp_path: Path) -> None:
    path = tmp_path / "meta.json"
    path.write_bytes(b"\xff\xfe{")
    with pytest.raises(InputError, match=r"meta.json: not readable JSON \(UnicodeDecodeError\); fix"):
        read_json_object(path, "fix")
    path.write_text('"text"')
    with pytest.raises(InputError, match=r"meta.json: expected a JSON object, got str; fix"):
        read_json_object(path, "fix")
    path.write_text('{"a": 1}')
    assert read_json_object(path, "fix") == {"a": 1}


def test_a_table_for_spreadsheets_shows_formulas_as_text(tmp_path: Path) -> None:
    """Before, a geo named '=HYPERLINK(...)' went into the EDA tables as is, where a spreadsheet runs it."""
    frame = pd.DataFrame(
        {
            "Geo": ['=HYPERLINK("http://x","y")', "-NORTH", "NORTH-EAST", "@SUM(A1)", "+1", "\tTAB"],
            "=bad header": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0],
            "Weeks": [1, 2, 3, 4, 5, 6],
        }
    )
    path = write_csv(tmp_path / "t.csv", frame, for_spreadsheets=True)
    back = pd.read_csv(path, keep_default_na=False)
    assert list(back.columns) == ["Geo", "'=bad header", "Weeks"]
    assert back["Geo"].tolist() == [
        '\'=HYPERLINK("http://x","y")',
        "'-NORTH",
        "NORTH-EAST",
        "'@SUM(A1)",
        "'+1",
        "'\tTAB",
    ]
    assert back["'=bad header"].tolist() == [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0]  # numbers, negative ones too, kept
    assert frame["Geo"].iloc[1] == "-NORTH"  # the caller's frame is not changed
    plain = pd.read_csv(write_csv(tmp_path / "p.csv", frame), keep_default_na=False)
    assert plain["Geo"].iloc[0].startswith("=")  # a table a later step reads back keeps its names


@given(st.lists(st.text(max_size=6), min_size=1, max_size=5))
@settings(max_examples=50, deadline=None)
def test_no_text_cell_for_spreadsheets_starts_like_a_formula(names: list[str]) -> None:
    safe = spreadsheet_safe(pd.DataFrame({"name": names, "x": range(len(names))}))
    assert not any(str(v).startswith(FORMULA_STARTS) for v in safe["name"])
    assert [v.removeprefix("'") if n.startswith(FORMULA_STARTS) else v for v, n in zip(safe["name"], names)] == names


def test_a_folder_at_the_target_says_to_remove_it(tmp_path: Path) -> None:
    """Before: "is not a regular file (a folder, device, pipe or socket); give the path of a file", where no option
    takes that path."""
    folder = tmp_path / "summary.html"
    folder.mkdir()
    with pytest.raises(
        InputError, match=r"summary\.html' is a folder, where a file is to be written; remove or rename"
    ):
        write_text(folder, "x")
