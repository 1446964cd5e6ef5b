"""What the summary reads from the earlier steps' files: a damaged or foreign file is left out with one line,
never a traceback at the end of a run."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from mmm_analytics.pipeline.summary import key_numbers
from mmm_analytics.reports import inputs as summary_inputs
from mmm_analytics.reports.inputs import READ_FROM_DISK, load_inputs
from mmm_analytics.reports.summary import write_summary
from mmm_analytics.utils.paths import ProjectPaths
from tests.reports.conftest import Run


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _foreign_table(path: Path) -> None:
    if path.suffix == ".parquet":
        import pandas as pd

        pd.DataFrame({"a": [1.0], "b": [2.0]}).to_parquet(path)
    else:
        path.write_text("a,b\n1,2\n")


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 3)])


def _not_an_object(path: Path) -> None:
    path.write_text("[1, 2]")


def _text_number(path: Path) -> None:
    data = json.loads(path.read_text())
    path.write_text(json.dumps(data | {"weekly_budget": "lots"}))


def _list_holdout(path: Path) -> None:
    data = json.loads(path.read_text())
    path.write_text(json.dumps(data | {"holdout": [1, 2]}))


def _nan_wmape(path: Path) -> None:
    """Edited by hand: JSON has no NaN, Python's reader takes it."""
    data = json.loads(path.read_text())
    data["holdout"]["overall"]["wmape"] = float("nan")
    path.write_text(json.dumps(data))


def _grouped_thousands(path: Path) -> None:
    """As a spreadsheet saves it: spend written 1,230,724."""
    import pandas as pd

    frame = pd.read_csv(path)
    frame["spend"] = frame["spend"].map(lambda v: f"{v:,.0f}")
    frame.to_csv(path, index=False)


def _text_cell(column: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        import pandas as pd

        frame = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
        frame[column] = frame[column].astype(object)
        frame.loc[frame.index[1], column] = "abc"
        frame.to_csv(path, index=False) if path.suffix == ".csv" else frame.astype({column: str}).to_parquet(path)

    damage.__name__ = f"text_in_{column}"
    return damage


def _half(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _no_final_line_break_crlf(path: Path) -> None:
    """As some spreadsheets save it: CRLF line ends and no line break after the last row."""
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n").rstrip(b"\r\n"))


def _header_only(path: Path) -> None:
    path.write_text(path.read_text().splitlines(keepends=True)[0])


def _without(column: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        import pandas as pd

        pd.read_csv(path).drop(columns=[column]).to_csv(path, index=False)

    damage.__name__ = f"without_{column}"
    return damage


def _nul_bytes(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:40] + b"\x00\x00" + path.read_bytes()[40:])


def _fewer_rows(path: Path) -> None:
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-2]))


def _text_allocation(path: Path) -> None:
    data = json.loads(path.read_text())
    channel = next(iter(data["allocation"]))
    path.write_text(json.dumps(data | {"allocation": data["allocation"] | {channel: "abc"}}))


def _null_allocation(path: Path) -> None:
    data = json.loads(path.read_text())
    channel = next(iter(data["current_allocation"]))
    path.write_text(json.dumps(data | {"current_allocation": data["current_allocation"] | {channel: None}}))


#: (file, where it lies under the project, how it is damaged, words the line gives).
CASES: list[tuple[str, Callable[[Path], None], str]] = [
    ("channel_roi.csv", _empty, "empty"),
    ("channel_roi.csv", _foreign_table, "no column 'channel'"),
    ("roi_curves.parquet", _truncated, "not readable"),
    ("roi_curves.parquet", _foreign_table, "no column 'brand'"),
    ("efficiency_frontier.csv", _empty, "empty"),
    ("decomposition.csv", _foreign_table, "no column 'date'"),
    ("model_metrics.json", _empty, "not readable"),
    ("model_metrics.json", _list_holdout, "key 'holdout' lacks the overall wMAPE"),
    # Before, 'mmm report' printed "holdout wMAPE nan%" in its closing table.
    ("model_metrics.json", _nan_wmape, "the overall holdout wMAPE is nan, not a number"),
    ("optimal_allocation.json", _not_an_object, "a JSON list, not an object"),
    ("optimal_allocation.json", _text_number, "key 'weekly_budget' is 'lots', not a number"),
    # Before, each of these ended 'mmm report' with a traceback (ValueError or TypeError), or (the half
    # file, the rows left out) drew a page of fewer channels without a word.
    ("channel_roi.csv", _grouped_thousands, "column 'spend' holds '"),
    ("channel_roi.csv", _text_cell("roi"), "column 'roi' holds 'abc', not a number"),
    ("channel_roi.csv", _half, "cut short: its last row has "),
    ("channel_roi.csv", _fewer_rows, "channels are missing"),
    ("efficiency_frontier.csv", _nul_bytes, "no column"),
    ("efficiency_frontier.csv", _without("budget_multiple"), "no column 'budget_multiple'"),
    ("decomposition.csv", _text_cell("actual"), "column 'actual' holds 'abc', not a number"),
    ("roi_curves.parquet", _text_cell("spend"), "column 'spend' holds '"),
    ("optimal_allocation.json", _text_allocation, "key 'allocation' has 'abc' for"),
    ("optimal_allocation.json", _null_allocation, "key 'current_allocation' has None for"),
]


