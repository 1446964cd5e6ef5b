"""Fuzz `mmm data --source FILE`: mutated panel CSVs must give exit 0 and a valid clean panel,
or exit 2 with exactly one line on stderr, never a traceback or another exit code.

A small valid panel (synthetic, 2 geos x 1 brand x 1 SKU x 60 weeks) is held as text and
changed by a list of mutations, then written with a delimiter, line ending and encoding and
optionally cut or spliced at the byte level. Every named mutation runs in a fixed list (so
each kind is always covered); hypothesis combines them. A few cases run the real `mmm`
command in a subprocess.

Hypothesis runs derandomised (same examples on every run) with ``MMM_FUZZ_EXAMPLES`` examples
(default 60) and without shrinking (a failure prints the exact mutations that failed); set
``MMM_FUZZ_RANDOM=1`` to explore fresh examples and ``MMM_FUZZ_SHRINK=1`` to shrink a failure.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import os
import random
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mmm_analytics.channels import Channels
from mmm_analytics.cli.app import app
from mmm_analytics.config.data import SyntheticSettings
from mmm_analytics.data import schema
from mmm_analytics.synthetic import generate_panel

runner = CliRunner()
MMM = Path(sys.executable).parent / "mmm"
SUBPROCESS_TIMEOUT = 180  # `mmm` imports pandas/pyarrow; a busy 2-core machine is slow to start

#: A mutation is a plain tuple (kind, *arguments) so a failing example prints as a reproduction.
type Mutation = tuple[object, ...]

NUMERIC = list(schema.NUMERIC_COLUMNS)
COLUMNS = list(schema.ALL_COLUMNS)
BAD_NUMBERS = ["1e308", "-1", "inf", "-inf", "nan", "", "1,234", "abc", "1e309", " 12 ", "0x10", "١٢٣", "NULL", "1.5.2"]
BAD_DATES = ["2022-13-45", "yesterday", "", "7/4/22", "31/12/2022", "2022-07-05", "1/1/1500", "12/31/9999", "0/0/0"]
ODD_NAMES = ["Zürich", "Mâcon", "São Paulo", "Bihār", "東京", "🚀 Rocket", "  EAST  ", "x" * 300]
LATIN1_NAMES = ("Zürich", "Mâcon")
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-16-le", "utf-32"]
DELIMITERS = [",", ";", "\t", "|"]
NEWLINES = ["\n", "\r\n", "\r"]
SPLICES = ['"', "\x00", ",", "\n", '"\n"', "\ufeff", "\xff\xfe"]
#: Values that pass validation but stress cleaning (imputation, outlier scores, parquet).
PLAUSIBLE = ["0", "-0", "1e-308", "5e-324", "1e308", "1.7976931348623157e308", "", "nan", "NA", "1e15", "1" + "0" * 30]
CLEANING = {
    "default": "cleaning: {}\n",  # the built-in defaults (an empty file would be named in a warning)
    "ffill_iqr_clip": "cleaning:\n  impute: ffill\n  outliers: {method: iqr, action: clip}\n",
    "median_mad_clip": "cleaning:\n  impute: median\n  outliers: {method: mad, action: clip, threshold: 0.5}\n",
    "linear_none": "cleaning:\n  impute: linear\n  outliers: {method: none}\n",
}
RENAMES = ["TV_Impresions", "Week", "sales_value", " Sales_Value ", "Date", "Geo", "", "Unnamed: 3", "Sales Value"]


@dataclass(frozen=True, slots=True)
class Document:
    """The mutated panel: header and rows of text, then how to write it."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@functools.cache
def base_document() -> Document:
    """The valid panel as text (cached: a fixture would be printed with every falsifying example)."""
    frame = generate_panel(
        SyntheticSettings(n_geos=2, n_brands=1, n_skus=1, n_weeks=60, seed=1), Channels.default()
    ).frame
    text = frame.to_csv(index=False)
    header, *rows = list(csv.reader(io.StringIO(text)))
    return Document(tuple(header), tuple(tuple(row) for row in rows))


@pytest.fixture(scope="module")
def base() -> Document:
    return base_document()


