"""The pipeline as plain functions: step choice, order and callbacks, the data and features steps on a
small synthetic panel, the optimiser step's file, and the summary's key numbers."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from mmm_analytics import pipeline
from mmm_analytics.config import ProjectConfig, load_config
from mmm_analytics.errors import InputError
from mmm_analytics.pipeline import PipelineRun, choose_steps, key_numbers, run_pipeline
from mmm_analytics.reports.inputs import load_inputs
from mmm_analytics.simulator.optimizer import JSON_KEYS
from mmm_analytics.synthetic import generate_panel
from mmm_analytics.utils.paths import ProjectPaths

from .simulator.hand_built import build_params, write_model

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"


@pytest.fixture(scope="module")
def config() -> ProjectConfig:
    """The shipped config on a 2 geos x 2 brands x 1 SKU x 104 weeks synthetic panel."""
    shipped = load_config(CONFIG_DIR)
    synthetic = shipped.data.synthetic.model_copy(
        update={"seed": 11, "n_geos": 2, "n_brands": 2, "n_skus": 1, "n_weeks": 104}
    )
    return dataclasses.replace(shipped, data=shipped.data.model_copy(update={"synthetic": synthetic}))


def test_steps_run_in_pipeline_order_whatever_the_order_given() -> None:
    assert choose_steps("optimize, data,curves", None) == ["data", "curves", "optimize"]
    assert choose_steps(None, "eda,simulate") == ["data", "features", "train", "curves", "optimize"]
    assert choose_steps(None, None) == list(pipeline.STEPS)
    with pytest.raises(InputError, match="--skip: unknown step 'plot'; choose from data, eda"):
        choose_steps(None, "plot")


@pytest.mark.parametrize(
    "steps, skip, message",
    [
        ("", None, "--steps names no step"),
        (" , ", None, "--steps names no step"),
        (None, ",", "--skip names no step"),
        ("data", "data", "--skip leaves no step of --steps to run"),
        (None, ",".join(pipeline.STEPS), "--skip leaves no step"),
        ("data,,features", None, "--steps: 'data,,features' has an empty item"),
        ("data,features,", None, "has an empty item"),
        ("data,data", None, "--steps: step 'data' is given twice"),
        (None, "eda,eda", "--skip: step 'eda' is given twice"),
    ],
    ids=[
        "empty-steps",
        "blank-steps",
        "empty-skip",
        "skip-all-chosen",
        "skip-everything",
        "empty-item",
        "trailing-comma",
        "step-twice",
        "skip-twice",
    ],
)
def test_a_selection_of_no_step_is_an_error(steps: str | None, skip: str | None, message: str) -> None:
    """'--steps ""' ran the whole pipeline, and '--steps data --skip data' ran nothing and reported success."""
    with pytest.raises(InputError, match=re.escape(message)):
        choose_steps(steps, skip)


def test_run_pipeline_calls_each_step_once_with_its_callbacks(monkeypatch: pytest.MonkeyPatch, config) -> None:
    calls: list[tuple] = []

    def fake(name: str):
        def step(run: PipelineRun, progress) -> str:
            calls.append(("run", name, progress))
            return f"result of {name}"

        return step

    @contextlib.contextmanager
    def around(step: str) -> Iterator[str]:
        calls.append(("enter", step))
        yield f"progress of {step}"
        calls.append(("exit", step))

    monkeypatch.setattr(pipeline, "STEP_FUNCTIONS", {name: fake(name) for name in pipeline.STEPS})
    run = PipelineRun(ProjectPaths(Path("unused")), config, CONFIG_DIR)
    outcome = run_pipeline(
        run,
        ["data", "eda"],
        around=around,
        on_start=lambda s: calls.append(("start", s)),
        on_done=lambda s, result, seconds: calls.append(("done", s, result)),
        summary=False,
    )
    assert calls == [
        ("start", "data"),
        ("enter", "data"),
        ("run", "data", "progress of data"),
        ("exit", "data"),
        ("done", "data", "result of data"),
        ("start", "eda"),
        ("enter", "eda"),
        ("run", "eda", "progress of eda"),
        ("exit", "eda"),
        ("done", "eda", "result of eda"),
    ]
    assert outcome.results == {"data": "result of data", "eda": "result of eda"}
    assert list(outcome.seconds) == ["data", "eda", "total"]


def test_data_and_features_steps_write_the_project_layout(tmp_path: Path, config) -> None:
    run = PipelineRun(ProjectPaths(tmp_path), config, CONFIG_DIR, seed=5)
    outcome = run_pipeline(run, ["data", "features"])
    data, panel = outcome.results["data"], outcome.results["features"]
    assert data.source == "synthetic (setting default, seed 5)"
    assert data.ground_truth == run.paths.ground_truth and data.clean_panel == run.paths.clean_panel
    expected = generate_panel(config.data.synthetic.model_copy(update={"seed": 5}), config.data.channel_table()).frame
    pd.testing.assert_frame_equal(pd.read_csv(run.paths.raw_csv), expected, check_dtype=False, rtol=1e-15, atol=0)
    assert run.paths.features.is_file() and panel.sales.shape == (4, 104)


def test_train_needs_the_features_file(tmp_path: Path, config) -> None:
    run = PipelineRun(ProjectPaths(tmp_path), config, CONFIG_DIR)
    with pytest.raises(InputError, match=r"features.parquet' not found; run 'mmm features' first"):
        pipeline.train(run)


def test_a_broken_scenarios_file_stops_the_run_before_any_step(tmp_path: Path, config) -> None:
    """Before, a scenarios file the simulate step could not read stopped 'mmm run' after minutes of training."""
    folder = tmp_path / "cfg"
    folder.mkdir()
    run = PipelineRun(ProjectPaths(tmp_path / "out"), config, folder)
    started: list[str] = []
    (folder / "scenarios.yaml").write_text("scenarios:\n  - name: a\n    spend: {TV: 5, TV: 6}\n")
    with pytest.raises(InputError, match="is given twice"):
        run_pipeline(run, ("data", "simulate"), on_start=started.append)
    assert started == [] and not (tmp_path / "out").exists()


def test_without_a_scenarios_file_the_simulate_step_asks_the_default_scenarios(tmp_path: Path, config) -> None:
    """'mmm run' in an empty folder stopped at once: every setting has a default but config/scenarios.yaml
    had none. Now the step writes scenarios that fit any panel beside its exports and runs them."""
    paths = ProjectPaths(tmp_path / "out")
    write_model(paths.models_dir, build_params(n_weeks=30))
    run = PipelineRun(paths, config, tmp_path / "empty")
    result = pipeline.simulate(run)
    written = run.default_scenarios_path
    assert written.is_file() and written.parent == paths.simulations_dir
    names = list(result.scenarios["scenario"])
    channels = load_simulator_channels(paths)
    assert names[:3] == ["current_mix", "all_plus_10", "all_minus_10"]
    assert names[3:] == [f"{channel}_plus_20" for channel in channels]
    assert "copy this file" in written.read_text().lower()
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "scenarios.yaml").write_text("scenarios:\n  - name: mine\n")
    assert run.scenarios_to_run(channels) == tmp_path / "empty" / "scenarios.yaml"  # a file of one's own wins


def load_simulator_channels(paths: ProjectPaths) -> list[str]:
    from mmm_analytics.response.artifacts import load_model_files

    return list(load_model_files(paths.models_dir)[0].channels)


def test_a_scenario_for_a_brand_the_data_lacks_stops_the_run_before_the_training(tmp_path: Path, config) -> None:
    """Before, the shipped scenarios (BrandA) on a panel of other brands stopped 'mmm run' at the simulate
    step, after the training."""
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "scenarios.yaml").write_text("scenarios:\n  - name: now\n  - name: push\n    brand: BrandQ\n")
    run = PipelineRun(ProjectPaths(tmp_path / "out"), config, folder)
    started: list[str] = []
    with pytest.raises(
        InputError, match=r"scenario 'push', key 'brand': unknown brand 'BrandQ'; the data has .* or all; or remove"
    ):
        run_pipeline(run, ("data", "features", "train", "simulate"), on_start=started.append)
    assert started == ["data"]


def test_a_scenario_names_the_data_s_brands_and_regions_as_the_simulator_reads_them(tmp_path: Path) -> None:
    """Before, 'brand: branda' stopped 'mmm run' before the training, though the simulate step reads it as BrandA."""
    import pandas as pd

    panel = tmp_path / "clean.parquet"
    pd.DataFrame({"Brand": ["BrandA", "Caf\u00e9"], "Geo": ["NORTH", "North"]}).to_parquet(panel)
    scenarios = tmp_path / "scenarios.yaml"
    scenarios.write_text(
        "scenarios:\n  - name: a\n    brand: branda\n  - name: b\n    brand: Cafe\u0301\n    region: NORTH\n"
    )
    pipeline.check_scenario_scopes(scenarios, panel)
    scenarios.write_text("scenarios:\n  - name: c\n    region: north\n")  # NORTH or North?
    with pytest.raises(InputError, match=r"scenario 'c', key 'region': region 'north' matches NORTH, North up to case"):
        pipeline.check_scenario_scopes(scenarios, panel)


def test_a_missing_input_is_named_before_a_missing_scenarios_file(tmp_path: Path, config) -> None:
    """Before, 'mmm run --input nope.csv' in a folder without config/ said the scenarios file was missing."""
    run = PipelineRun(ProjectPaths(tmp_path / "out"), config, tmp_path / "no_config", source=str(tmp_path / "nope.csv"))
    with pytest.raises(InputError, match=r"nope\.csv' not found; pass the path of a CSV in the panel schema"):
        run_pipeline(run, ("data", "simulate"))


def test_optimize_step_writes_the_allocation(tmp_path: Path, config) -> None:
    paths = ProjectPaths(tmp_path)
    write_model(paths.models_dir, build_params(n_weeks=30))
    result = pipeline.optimize(PipelineRun(paths, config, CONFIG_DIR))
    written = json.loads((paths.simulations_dir / "optimal_allocation.json").read_text())
    assert tuple(written) == JSON_KEYS
    assert written["allocation"] == pytest.approx(result.allocation, rel=1e-12)
    assert (result.brand, result.region) == ("all", "all")


def test_the_optimize_step_writes_the_optimum_the_simulate_step_solved(
    tmp_path: Path, config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, a run solved the national optimum of today's budget twice, in simulate and again in optimize
    (4 minutes more on a panel of 100 series)."""
    from mmm_analytics.simulator import MarketingSimulator

    paths = ProjectPaths(tmp_path)
    write_model(paths.models_dir, build_params(n_weeks=30))
    asked: list[tuple[str, str, object]] = []
    solve = MarketingSimulator.optimize_budget

    def counted(self, budget, constraints=None, brand="all", region="all", **kwargs):  # type: ignore[no-untyped-def]
        asked.append((brand, region, budget))
        return solve(self, budget, constraints, brand, region, **kwargs)

    monkeypatch.setattr(MarketingSimulator, "optimize_budget", counted)
    run = PipelineRun(paths, config, tmp_path / "no_config")  # the default scenarios, of the model's channels
    outcome = run_pipeline(run, ["simulate", "optimize"], summary=False)
    assert asked.count(("all", "all", None)) == 1  # today's budget (the frontier asks others)
    written = json.loads((paths.simulations_dir / "optimal_allocation.json").read_text())
    assert written == json.loads(json.dumps(outcome.results["simulate"].optimum.to_json_dict()))
    assert outcome.results["optimize"] is outcome.results["simulate"].optimum


