"""Reading panel CSVs: text exactly as written, typed panels, and the raw copy."""

from __future__ import annotations

import builtins
import bz2
import errno
import gzip
import io
import lzma
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from mmm_analytics.data import schema
from mmm_analytics.data.loader import (
    check_csv_path,
    load_panel,
    read_raw_csv,
    validate_file,
    write_raw_copy,
)
from mmm_analytics.errors import InputError


def test_raw_read_keeps_text_exactly(kaggle_head_path: Path) -> None:
    raw = read_raw_csv(kaggle_head_path)
    assert list(raw.columns) == list(schema.ALL_COLUMNS)
    assert raw.shape == (18, 28)
    assert raw.loc[0, "Sales_Units"] == "106.3279441"
    assert raw.loc[0, schema.DATE] == "7/4/2022"


def test_load_panel_types_the_fixture(kaggle_head_path: Path) -> None:
    frame = load_panel(kaggle_head_path)
    assert list(frame.columns) == list(schema.ALL_COLUMNS)
    assert frame[schema.DATE].dtype == "datetime64[ns]"
    assert all(frame[c].dtype == "float64" for c in schema.NUMERIC_COLUMNS)
    assert sorted(frame[schema.GEO].unique()) == ["CENTRAL", "EAST"]
    first = frame[(frame[schema.GEO] == "CENTRAL") & (frame[schema.SKU] == "BrandA_SKU1")].iloc[0]
    assert first["Sales_Value"] == pytest.approx(10551.10826, rel=1e-12)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(InputError, match=f"'{path}' not found; pass the path of a CSV"):
        read_raw_csv(path)


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"'{tmp_path}' is a folder; give a CSV file"):
        read_raw_csv(tmp_path)


def test_device_is_not_a_regular_file() -> None:
    with pytest.raises(InputError, match="'/dev/null' is not a regular file; give a CSV file"):
        read_raw_csv("/dev/null")