def _project_copy(small_run: Run, tmp_path: Path) -> ProjectPaths:
    """A copy of the small run's project folder, to damage."""
    root = tmp_path / "project"
    shutil.copytree(small_run.paths.root, root)
    return ProjectPaths(root)


def _where(paths: ProjectPaths, name: str) -> Path:
    return (
        paths.simulations_dir if READ_FROM_DISK[name][0] in ("mmm optimize", "mmm simulate") else paths.reports_dir
    ) / name


@pytest.mark.parametrize("name", ["channel_roi.csv", "efficiency_frontier.csv", "decomposition.csv"])
def test_a_file_saved_again_by_a_spreadsheet_is_read(small_run: Run, tmp_path: Path, name: str) -> None:
    paths = _project_copy(small_run, tmp_path)
    _no_final_line_break_crlf(_where(paths, name))
    inputs = load_inputs(paths)
    assert inputs.damaged == ()
    assert inputs.channel_roi is not None and inputs.frontier is not None and inputs.decomposition is not None


@pytest.mark.parametrize("name", ["channel_roi.csv", "efficiency_frontier.csv", "decomposition.csv"])
def test_a_file_of_its_header_alone_does_not_end_the_summary(small_run: Run, tmp_path: Path, name: str) -> None:
    """A table with no rows reads as empty (its part of the page says so), never a traceback."""
    paths = _project_copy(small_run, tmp_path)
    _header_only(_where(paths, name))
    load_inputs(paths)
    write_summary(paths, small_run.config)


def test_a_channel_named_like_a_missing_value_is_read_as_written(tmp_path: Path) -> None:
    """Before, a channel called NA read as a missing value and its row as missing from the file."""
    path = tmp_path / "channel_roi.csv"
    path.write_text("channel,roi\nNA,1.5\n01,2.0\n")
    assert summary_inputs._read(path)["channel"].tolist() == ["NA", "01"]


@pytest.mark.parametrize(("name", "damage", "words"), CASES, ids=[f"{n}-{d.__name__}" for n, d, _ in CASES])
def test_a_damaged_earlier_file_is_left_out_of_the_summary_with_one_line(
    small_run: Run, tmp_path: Path, name: str, damage: Callable[[Path], None], words: str
) -> None:
    """Before, an empty channel_roi.csv, a truncated roi_curves.parquet or a foreign optimal_allocation.json
    ended every later 'mmm run' (even '--steps data') with EmptyDataError, ArrowInvalid or KeyError."""
    paths = _project_copy(small_run, tmp_path)
    assert load_inputs(paths).damaged == ()
    file = _where(paths, name)
    damage(file)
    inputs = load_inputs(paths)
    (problem,) = inputs.damaged
    assert problem.startswith(f"'{file}' is damaged (") and words in problem
    assert problem.endswith(f"run '{READ_FROM_DISK[name][0]}' again to rewrite it")
    key_numbers(inputs)  # the run's closing table shows what the page read
    page = write_summary(paths, small_run.config).read_text(encoding="utf-8")
    assert "Left out of this page: damaged files." in page and name in page