def _write_reports(paths: ProjectPaths) -> None:
    paths.reports_dir.mkdir(parents=True)
    paths.simulations_dir.mkdir(parents=True)
    (paths.reports_dir / "model_metrics.json").write_text(json.dumps({"holdout": {"overall": {"wmape": 0.0412}}}))
    pd.DataFrame(
        {
            "channel": ["TV", "Radio"],
            "roi": [1.5, 2.25],
            "roi_lower": [1.0, 1.5],
            "roi_upper": [2.0, 3.0],
            "spend": [100.0, 40.0],
            "contribution": [150.0, 90.0],
            "mroi_lower": [0.5, 0.8],
            "mroi_upper": [1.5, 2.0],
        }
    ).to_csv(paths.reports_dir / "channel_roi.csv", index=False)
    plan = {"TV": 100.0, "Radio": 40.0}
    (paths.simulations_dir / "optimal_allocation.json").write_text(
        json.dumps(
            {
                "weekly_budget": 140.0,
                "today_weekly_spend": 140.0,
                "expected_incremental_sales": 110.0,
                "current_incremental_sales": 100.0,
                "allocation": plan,
                "current_allocation": plan,
            }
        )
    )


def test_key_numbers_come_from_the_files_of_earlier_runs(tmp_path: Path) -> None:
    paths = ProjectPaths(tmp_path)
    assert key_numbers(load_inputs(paths)) == []
    _write_reports(paths)
    assert key_numbers(load_inputs(paths)) == [
        ("holdout wMAPE", "4.12%"),
        ("highest ROI", "Radio: 2.25 [1.50, 3.00]; not told apart from TV (intervals overlap)"),
        ("optimiser uplift (same budget)", "+10.0% of the weekly sales media brings"),
    ]