@pytest.mark.parametrize(
    ("separator", "name"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")], ids=["semicolon", "tab", "pipe"]
)
def test_other_separator_is_named(kaggle_head_path: Path, tmp_path: Path, separator: str, name: str) -> None:
    lines = kaggle_head_path.read_text(encoding="utf-8").splitlines()
    decimal = "," if separator == ";" else "."  # European spreadsheets write decimal commas with ';'
    rows = [separator.join(cell.replace(".", decimal) for cell in line.split(",")) for line in lines]
    path = tmp_path / "panel.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"panel\.csv: the file looks {name}-separated \(its header has 27 {name}s"):
        read_raw_csv(path)


def test_other_separator_is_named_under_blank_lines(kaggle_head_path: Path, tmp_path: Path) -> None:
    lines = kaggle_head_path.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "panel.csv"
    path.write_text("\n\n" + "\n".join(line.replace(",", ";") for line in lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"panel\.csv: the file looks semicolon-separated"):
        read_raw_csv(path)


def test_empty_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty"):
        read_raw_csv(path)


def test_binary_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "panel.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x82" * 50)
    with pytest.raises(InputError, match=r"panel\.csv: not (a readable CSV|UTF-8 text)"):
        read_raw_csv(path)


def test_byte_order_mark_is_ignored(kaggle_head_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + kaggle_head_path.read_bytes())
    assert read_raw_csv(path).columns[0] == schema.DATE


def test_raw_copy_applies_renames_and_keeps_values(kaggle_head_path: Path, tmp_path: Path) -> None:
    source = pd.read_csv(kaggle_head_path, dtype=str).rename(columns={schema.DATE: "Week"})
    source["Extra"] = "x"
    source = source[["Geo", "Week", *[c for c in source.columns if c not in ("Geo", "Week")]]]
    path = tmp_path / "renamed.csv"
    source.to_csv(path, index=False)
    raw, validated = validate_file(path)
    target = write_raw_copy(raw, validated, tmp_path / "out" / "mmm_data.csv")
    copied = target.read_text(encoding="utf-8").splitlines()
    original = kaggle_head_path.read_text(encoding="utf-8").splitlines()
    assert copied == original


def test_file_cut_off_mid_line_names_the_line(kaggle_head_path: Path, tmp_path: Path) -> None:
    text = kaggle_head_path.read_text(encoding="utf-8")
    cut = tmp_path / "cut.csv"
    cut.write_text(text[: text.rstrip("\n").rfind(",") - 3], encoding="utf-8")  # the last row loses its last cells
    n_lines = len(cut.read_text(encoding="utf-8").splitlines())
    with pytest.raises(InputError, match=rf"line {n_lines} has \d+ of the header's 28 cells; the file looks cut off"):
        read_raw_csv(cut)


def test_a_row_with_more_cells_than_the_header_names_the_line(kaggle_head_path: Path, tmp_path: Path) -> None:
    """pandas moved the columns under an index and the message blamed 'Date' for holding 'BrandA_SKU1'."""
    lines = kaggle_head_path.read_text(encoding="utf-8").splitlines()
    lines[1] += ",1,2,3"
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"long.csv: line 2 has 31 cells, the header 28; a value holds a comma"):
        read_raw_csv(path)


def test_trailing_commas_on_every_row_leave_the_columns_in_place(kaggle_head_path: Path, tmp_path: Path) -> None:
    lines = kaggle_head_path.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "trailing.csv"
    path.write_text("\n".join([lines[0], *(line + "," for line in lines[1:])]) + "\n", encoding="utf-8")
    pd.testing.assert_frame_equal(read_raw_csv(path), read_raw_csv(kaggle_head_path))


def test_blank_lines_are_not_incomplete_rows(kaggle_head_path: Path, tmp_path: Path) -> None:
    spaced = tmp_path / "spaced.csv"
    spaced.write_text(kaggle_head_path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    assert len(read_raw_csv(spaced)) == len(read_raw_csv(kaggle_head_path))


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16", "utf-32"])
def test_wide_encodings_are_named(kaggle_head_path: Path, tmp_path: Path, encoding: str) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_bytes(kaggle_head_path.read_text(encoding="utf-8").encode(encoding))
    with pytest.raises(InputError, match="not UTF-8 text .* save it as comma-separated UTF-8 text"):
        read_raw_csv(wide)


@pytest.fixture()
def unreadable_csv(tmp_path: Path, kaggle_head_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A panel CSV without read permission; opening it fails as it does for a user (even for root,
    whom permissions do not stop)."""
    path = tmp_path / "noperm.csv"
    path.write_bytes(kaggle_head_path.read_bytes())
    path.chmod(0)
    real_open = builtins.open

    def guarded(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, str | os.PathLike) and Path(file) == path:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.setattr(io, "open", guarded)
    yield path
    path.chmod(0o600)


def test_unreadable_file_says_to_make_it_readable(unreadable_csv: Path) -> None:
    """Before, the PermissionError reached the CLI, which said to choose a folder you can write to."""
    message = f"'{unreadable_csv}' cannot be read (permission denied); make it readable (e.g. chmod u+r"
    with pytest.raises(InputError, match=re.escape(message)):
        read_raw_csv(unreadable_csv)
    with pytest.raises(InputError, match=re.escape(message)):
        check_csv_path(unreadable_csv)  # what 'mmm run' checks before its first step


def _xlsx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")


def _ods(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", "<office:document-content/>")


def _zip(path: Path, text: bytes) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mmm_weekly_data.csv", text)


def _parquet(path: Path, text: bytes) -> None:
    pd.read_csv(io.BytesIO(text), dtype=str).to_parquet(path)


PACKED = {
    "x.csv.gz": (
        lambda path, text: path.write_bytes(gzip.compress(text)),
        "a gzip-compressed file, not a CSV; unpack it (e.g. gunzip -k '{path}') and pass the CSV, '{folder}/x.csv'",
    ),
    "x.zip": (_zip, "a ZIP archive (it holds mmm_weekly_data.csv), not a CSV; unpack it (e.g. unzip '{path}')"),
    "x.xlsx": (lambda path, text: _xlsx(path), "an Excel workbook (.xlsx), not a CSV; save the sheet as CSV"),
    "x.xls": (
        lambda path, text: path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
        "an Excel workbook (.xls, or another legacy Office file), not a CSV; save the sheet as CSV",
    ),
    "x.ods": (lambda path, text: _ods(path), "an OpenDocument spreadsheet (.ods), not a CSV; save the sheet as CSV"),
    "x.parquet": (_parquet, "a Parquet file, not a CSV; the source must be a CSV in the panel schema"),
    "x.csv.bz2": (
        lambda path, text: path.write_bytes(bz2.compress(text)),
        "a compressed archive (bzip2), not a CSV; unpack it",
    ),
    "x.csv.xz": (
        lambda path, text: path.write_bytes(lzma.compress(text)),
        "a compressed archive (xz), not a CSV; unpack it",
    ),
}


@pytest.mark.parametrize("name", list(PACKED))
@pytest.mark.parametrize("renamed", [False, True], ids=["own-name", "named-csv"])
def test_packed_files_are_named_with_the_fix(kaggle_head_path: Path, tmp_path: Path, name: str, renamed: bool) -> None:
    """Before, each said 'not UTF-8 text (it contains NUL bytes, as UTF-16 or binary files do)'.
    Recognised by the first bytes, so a workbook saved under a .csv name is named too."""
    write, expected = PACKED[name]
    path = tmp_path / name
    write(path, kaggle_head_path.read_bytes())
    if renamed:
        path = path.rename(tmp_path / "panel.csv")
        expected = expected.replace(
            "gunzip -k '{path}') and pass the CSV, '{folder}/x.csv'", "gunzip -c '{path}' > panel.csv) and pass the CSV"
        )
    message = f"{path}: " + expected.format(path=path, folder=tmp_path)
    with pytest.raises(InputError, match=re.escape(message)):
        read_raw_csv(path)


@pytest.mark.parametrize("header", ["PAR1,Date,Geo", "BZh,Date,Geo", "BZh91AY,Date,Geo"])
def test_text_that_starts_like_a_magic_number_is_read(tmp_path: Path, header: str) -> None:
    path = tmp_path / "panel.csv"
    path.write_text(f"{header}\n1,2,3\n", encoding="utf-8")
    assert read_raw_csv(path).columns[0] == header.split(",")[0]


@pytest.mark.parametrize(
    ("above", "line"),
    [("# exported from the planning workbook\n", 2), ("Weekly sales, India\n\n,,\n", 4)],
    ids=["comment", "title-and-blank-rows"],
)
def test_a_title_or_comment_row_above_the_header_is_named(
    small_csv: Path, tmp_path: Path, above: str, line: int
) -> None:
    """Before: 'line 2 has 28 cells, the header 1; a value holds a comma', or 28 columns reported missing."""
    path = tmp_path / "titled.csv"
    path.write_text(above + small_csv.read_text())
    with pytest.raises(InputError, match=rf"titled.csv: line {line} looks like the header \(it names 28 of the schema"):
        read_raw_csv(path)


def test_a_latin_1_file_is_named_by_line_not_byte_offset(small_csv: Path, tmp_path: Path) -> None:
    """Before: "('utf-8' codec can't decode byte 0xe9 in position 376 ...)": a byte offset, no line."""
    lines = small_csv.read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace("NORTH", "NÖRTH").replace("SOUTH", "SÖUTH").replace("EAST", "ÉAST")
    path = tmp_path / "latin1.csv"
    path.write_bytes("".join(lines).encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1.csv: line 4 holds the byte 0x[0-9a-f]{2}, which is not UTF-8 text"):
        read_raw_csv(path)