@pytest.fixture(scope="module")
def config_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Config folders by name with the four config files, empty (built-in defaults, whatever
    the working directory) except for the cleaning block of data_config.yaml."""
    folders = {}
    for name, text in CLEANING.items():
        folder = folders[name] = tmp_path_factory.mktemp(f"config-{name}")
        for file in ("data_config.yaml", "feature_config.yaml", "model_config.yaml", "viz_config.yaml"):
            (folder / file).write_text(text if file == "data_config.yaml" else "", encoding="utf-8")
    return folders


@pytest.fixture(scope="module")
def config_dir(config_dirs: dict[str, Path]) -> Path:
    return config_dirs["default"]


# --- applying mutations ---------------------------------------------------------------------


def _apply_table(doc: Document, mutation: Mutation) -> Document:
    header, rows = list(doc.header), [list(row) for row in doc.rows]
    kind, *args = mutation

    def at(name: object) -> int | None:
        return header.index(str(name)) if str(name) in header else None

    match kind:
        case "rename":
            if (k := at(args[0])) is not None:
                header[k] = str(args[1])
        case "drop":
            if (k := at(args[0])) is not None:
                del header[k]
                rows = [row[:k] + row[k + 1 :] for row in rows]
        case "duplicate_column":
            if (k := at(args[0])) is not None:
                header.append(header[k])
                rows = [[*row, row[k] if k < len(row) else ""] for row in rows]
        case "add_column":
            header.append(str(args[0]))
            rows = [[*row, str(args[1])] for row in rows]
        case "reorder":
            order = list(range(len(header)))
            random.Random(int(args[0])).shuffle(order)
            header = [header[k] for k in order]
            rows = [[row[k] if k < len(row) else "" for k in order] for row in rows]
        case "cell":
            if (k := at(args[0])) is not None and rows:
                row = rows[int(args[1]) % len(rows)]
                if k < len(row):
                    row[k] = str(args[2])
        case "fill":
            if (k := at(args[0])) is not None:
                for row in rows:
                    if k < len(row):
                        row[k] = str(args[1])
        case "blank_range":
            if (k := at(args[0])) is not None and rows:
                start = int(args[1]) % len(rows)
                for row in rows[start : start + int(args[2])]:
                    if k < len(row):
                        row[k] = ""
        case "drop_series_weeks":
            if (k := at("Geo")) is not None and rows:
                geos = sorted({row[k] for row in rows if k < len(row)})
                geo = geos[int(args[0]) % len(geos)]
                mine = [i for i, row in enumerate(rows) if k < len(row) and row[k] == geo]
                gone = set(mine[int(args[1]) : int(args[1]) + int(args[2])])
                rows = [row for i, row in enumerate(rows) if i not in gone]
        case "duplicate_row":
            if rows:
                i = int(args[0]) % len(rows)
                rows.insert(i + 1, list(rows[i]))
        case "drop_rows":
            if rows:
                start = int(args[0]) % len(rows)
                del rows[start : start + int(args[1])]
        case "shuffle_rows":
            random.Random(int(args[0])).shuffle(rows)
        case "geo_names":
            if (k := at("Geo")) is not None:
                names = dict(zip(sorted({row[k] for row in rows if k < len(row)}), args[0]))
                for row in rows:
                    if k < len(row):
                        row[k] = names.get(row[k], row[k])
        case "ragged":
            if rows:
                row = rows[int(args[0]) % len(rows)]
                delta = int(args[1])
                row[:] = [*row, *(["7"] * delta)] if delta > 0 else row[: max(len(row) + delta, 1)]
        case "blank_line":
            if rows:
                rows.insert(int(args[0]) % len(rows), [])
        case _:
            raise AssertionError(f"unknown table mutation {mutation!r}")
    return Document(tuple(header), tuple(tuple(row) for row in rows))


def render(base: Document, mutations: Sequence[Mutation]) -> bytes:
    """Apply the table mutations, write the text (delimiter, newline), encode it, then apply byte mutations."""
    doc = base
    delimiter, newline, encoding = ",", "\n", "utf-8"
    byte_level: list[Mutation] = []
    for mutation in mutations:
        match mutation:
            case ("delimiter", value):
                delimiter = str(value)
            case ("newline", value):
                newline = str(value)
            case ("encoding", value):
                encoding = str(value)
            case ("truncate", _) | ("splice", _, _):
                byte_level.append(mutation)
            case _:
                doc = _apply_table(doc, mutation)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(doc.header)
    for row in doc.rows:
        if row:
            writer.writerow(row)
        else:
            buffer.write(newline)
    data = buffer.getvalue().encode(encoding, errors="replace")
    for mutation in byte_level:
        match mutation:
            case ("truncate", fraction):
                data = data[: int(len(data) * float(fraction))]
            case ("splice", fraction, text):
                cut = int(len(data) * float(fraction))
                data = data[:cut] + str(text).encode("utf-8", errors="surrogatepass") + data[cut:]
    return data


# --- running `mmm data` and the contract ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    crash: str  # the traceback of an exception that escaped the command (in-process runs), else ""


def _crash_summary(crash: str) -> str:
    """The exception line and the innermost frame in mmm_analytics of a traceback."""
    lines = crash.strip().splitlines()
    ours = [line.strip() for line in lines if "mmm_analytics" in line and line.strip().startswith("File")]
    return "\n".join([*ours[-1:], *lines[-1:]])


def _describe(mutations: Sequence[Mutation], outcome: Outcome) -> str:
    tail = "\n".join((outcome.stdout + outcome.stderr).strip().splitlines()[-6:])
    crash = f"\n--- escaped exception ---\n{_crash_summary(outcome.crash)}" if outcome.crash else ""
    return f"mutations={list(mutations)!r}\nexit={outcome.exit_code}\n--- last lines of output ---\n{tail}{crash}"


def run_in_process(source: Path, output: Path, processed: Path, config_dir: Path) -> Outcome:
    args = ["data", "--source", str(source), "--output", str(output), "--processed-dir", str(processed)]
    result = runner.invoke(app, [*args, "--config-dir", str(config_dir)])
    crash = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crash = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else repr(result.exception)
    return Outcome(result.exit_code, result.stdout, result.stderr, crash)


def run_subprocess(source: Path, output: Path, processed: Path, config_dir: Path) -> Outcome:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "160"}
    args = ["data", "--source", str(source), "--output", str(output), "--processed-dir", str(processed)]
    done = subprocess.run(
        [str(MMM), *args, "--config-dir", str(config_dir)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        cwd=source.parent,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr, "")


def check_contract(mutations: Sequence[Mutation], outcome: Outcome, output: Path, processed: Path) -> str:
    """Exit 0 with a valid clean panel, or exit 2 with one line on stderr and nothing written.
    Returns "ok" or the error line; fails the test otherwise."""
    why = _describe(mutations, outcome)
    if outcome.crash:
        pytest.fail(f"an exception escaped the command\n{why}", pytrace=False)
    assert "Traceback" not in outcome.stdout + outcome.stderr, why
    assert outcome.exit_code in (0, 2), why
    if outcome.exit_code == 0:
        clean = processed / "clean_panel.parquet"
        assert clean.is_file(), why
        panel = pd.read_parquet(clean)
        assert len(panel) > 0, why
        missing = [c for c in schema.ALL_COLUMNS if c not in panel.columns]
        assert not missing, f"clean panel lacks {missing}\n{why}"
        sales = panel[schema.SALES_VALUE].to_numpy(dtype="float64")
        assert not np.isnan(sales).any(), f"NaN in Sales_Value of the clean panel\n{why}"
        assert np.isfinite(sales).all(), f"non-finite Sales_Value in the clean panel\n{why}"
        assert not panel[schema.DATE].isna().any(), f"NaT in Date of the clean panel\n{why}"
        gaps = [c for c in schema.NUMERIC_COLUMNS if panel[c].isna().any()]
        assert not gaps, f"missing values left in the clean panel (contract: none) in {gaps}\n{why}"
        return "ok"
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected exactly one line on stderr, got {len(lines)}\n{why}"
    assert lines[0].startswith("error: ") and lines[0].removeprefix("error: ").strip(), why
    written = [p.name for folder in (output, processed) if folder.exists() for p in folder.iterdir()]
    assert not written, f"a failed data step wrote {written}\n{why}"
    return lines[0]


def fuzz_once(base: Document, config_dir: Path, mutations: Sequence[Mutation], *, subprocess_run: bool = False) -> str:
    with tempfile.TemporaryDirectory(prefix="mmm-fuzz-") as folder:
        root = Path(folder)
        source = root / "panel.csv"
        source.write_bytes(render(base, mutations))
        output, processed = root / "raw", root / "processed"
        run = run_subprocess if subprocess_run else run_in_process
        return check_contract(mutations, run(source, output, processed, config_dir), output, processed)


# --- every named mutation, always ---------------------------------------------------------------

OK, ERROR = "ok", "error"
NAMED: list[tuple[str, list[Mutation], str | None]] = [
    # (id, mutations, documented outcome or None when either is acceptable)
    ("unchanged", [], OK),
    ("renamed_column_typo", [("rename", "TV_Impressions", "TV_Impresions")], ERROR),
    ("renamed_date_to_week", [("rename", "Date", "Week")], OK),
    ("renamed_lower_case", [("rename", "Sales_Value", "sales_value")], None),
    ("renamed_with_spaces", [("rename", "Sales_Value", " Sales_Value ")], OK),
    ("renamed_to_empty", [("rename", "CPI", "")], ERROR),
    ("renamed_to_other_column", [("rename", "MRP", "Net_Price")], ERROR),
    ("dropped_kpi_column", [("drop", "Sales_Value")], ERROR),
    ("dropped_id_column", [("drop", "Geo")], ERROR),
    ("dropped_date_column", [("drop", "Date")], ERROR),
    ("duplicated_column", [("duplicate_column", "TV_Impressions")], None),
    ("duplicated_id_column", [("duplicate_column", "Geo")], None),
    ("extra_column", [("add_column", "Notes", "hello")], OK),
    ("reordered_columns", [("reorder", 3)], OK),
    ("sales_1e308", [("cell", "Sales_Value", 5, "1e308")], None),
    ("sales_negative", [("cell", "Sales_Value", 5, "-1")], ERROR),
    ("sales_inf", [("cell", "Sales_Value", 5, "inf")], ERROR),
    ("sales_minus_inf", [("cell", "Sales_Value", 5, "-inf")], ERROR),
    ("sales_nan", [("cell", "Sales_Value", 5, "nan")], OK),
    ("sales_empty", [("cell", "Sales_Value", 5, "")], OK),
    ("sales_thousands_separator", [("cell", "Sales_Value", 5, "1,234")], None),
    ("sales_text", [("cell", "Sales_Value", 5, "lots")], ERROR),
    ("sales_1e309", [("cell", "Sales_Value", 5, "1e309")], ERROR),
    ("sales_first_and_last_empty", [("cell", "Sales_Value", 0, ""), ("cell", "Sales_Value", 119, "")], None),
    ("sales_all_empty", [("fill", "Sales_Value", "")], ERROR),
    ("sales_all_1e308", [("fill", "Sales_Value", "1e308")], None),
    ("tv_1e308", [("cell", "TV_Impressions", 7, "1e308")], None),
    ("tv_all_1e308", [("fill", "TV_Impressions", "1e308")], None),
    ("cpi_all_empty", [("fill", "CPI", "")], ERROR),
    ("gdp_negative", [("cell", "GDP_Growth", 3, "-1")], OK),
    ("flag_two", [("cell", "Feature_Flag", 3, "2")], ERROR),
    ("flag_half", [("cell", "TPR_Flag", 3, "0.5")], ERROR),
    ("date_impossible", [("cell", "Date", 4, "2022-13-45")], ERROR),
    ("date_text", [("cell", "Date", 4, "yesterday")], ERROR),
    ("date_empty", [("cell", "Date", 4, "")], ERROR),
    ("date_two_digit_year", [("cell", "Date", 4, "7/4/22")], None),
    ("date_day_first", [("cell", "Date", 4, "31/12/2022")], ERROR),
    ("date_off_grid", [("cell", "Date", 4, "2022-07-05")], ERROR),
    ("date_year_1500", [("cell", "Date", 4, "1/1/1500")], ERROR),
    ("date_year_9999", [("cell", "Date", 4, "12/31/9999")], ERROR),
    ("date_with_timezone", [("cell", "Date", 0, "2022-07-04T00:00:00+05:30")], None),
    ("dates_all_iso", [("fill", "Date", "2022-07-04")], ERROR),
    ("geo_empty", [("cell", "Geo", 2, "")], ERROR),
    ("geo_spaces", [("cell", "Geo", 2, "  EAST  ")], None),
    ("geo_non_ascii_utf8", [("geo_names", ("Zürich", "東京"))], OK),
    ("geo_non_ascii_latin1", [("geo_names", LATIN1_NAMES), ("encoding", "latin-1")], None),
    ("geo_non_ascii_cp1252", [("geo_names", LATIN1_NAMES), ("encoding", "cp1252")], None),
    ("geo_very_long", [("geo_names", ("x" * 300, "y" * 300))], OK),
    ("utf8_bom", [("encoding", "utf-8-sig")], OK),
    ("utf16", [("encoding", "utf-16")], None),
    ("utf16_le_no_bom", [("encoding", "utf-16-le")], None),
    ("utf32", [("encoding", "utf-32")], None),
    ("semicolon_delimiter", [("delimiter", ";")], None),
    ("tab_delimiter", [("delimiter", "\t")], None),
    ("semicolon_with_decimal_comma", [("delimiter", ";"), ("cell", "Sales_Value", 1, "1234,5")], None),
    ("crlf_newlines", [("newline", "\r\n")], OK),
    ("cr_newlines", [("newline", "\r")], None),
    ("truncated_mid_line", [("truncate", 0.5)], ERROR),
    ("truncated_mid_last_line", [("truncate", 0.995)], None),
    ("truncated_mid_header", [("truncate", 0.002)], ERROR),
    ("truncated_to_zero_bytes", [("truncate", 0.0)], ERROR),
    ("header_only", [("drop_rows", 0, 1000)], ERROR),
    ("duplicated_row", [("duplicate_row", 10)], ERROR),
    ("dropped_one_row", [("drop_rows", 10, 1)], OK),
    ("dropped_many_rows", [("drop_rows", 0, 60)], None),
    ("shuffled_rows", [("shuffle_rows", 5)], OK),
    ("ragged_row_extra_fields", [("ragged", 9, 2)], None),
    ("ragged_row_missing_fields", [("ragged", 9, -5)], ERROR),
    ("blank_line_inside", [("blank_line", 30)], None),
    ("nul_byte", [("splice", 0.5, "\x00")], None),
    ("stray_quote", [("splice", 0.5, '"')], None),
    ("bom_mid_file", [("splice", 0.5, "\ufeff")], None),
]


def _expect(outcome: str, expected: str | None, mutations: Sequence[Mutation]) -> None:
    """``outcome`` is "ok" or the error line; ``expected`` the documented outcome (None: either)."""
    got = OK if outcome == OK else ERROR
    if expected is not None:
        assert got == expected, f"documented outcome is {expected}, got {outcome!r}\nmutations={list(mutations)!r}"


@pytest.mark.parametrize(("mutations", "expected"), [pytest.param(m, e, id=i) for i, m, e in NAMED])
def test_named_mutation(base: Document, config_dir: Path, mutations: list[Mutation], expected: str | None) -> None:
    _expect(fuzz_once(base, config_dir, mutations), expected, mutations)


SUBPROCESS_CASES = ["unchanged", "utf16", "truncated_mid_line", "truncated_to_zero_bytes", "sales_1e308"]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_named_mutation_in_a_real_process(base: Document, config_dir: Path, name: str) -> None:
    mutations, expected = next((m, e) for i, m, e in NAMED if i == name)
    _expect(fuzz_once(base, config_dir, mutations, subprocess_run=True), expected, mutations)


# --- hypothesis combinations ----------------------------------------------------------------------

rows = st.integers(min_value=0, max_value=200)
columns = st.sampled_from(COLUMNS)
numeric_columns = st.sampled_from(NUMERIC)
fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
cell_text = st.one_of(
    st.sampled_from(BAD_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=12),
)

#: Any calendar date in either accepted format (pandas' nanosecond dates end in 1677 and 2262).
any_dates = st.dates().flatmap(lambda d: st.sampled_from([f"{d.month}/{d.day}/{d.year}", d.isoformat()]))
table_mutations = st.one_of(
    st.tuples(st.just("rename"), columns, st.one_of(st.sampled_from(RENAMES), st.text(max_size=10))),
    st.tuples(st.just("drop"), columns),
    st.tuples(st.just("duplicate_column"), columns),
    st.tuples(st.just("add_column"), st.text(max_size=8), st.text(max_size=8)),
    st.tuples(st.just("reorder"), st.integers(0, 1000)),
    st.tuples(st.just("cell"), numeric_columns, rows, cell_text),
    st.tuples(st.just("cell"), st.just("Date"), rows, st.one_of(st.sampled_from(BAD_DATES), st.text(max_size=12))),
    st.tuples(st.just("cell"), st.just("Date"), rows, any_dates),
    st.tuples(st.just("cell"), st.sampled_from(["Geo", "Brand", "SKU"]), rows, st.text(max_size=12)),
    st.tuples(st.just("fill"), numeric_columns, st.sampled_from(["", "1e308", "-1", "0", "nan"])),
    st.tuples(st.just("duplicate_row"), rows),
    st.tuples(st.just("drop_rows"), rows, st.integers(1, 40)),
    st.tuples(st.just("shuffle_rows"), st.integers(0, 1000)),
    st.tuples(st.just("geo_names"), st.tuples(st.sampled_from(ODD_NAMES), st.sampled_from(ODD_NAMES))),
    st.tuples(st.just("ragged"), rows, st.sampled_from([-5, -2, -1, 1, 3])),
    st.tuples(st.just("blank_line"), rows),
)
format_mutations = st.one_of(
    st.tuples(st.just("delimiter"), st.sampled_from(DELIMITERS)),
    st.tuples(st.just("newline"), st.sampled_from(NEWLINES)),
    st.tuples(st.just("encoding"), st.sampled_from(ENCODINGS)),
    st.tuples(st.just("truncate"), fractions),
    st.tuples(st.just("splice"), fractions, st.sampled_from(SPLICES)),
)
#: Mutations that keep the file valid (or fixable): they reach cleaning and the written outputs.
plausible_mutations = st.one_of(
    st.tuples(st.just("cell"), st.sampled_from([schema.SALES_VALUE, *NUMERIC]), rows, st.sampled_from(PLAUSIBLE)),
    st.tuples(st.just("fill"), numeric_columns, st.sampled_from(["0", "1e308", "5e-324", "7"])),
    st.tuples(st.just("blank_range"), st.sampled_from([schema.SALES_VALUE, *NUMERIC]), rows, st.integers(1, 60)),
    st.tuples(st.just("drop_series_weeks"), st.integers(0, 1), st.integers(0, 59), st.integers(1, 16)),
    st.tuples(st.just("cell"), st.just("Date"), rows, any_dates),
    st.tuples(st.just("duplicate_column"), columns),
    st.tuples(st.just("add_column"), st.text(max_size=8), st.text(max_size=8)),
    st.tuples(st.just("reorder"), st.integers(0, 1000)),
    st.tuples(st.just("shuffle_rows"), st.integers(0, 1000)),
    st.tuples(st.just("geo_names"), st.tuples(st.sampled_from(ODD_NAMES), st.sampled_from(ODD_NAMES))),
    st.tuples(st.just("newline"), st.sampled_from(["\n", "\r\n"])),
    st.tuples(st.just("encoding"), st.just("utf-8-sig")),
)
mutation_lists = st.one_of(
    st.lists(st.one_of(table_mutations, table_mutations, format_mutations), min_size=1, max_size=4),
    st.lists(plausible_mutations, min_size=1, max_size=6),
)


@settings(
    max_examples=int(os.environ.get("MMM_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=not os.environ.get("MMM_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    # Shrinking a failure costs minutes here; the message lists the exact mutations either way.
    phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if os.environ.get("MMM_FUZZ_SHRINK") else [])],
)
@given(mutations=mutation_lists, cleaning=st.sampled_from(list(CLEANING)))
def test_fuzzed_mutations(config_dirs: dict[str, Path], mutations: list[Mutation], cleaning: str) -> None:
    outcome = fuzz_once(base_document(), config_dirs[cleaning], mutations)
    event(f"outcome: {OK if outcome == OK else ERROR}")
    for mutation in mutations:
        event(f"mutation: {mutation[0]}")


def test_render_round_trips_the_base(base: Document) -> None:
    """The harness itself: an unmutated document is the generator's panel."""
    frame = pd.read_csv(io.BytesIO(render(base, [])))
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 120
    assert math.isfinite(float(frame[schema.SALES_VALUE].sum()))