def test_key_numbers_prefer_this_runs_results(tmp_path: Path) -> None:
    paths = ProjectPaths(tmp_path)
    _write_reports(paths)
    national = pd.DataFrame({"brand": ["all"], "region": ["all"], "channel": ["TV"], "spend": [1.0], "response": [2.0]})
    curves = SimpleNamespace(
        channel_roi=pd.DataFrame({"channel": ["TV"], "roi": [3.0], "roi_lower": [2.0], "roi_upper": [4.0]}),
        curves=SimpleNamespace(to_frame=lambda: national),
    )
    optimum = SimpleNamespace(
        to_json_dict=lambda: {
            "expected_incremental_sales": 120.0,
            "current_incremental_sales": 100.0,
            "weekly_budget": 50.0,
            "today_weekly_spend": 50.0,
        }
    )
    numbers = dict(key_numbers(load_inputs(paths, {"curves": curves, "optimize": optimum})))
    assert numbers["highest ROI"] == "TV: 3.00 [2.00, 4.00]"
    assert numbers["optimiser uplift (same budget)"] == "+20.0% of the weekly sales media brings"


def test_key_numbers_of_a_model_without_holdout_weeks(tmp_path: Path) -> None:
    """Before: a KeyError ended every 'mmm run' in a folder trained with holdout_weeks: 0."""
    paths = ProjectPaths(tmp_path)
    paths.reports_dir.mkdir(parents=True)
    (paths.reports_dir / "model_metrics.json").write_text(json.dumps({"train": {"overall": {"wmape": 0.04}}}))
    assert key_numbers(load_inputs(paths)) == [("holdout wMAPE", "n/a (no holdout weeks)")]