def test_the_summary_reads_each_earlier_file_once(
    small_run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, the page read each file, then read them all again to list the damaged ones, and 'mmm run' a third
    time for its warning and a fourth for its closing table: a big panel's roi_curves.parquet three times."""
    paths = _project_copy(small_run, tmp_path)
    _empty(paths.reports_dir / "channel_roi.csv")
    reads: list[Path] = []
    read = summary_inputs._read

    def counted(path: Path) -> object:
        reads.append(path)
        return read(path)

    monkeypatch.setattr(summary_inputs, "_read", counted)
    inputs = load_inputs(paths)
    assert len(inputs.damaged) == 1 and "channel_roi.csv" in inputs.damaged[0]
    # every file, each once; the segments' ROIs only for the advice of one brand x region
    assert sorted(path.name for path in reads) == sorted(READ_FROM_DISK.keys() - {"roi_by_segment.csv"})


def test_the_curves_of_the_brand_and_region_the_advice_covers_are_read(small_run: Run, segment_run: Run) -> None:
    """Beside the national curves, those of the one brand x region a segment's advice covers (none for national
    advice): the summary marks the advice's spends on them, not on the national ones."""
    national = load_inputs(small_run.paths)
    assert national.plan_curves is None and national.curves is not None
    inputs = load_inputs(segment_run.paths)
    assert inputs.plan_curves is not None and inputs.curves is not None
    assert set(inputs.plan_curves["brand"]) == {"BrandA"} and set(inputs.plan_curves["region"]) == {"EAST"}
    assert set(inputs.curves["brand"]) == {"all"} and len(inputs.plan_curves) == len(inputs.curves)
    across = (inputs.allocation or {}) | {"region": "all"}  # a brand across regions has no curve of its own
    assert summary_inputs._plan_curves(pd.read_parquet(segment_run.reports / "roi_curves.parquet"), across) is None


def test_a_damaged_roi_table_of_the_advised_brand_and_region_is_named(segment_run: Run, tmp_path: Path) -> None:
    """roi_by_segment.csv is read for a brand x region's advice after the damaged files were listed: an empty one
    was left out of the page without a word."""
    paths = _project_copy(segment_run, tmp_path)
    assert load_inputs(paths).plan_roi is not None
    file = paths.reports_dir / "roi_by_segment.csv"
    _empty(file)
    inputs = load_inputs(paths)
    assert inputs.plan_roi is None
    assert inputs.damaged == (f"'{file}' is damaged (empty); run 'mmm curves' again to rewrite it",)
    assert inputs.rewrite == {"mmm curves"}


def test_the_commands_that_rewrite_damaged_files_are_named_once_each(small_run: Run, tmp_path: Path) -> None:
    paths = _project_copy(small_run, tmp_path)
    assert load_inputs(paths).rewrite == frozenset()
    for name in ("channel_roi.csv", "roi_curves.parquet", "efficiency_frontier.csv"):
        _empty(_where(paths, name))
    inputs = load_inputs(paths)
    assert len(inputs.damaged) == 3 and inputs.rewrite == {"mmm curves", "mmm simulate"}


def test_each_later_step_is_current_when_it_records_the_model_now_in_the_folder(tmp_path: Path) -> None:
    """The record of each later step (curves_summary.json, optimal_allocation.json, optimization_summary.json)
    names the SHA-256 of the response_params.npz it read; that, not the file times, says whether it is the
    current model's. A record without it (an earlier version's files) falls back to the times."""
    import os

    from mmm_analytics.response.artifacts import model_digest
    from tests.simulator.hand_built import build_params, write_model

    paths = ProjectPaths(tmp_path)
    write_model(paths.models_dir, build_params(n_weeks=30))
    digest = model_digest(paths.models_dir)
    assert len(digest) == 64
    for name in summary_inputs.EARLIER_RESULTS:
        file = summary_inputs._file(paths, name)
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text("")
    old = (paths.models_dir / "metadata.json").stat().st_mtime - 60
    for file in (paths.reports_dir / "channel_roi.csv", paths.reports_dir / "roi_curves.parquet"):
        os.utime(file, (old, old))  # copied: older than the model, yet its own
    (paths.reports_dir / "curves_summary.json").write_text(json.dumps({"model_digest": digest}))
    (paths.simulations_dir / "optimal_allocation.json").write_text(json.dumps({"model_digest": "0" * 64}))
    (paths.simulations_dir / "optimization_summary.json").write_text(json.dumps({"seconds": {}}))
    os.utime(paths.simulations_dir / "efficiency_frontier.csv", (old, old))
    assert list(summary_inputs.current_steps(paths)) == ["train", "curves"]


def test_the_media_interval_pools_the_forms_as_the_channel_rois_do(tmp_path: Path) -> None:
    """Before, the page's headline media ROI interval was the chosen form's alone while its channel ROIs
    and its words pooled both fits. The media total is the two fits' mean, as the channel ROIs' are. A
    pooled form the metadata names but the folder lacks is named as damaged and the total and interval
    are then the chosen form's (tolerance 1e-12)."""
    import numpy as np

    from mmm_analytics.curves.summary import total_contribution
    from tests.curves.hand_model import pool_form
    from tests.simulator.hand_built import build_params, write_model

    paths = ProjectPaths(tmp_path)
    hill, logistic = build_params(n_weeks=30, n_draws=12), build_params(n_weeks=30, n_draws=12, saturation="logistic")
    write_model(paths.models_dir, hill)
    alone = load_inputs(paths).media
    pool_form(paths.models_dir, logistic)
    pooled = load_inputs(paths).media
    assert alone is not None and pooled is not None
    draws = [total_contribution(p, d).sum() for p in (hill, logistic) for d in range(12)]
    np.testing.assert_allclose([pooled.lower, pooled.upper], np.quantile(draws, [0.05, 0.95]), rtol=1e-12)
    mean = (total_contribution(hill).sum() + total_contribution(logistic).sum()) / 2
    assert pooled.contribution == pytest.approx(mean, rel=1e-12) and pooled.contribution != alone.contribution
    assert (pooled.lower, pooled.upper) != (alone.lower, alone.upper)
    (paths.models_dir / "pooled_response_params.npz").unlink()
    inputs = load_inputs(paths)
    assert inputs.media == alone and any(
        "missing, while metadata.json says a logistic fit" in d for d in inputs.damaged
    )


def test_a_holdout_wmape_not_available_is_said_not_damaged(small_run: Run, tmp_path: Path) -> None:
    """A holdout whose sales are all 0 has no wMAPE: train writes null, and the summary says n/a."""
    paths = _project_copy(small_run, tmp_path)
    metrics = paths.reports_dir / "model_metrics.json"
    data = json.loads(metrics.read_text())
    data["holdout"]["overall"]["wmape"] = None
    metrics.write_text(json.dumps(data))
    inputs = load_inputs(paths)
    assert inputs.damaged == ()
    assert ("holdout wMAPE", "n/a (the holdout weeks' sales are all 0)") in key_numbers(inputs)


@pytest.mark.parametrize("damage", [_empty, _not_an_object, _truncated], ids=lambda d: d.__name__)
def test_a_damaged_record_of_the_model_a_step_read_is_named_not_called_stale(
    small_run: Run, tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    """Before, an empty optimization_summary.json made the summary say the frontier came from the model
    before the one trained last (its file times, after a copy), and the damaged file went unnamed."""
    paths = _project_copy(small_run, tmp_path)
    record = paths.simulations_dir / "optimization_summary.json"
    damage(record)
    results = summary_inputs.current_steps(paths)
    assert "simulate" not in results and "curves" in results
    inputs = load_inputs(paths, results)
    assert inputs.stale == () and inputs.frontier is None
    (problem,) = inputs.damaged
    assert problem.startswith(f"'{record}' is damaged (") and problem.endswith("run 'mmm simulate' again to rewrite it")


def test_an_eda_of_other_data_than_the_model_s_is_named(tmp_path: Path) -> None:
    """Before, 'mmm data' with another seed, then 'mmm eda' and 'mmm report' linked an EDA report of that panel
    beside a model trained on the first, without a word."""
    from mmm_analytics.reports.inputs import eda_of_other_data
    from mmm_analytics.reports.summary import eda_words
    from mmm_analytics.utils.io import file_digest

    paths = ProjectPaths(tmp_path)
    paths.eda_tables.mkdir(parents=True)
    paths.models_dir.mkdir(parents=True)
    panel = tmp_path / "clean_panel.parquet"
    panel.write_bytes(b"the panel as it is now")
    now = file_digest(panel)
    eda, trained = paths.eda_tables / "eda_source.json", paths.models_dir / "features_meta.json"

    def record(file: Path, sha: str, path: Path = panel) -> None:
        file.write_text(json.dumps({"source": {"path": str(path), "sha256": sha}}))

    assert eda_of_other_data(paths) is None  # neither recorded
    record(eda, now)
    assert eda_of_other_data(paths) is None  # a model of an earlier version records no source
    record(trained, "a" * 64)
    assert eda_of_other_data(paths) == (str(panel), "model")  # 'mmm data' and 'mmm eda' ran after training
    assert "run 'mmm features' and 'mmm train'" in eda_words((str(panel), "model"))
    record(eda, "a" * 64)
    record(trained, now)
    assert eda_of_other_data(paths) == (str(panel), "eda")
    assert "run 'mmm eda' again" in eda_words((str(panel), "eda"))
    record(eda, "b" * 64)
    record(trained, "a" * 64)
    assert eda_of_other_data(paths) == (str(panel), "both")
    record(trained, "b" * 64)
    assert eda_of_other_data(paths) is None  # the same data
    record(trained, "a" * 64, tmp_path / "my_panel.csv")
    assert eda_of_other_data(paths) is None  # features of another file (a CSV): not comparable
    eda.write_text("{not json")
    assert eda_of_other_data(paths) is None