def test_key_numbers_without_today_s_media_sales_read_n_a(tmp_path: Path) -> None:
    """Before: a ZeroDivisionError ended 'mmm run' after every step had run."""
    paths = ProjectPaths(tmp_path)
    optimum = SimpleNamespace(
        to_json_dict=lambda: {"expected_incremental_sales": 0.0, "current_incremental_sales": 0.0}
    )
    numbers = dict(key_numbers(load_inputs(paths, {"optimize": optimum})))
    assert numbers["optimiser uplift (over today's mix scaled to the budget)"] == "n/a of the weekly sales media brings"


@pytest.mark.parametrize(
    ("budget", "label"),
    [
        (210.0, "optimiser uplift (budget 50% above today's, over today's mix scaled to it)"),
        (70.0, "optimiser uplift (budget 50% below today's, over today's mix scaled to it)"),
        (140.56, "optimiser uplift (budget 0.4% above today's, over today's mix scaled to it)"),
        (140.0, "optimiser uplift (same budget)"),
    ],
)
def test_key_numbers_name_a_budget_other_than_today_s(tmp_path: Path, budget: float, label: str) -> None:
    """Before, the closing table said "same budget" after ``mmm optimize --budget 150%`` too."""
    plan = {
        "expected_incremental_sales": 130.0,
        "current_incremental_sales": 100.0,
        "weekly_budget": budget,
        "today_weekly_spend": 140.0,
    }
    optimum = SimpleNamespace(to_json_dict=lambda: plan)
    numbers = dict(key_numbers(load_inputs(ProjectPaths(tmp_path), {"optimize": optimum})))
    assert numbers == {label: "+30.0% of the weekly sales media brings"}


def test_key_numbers_name_the_brand_and_region_an_advice_covers(tmp_path: Path) -> None:
    """Before, the advice of ``mmm simulate --brand BrandC --region NORTHWEST`` stood in the closing table
    as if it were the whole market's."""
    plan = {
        "brand": "BrandC",
        "region": "NORTHWEST",
        "expected_incremental_sales": 106.5,
        "current_incremental_sales": 100.0,
        "weekly_budget": 7.0,
        "today_weekly_spend": 7.0,
    }
    optimum = SimpleNamespace(to_json_dict=lambda: plan)
    numbers = dict(key_numbers(load_inputs(ProjectPaths(tmp_path), {"optimize": optimum})))
    assert numbers == {
        "optimiser uplift (BrandC in NORTHWEST only; same budget)": "+6.5% of the weekly sales media brings"
    }
    national = dict(plan, brand="all", region="all")
    optimum = SimpleNamespace(to_json_dict=lambda: national)
    assert dict(key_numbers(load_inputs(ProjectPaths(tmp_path), {"optimize": optimum}))) == {
        "optimiser uplift (same budget)": "+6.5% of the weekly sales media brings"
    }


LONG_NAME = "n" * 4000


@pytest.mark.parametrize(
    ("make", "folder", "fragment"),
    [
        pytest.param(
            lambda root: root / "afile" / "out", True, "'afile' is a file, so nothing", id="folder-under-file"
        ),
        pytest.param(
            lambda root: root / "afile" / "x.json", False, "'afile' is a file, so nothing", id="file-under-file"
        ),
        pytest.param(lambda root: root / "afile", True, "is a file, not a folder", id="file-as-folder"),
        pytest.param(lambda root: root / "adir", False, "is a folder; give the path of a file", id="folder-as-file"),
        pytest.param(lambda root: Path("/dev/null"), True, "'/dev/null' is not a folder", id="dev-null-as-folder"),
        pytest.param(lambda root: Path("/dev/null/x.json"), False, "'/dev/null' is not a folder", id="under-dev-null"),
        pytest.param(lambda root: root / LONG_NAME, True, "is 4,000 bytes long (at most 255)", id="long-name"),
        pytest.param(lambda root: root.joinpath(*["d" * 200] * 25), True, "the path is too long", id="long-path"),
    ],
)
def test_check_output_names_the_option_and_the_problem(tmp_path: Path, make, folder: bool, fragment: str) -> None:
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    with pytest.raises(InputError, match="^--out ") as caught:
        pipeline.check_output(make(tmp_path), "--out", folder=folder)
    assert fragment.replace("'afile'", f"'{tmp_path / 'afile'}'") in str(caught.value)
    assert len(str(caught.value)) < 400  # long paths are shortened
    assert sorted(tmp_path.iterdir()) == [tmp_path / "adir", tmp_path / "afile"]  # nothing is created


@pytest.mark.parametrize("device", ["fifo", "/dev/null"])
def test_check_output_refuses_to_replace_a_device_or_pipe(tmp_path: Path, device: str) -> None:
    """Before, '--output /dev/null' (or a pipe) passed and the write replaced the device with a plain file."""
    path = tmp_path / "fifo" if device == "fifo" else Path(device)
    if device == "fifo":
        os.mkfifo(path)
    with pytest.raises(
        InputError, match=r"is not a regular file \(a device, pipe or socket\); give the path of a file"
    ):
        pipeline.check_output(path, "--output", folder=False)
    assert not path.is_file()


def test_check_output_refuses_a_read_only_file(tmp_path: Path) -> None:
    """Before, a file made read-only (chmod 444) to keep it was replaced all the same (the write renames over it)."""
    kept = tmp_path / "alloc.json"
    kept.write_text("{}")
    kept.chmod(0o444)
    with pytest.raises(
        InputError,
        match=r"^--output '.*alloc\.json' is read-only; make it writable \(chmod u\+w\) or choose another --output$",
    ):
        pipeline.check_output(kept, "--output", folder=False)
    kept.chmod(0o644)
    assert pipeline.check_output(kept, "--output", folder=False) == kept


@pytest.mark.parametrize("folder", [True, False])
def test_check_output_refuses_a_dash(folder: bool) -> None:
    """Before, '--output -' wrote a file named '-' in the current folder."""
    with pytest.raises(InputError, match=r"^--output '-': this command writes files, not standard output; give "):
        pipeline.check_output(Path("-"), "--output", folder=folder)


@pytest.mark.parametrize(
    ("name", "suffix", "fragment"),
    [
        ("plan.csv", ".json", "ends in .csv, but this writes JSON; give a path ending in .json"),
        ("report.pdf", ".html", "ends in .pdf, but this writes HTML; give a path ending in .html"),
        ("f.JSON", ".parquet", "ends in .JSON, but this writes Parquet; give a path ending in .parquet"),
    ],
)
def test_check_output_refuses_a_file_named_as_another_kind(
    tmp_path: Path, name: str, suffix: str, fragment: str
) -> None:
    """Before, 'mmm optimize --output plan.csv' wrote JSON into a file named .csv, without a word."""
    with pytest.raises(InputError, match=f"^--output '.*{re.escape(name)}' {re.escape(fragment)}$"):
        pipeline.check_output(tmp_path / name, "--output", folder=False, suffix=suffix)
    for fine in ("plan.json", "plan", "plan.out"):  # its own kind, or a name that is no known kind
        assert pipeline.check_output(tmp_path / fine, "--output", folder=False, suffix=".json") == tmp_path / fine
    assert pipeline.check_output(tmp_path / "r.htm", "--report", folder=False, suffix=".html") == tmp_path / "r.htm"


def test_check_output_accepts_new_and_existing_paths(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    assert pipeline.check_output(tmp_path / "adir", "--out", folder=True) == tmp_path / "adir"
    assert pipeline.check_output(tmp_path / "new" / "deeper", "--out", folder=True) == tmp_path / "new" / "deeper"
    assert pipeline.check_output(tmp_path / "new" / "a.json", "--out", folder=False) == tmp_path / "new" / "a.json"
    assert not (tmp_path / "new").exists()  # nothing is created


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a /proc file system")
@pytest.mark.parametrize("folder", [True, False])
def test_check_output_refuses_a_folder_that_takes_no_new_file(folder: bool) -> None:
    """Before, 'mmm train --reports /proc/x' passed the check as root (the permission bits allow it) and failed
    only after fitting."""
    with pytest.raises(
        InputError,
        match=r"--reports '/proc/x': (creating a file in '/proc' fails \(.+\)|no permission to write in '/proc')",
    ):
        pipeline.check_output(Path("/proc/x"), "--reports", folder=folder)


def test_the_write_check_leaves_nothing_behind(tmp_path: Path) -> None:
    assert pipeline.check_output(tmp_path / "new" / "a.json", "--out", folder=False) == tmp_path / "new" / "a.json"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("folder", [True, False])
def test_check_output_names_a_loop_of_links(tmp_path: Path, folder: bool) -> None:
    """Before, 'ln -s loop1 loop2; ln -s loop2 loop1' was "a link to 'loop2', which does not exist" of a loop2 that does."""
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    target = tmp_path / "loop1" / "a.json" if not folder else tmp_path / "loop1"
    with pytest.raises(InputError, match="a link in a loop of links that never reaches a file; remove the loop"):
        pipeline.check_output(target, "--output", folder=folder)


@pytest.mark.parametrize("folder", [True, False])
def test_check_output_names_a_dangling_link(tmp_path: Path, folder: bool) -> None:
    """Before, a link to nothing was reported as 'file exists' (the error of the write through it)."""
    (tmp_path / "out").symlink_to(tmp_path / "gone")
    target = tmp_path / "out" / "x.json" if not folder else tmp_path / "out"
    where = "'" + str(tmp_path / "out") + "' is" if not folder else "it is"
    with pytest.raises(InputError, match=f"{where} a link to '{tmp_path / 'gone'}', which does not exist"):
        pipeline.check_output(target, "--out", folder=folder)


def test_check_output_refuses_to_write_over_what_the_command_reads(tmp_path: Path) -> None:
    """Before, 'mmm optimize --output outputs/models/metadata.json', 'mmm features --output' its own input
    and 'mmm simulate --report config/scenarios.yaml' wrote over the file, exit 0; the next run failed."""
    model = tmp_path / "models"
    model.mkdir()
    (model / "metadata.json").write_text("{}")
    (tmp_path / "clean.parquet").write_bytes(b"PAR1")
    (tmp_path / "scenarios.yaml").write_text("scenarios: []")
    cases = [
        (model / "metadata.json", ".json", (model,), f"is in '{model}', which this command reads"),
        (model / "plan.json", ".json", (model,), f"is in '{model}', which"),  # new, but among the model files
        (tmp_path / "clean.parquet", ".parquet", (tmp_path / "clean.parquet",), "is the file this command reads"),
        (tmp_path / "scenarios.yaml", ".html", (), "is a .yaml file that exists, and this writes .html"),
    ]
    for target, suffix, reads, fragment in cases:
        with pytest.raises(InputError, match=f"^--out '.*' {re.escape(fragment)}"):
            pipeline.check_output(target, "--out", folder=False, suffix=suffix, reads=reads)


@pytest.mark.parametrize("name", ["report.html", "report.htm", "plan", "notes.txt", "models/figure.html"])
def test_check_output_lets_a_command_write_again_over_its_own_output(tmp_path: Path, name: str) -> None:
    """A second run over the first one's file, whatever its name, and a report beside the model files."""
    model = tmp_path / "models"
    model.mkdir()
    (tmp_path / name).write_text("earlier output")
    assert pipeline.check_output(tmp_path / name, "--out", folder=False, suffix=".html", reads=(model,))


def test_require_file_tells_a_folder_and_a_device_from_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"'{tmp_path}' is a folder, not the file; run 'mmm data' first"):
        pipeline.require_file(tmp_path, "mmm data")
    with pytest.raises(InputError, match="'/dev/null' is not a regular file"):
        pipeline.require_file(Path("/dev/null"), "mmm data")
    with pytest.raises(InputError, match="not found; run 'mmm data' first"):
        pipeline.require_file(tmp_path / "nope.parquet", "mmm data")


def test_require_file_names_a_file_it_cannot_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, an unreadable step output passed the check and failed later in the reader; opening it fails here
    as it does for a user (even for root, whom permissions do not stop)."""
    locked = tmp_path / "clean_panel.parquet"
    locked.write_bytes(b"PAR1")
    real_open = open

    def guarded(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, str | os.PathLike) and Path(file) == locked:
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", guarded)
    with pytest.raises(InputError, match=r"clean_panel\.parquet' cannot be read \(permission denied\); make it"):
        pipeline.require_file(locked, "mmm data")


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        pytest.param("owner/name", "owner/name", id="handle"),
        pytest.param(" owner/my.data-set_2 ", "owner/my.data-set_2", id="spaces"),
        pytest.param("owner/name/versions/3", "owner/name/versions/3", id="version"),
        pytest.param("https://www.kaggle.com/datasets/owner/name", "owner/name", id="address"),
        pytest.param("https://kaggle.com/datasets/owner/name/", "owner/name", id="address-slash"),
    ],
)
def test_kaggle_dataset_reads_handles_and_addresses(text: str, handle: str) -> None:
    assert pipeline.kaggle_dataset(text) == handle


@pytest.mark.parametrize("text", ["name", "a/b/c", "/name", "https://example.com/owner/name", ""])
def test_kaggle_dataset_refuses_other_text(text: str) -> None:
    with pytest.raises(InputError, match="give a Kaggle dataset as OWNER/NAME"):
        pipeline.kaggle_dataset(text)


def test_choose_source_and_with_dataset(config) -> None:
    assert pipeline.choose_source(None, None) == "synthetic"
    assert pipeline.choose_source("my.csv", None) == "my.csv"
    assert pipeline.choose_source(None, "a/b") == "kaggle"
    assert pipeline.choose_source("Kaggle", "a/b") == "kaggle"
    with pytest.raises(InputError, match="--dataset names a Kaggle dataset, but --source is 'my.csv'"):
        pipeline.choose_source("my.csv", "a/b")
    with pytest.raises(InputError, match="--dataset names a Kaggle dataset, but --input is 'my.csv'"):
        pipeline.choose_source(None, "a/b", input="my.csv")  # before, '--source is', an option not given
    for empty in ("", "  "):  # before, '' silently meant the synthetic panel, written over the project's data
        with pytest.raises(InputError, match="--source is empty; give synthetic, kaggle or the path of a CSV"):
            pipeline.choose_source(empty, None)
    assert pipeline.with_dataset(config, None) is config
    changed = pipeline.with_dataset(config, "https://www.kaggle.com/datasets/a/b")
    assert changed.data.kaggle.dataset == "a/b" and changed.data.channels == config.data.channels


def test_written_files_come_from_the_results_only(tmp_path: Path, config) -> None:
    paths = ProjectPaths(tmp_path)
    outcome = run_pipeline(PipelineRun(paths, config, CONFIG_DIR, seed=5), ["data", "features"])
    (paths.processed_dir / "left_by_someone.csv").write_text("x\n")
    data = pipeline.written_files("data", outcome.results["data"], paths)
    features = pipeline.written_files("features", outcome.results["features"], paths)
    assert {p.name for p in data} == {
        "mmm_data.csv",
        "ground_truth.json",
        "data_dictionary.json",
        "clean_panel.parquet",
        "cleaning_report.json",
        "outliers.csv",
    }
    assert features == [paths.features, paths.processed_dir / "features_meta.json"]
    assert all(p.is_file() for p in [*data, *features])


def test_scenarios_sit_beside_a_config_file(tmp_path: Path, config) -> None:
    run = PipelineRun(ProjectPaths(tmp_path), config, CONFIG_DIR / "model_config.yaml")
    assert run.scenarios == CONFIG_DIR / "scenarios.yaml"
    assert PipelineRun(ProjectPaths(tmp_path), config, CONFIG_DIR).scenarios == CONFIG_DIR / "scenarios.yaml"


@pytest.mark.parametrize("kind", ["folder", "pipe"])
def test_files_a_command_writes_at_its_end_are_checked_before_any_work(tmp_path: Path, kind: str) -> None:
    """Before, a folder at outputs/reports/summary.html (or at benchmark.md) stopped 'mmm run' (or 'mmm benchmark')
    only after every step (or every fit) had run."""
    target = tmp_path / "summary.html"
    pipeline.checks.check_files_to_write([target, tmp_path / "absent.md"])  # neither there yet: fine
    if kind == "folder":
        target.mkdir()
    else:
        os.mkfifo(target)
    what = "a folder" if kind == "folder" else r"not a regular file \(a device, pipe or socket\)"
    with pytest.raises(InputError, match=rf"summary\.html' is {what}, where this command writes its file; remove"):
        pipeline.checks.check_files_to_write([target])
