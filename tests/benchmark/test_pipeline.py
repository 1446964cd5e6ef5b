"""The benchmark's two fits per world: ours with the config, the floor with the truth's forms.

``fit_and_summarise`` is replaced by a stand-in that records the config it receives and returns
a plain response (no training), so these tests check the wiring, not the model.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

from mmm_analytics.benchmark import pipeline, recovery
from mmm_analytics.benchmark.floor import floor_config, true_forms
from mmm_analytics.benchmark.lift_design import LiftDesign
from mmm_analytics.compute import Backend
from mmm_analytics.config import ProjectConfig, load_config
from mmm_analytics.config.data import SyntheticSetting
from mmm_analytics.config.model import ModelConfig, Priors
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.response import carryover
from mmm_analytics.response.artifacts import ResponseParams
from mmm_analytics.response.saturation import SaturationScaling
from mmm_analytics.synthetic import world

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
DRAWS = 20


@pytest.fixture(scope="module")
def config() -> ProjectConfig:
    """The shipped config on a tiny world: 2 geos x 2 brands x 1 SKU x 60 weeks."""
    shipped = load_config(CONFIG_DIR)
    synthetic = shipped.data.synthetic.model_copy(update={"n_geos": 2, "n_brands": 2, "n_skus": 1, "n_weeks": 60})
    return dataclasses.replace(shipped, data=shipped.data.model_copy(update={"synthetic": synthetic}))


def _plain_params(panel: FeaturePanel, model: ModelConfig) -> ResponseParams:
    """A valid response of the config's saturation family (geometric carryover, modest coefficients)."""
    s, c = len(panel.brand), len(panel.channels)
    weights = carryover.geometric_weights(np.full(c, 0.4), model.max_lag)
    coefficient = 0.05 * panel.sales.mean(axis=1)[:, None] * np.ones((s, c))
    jitter = np.exp(np.random.default_rng(0).normal(0.0, 0.05, (DRAWS, s, c)))
    return ResponseParams(
        channels=tuple(panel.channels),
        series_brand=tuple(panel.brand),
        series_region=tuple(panel.geo),
        saturation=model.saturation_family().value,
        cpm=np.asarray(panel.cpm, dtype=np.float64),
        exposure_scale=panel.scalers.exposure_scale,
        exposure=panel.exposure,
        dates=tuple(d.date().isoformat() for d in panel.dates),
        lag_weights=weights,
        half_saturation=np.ones((s, c)),
        slope=np.full(c, 1.5),
        coefficient=coefficient,
        lag_weights_draws=np.broadcast_to(weights, (DRAWS, *weights.shape)).copy(),
        half_saturation_draws=np.ones((DRAWS, s, c)),
        slope_draws=np.full((DRAWS, c), 1.5),
        coefficient_draws=coefficient * jitter,
        predicted_sales=panel.sales,
        baseline_sales=0.8 * panel.sales,
    )


@pytest.fixture()
def received(monkeypatch: pytest.MonkeyPatch) -> list[ModelConfig]:
    """Replace the fit; the model configs it was called with, in call order."""
    calls: list[ModelConfig] = []

    def fake_fit(panel: FeaturePanel, config: ProjectConfig, *args: object, **kwargs: object) -> tuple:
        calls.append(config.model)
        model = SimpleNamespace(
            carryover=config.model.carryover_family().value,
            saturation=config.model.saturation_family().value,
            saturation_scaling=SaturationScaling(config.model.saturation_scaling).value,
        )
        return model, _plain_params(panel, config.model), np.full(len(panel.brand), 0.05), {}

    monkeypatch.setattr(recovery, "fit_and_summarise", fake_fit)
    return calls


@pytest.fixture()
def no_regret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the optimiser (tested on its own) where only the fits' configs matter."""
    figures = dict.fromkeys(pipeline.REGRET_FIGURES, 0.0) | {"cells_worse_than_current": 0, "cells": 4}
    monkeypatch.setattr(
        pipeline, "_regret", lambda run, config, with_timings, kinds=None: pipeline.Scored(figures, {}, pd.DataFrame())
    )


@pytest.mark.parametrize(
    "setting, forms",
    [
        (SyntheticSetting.DEFAULT, ("beta_gamma", "hill", "relative")),
        (SyntheticSetting.DELAYED, ("weibull", "hill", "relative")),
        (SyntheticSetting.LOGISTIC, ("beta_gamma", "logistic", "relative")),
        (SyntheticSetting.ABSOLUTE, ("beta_gamma", "hill", "absolute")),
        (SyntheticSetting.MISSPECIFIED, ("weibull", "sigmoid", "relative")),
    ],
    ids=["default", "delayed", "logistic", "absolute", "misspecified"],
)
def test_floor_is_fitted_with_the_truths_forms(
    setting: SyntheticSetting, forms: tuple[str, str, str], config: ProjectConfig, received, no_regret
) -> None:
    result = pipeline.benchmark_world(setting, 3, config)
    row, channels = result.row, result.channels
    ours, floor = received
    assert ours == config.model  # ours: the config as given (forms chosen from the data when auto)
    assert (floor.carryover, floor.saturation, floor.saturation_scaling) == forms
    assert floor.is_pinned
    assert (
        floor.model_copy(
            update={k: getattr(ours, k) for k in ("carryover", "saturation", "saturation_scaling", "ceiling_scaling")}
        )
        == ours
    )
    assert not floor.ceiling_scaling  # the synthetic truth's ceiling does not grow with a series' spend
    assert row["true_forms"] == "{}+{}/{}".format(*forms)
    assert row["floor_forms"].startswith(f"{forms[0]}+{forms[1]}/{forms[2]}")
    assert {"floor_contribution_error", "floor_coverage", "floor_regret", "contribution_error"} <= set(row)
    assert sorted(channels["fit"].unique()) == ["floor", "ours"] and len(channels) == 2 * 6
    assert not any(key.startswith("lift_") for key in row) and result.lift_tests.empty


def test_floor_reuses_our_fit_when_the_config_pins_the_truth(config: ProjectConfig, received, no_regret) -> None:
    pinned = dataclasses.replace(
        config,
        model=config.model.pinned("beta_gamma", "hill").model_copy(
            update={"saturation_scaling": SaturationScaling.RELATIVE, "ceiling_scaling": False}
        ),
    )
    result = pipeline.benchmark_world(SyntheticSetting.DEFAULT, 3, pinned)
    row, channels = result.row, result.channels
    assert len(received) == 1
    assert row["floor_contribution_error"] == row["contribution_error"]
    pd.testing.assert_frame_equal(
        channels[channels.fit == "ours"].drop(columns="fit").reset_index(drop=True),
        channels[channels.fit == "floor"].drop(columns="fit").reset_index(drop=True),
    )


def test_true_forms_and_floor_config_read_the_truth(config: ProjectConfig) -> None:
    _, truth = recovery.world_panel(SyntheticSetting.ABSOLUTE, 2, config)
    forms = true_forms(truth)
    assert forms.label() == "beta_gamma+hill/absolute"
    model = floor_config(config, truth).model
    assert (model.carryover, model.saturation, model.saturation_scaling) == ("beta_gamma", "hill", "absolute")
    # The synthetic truth has one ceiling per brand and region whatever a series spends: the power 0.
    assert config.model.ceiling_scaling and not model.ceiling_scaling
    assert model.priors == config.model.priors and model.epochs == config.model.epochs


def test_the_floor_of_the_cell_roi_world_has_brand_x_region_offsets_of_the_truth_s_spread(
    config: ProjectConfig,
) -> None:
    _, truth = recovery.world_panel(SyntheticSetting.CELL_ROI, 2, config)
    assert truth.data["cell_roi_spread"] == world.CELL_ROI_SPREAD
    unpooled = dataclasses.replace(config, model=config.model.model_copy(update={"priors": _cell_sd(config, 0.0)}))
    for ours in (config, unpooled):  # the truth's spread whatever ours is
        assert floor_config(ours, truth).model.priors.shrinkage.cell_sd == world.CELL_ROI_SPREAD
    _, plain = recovery.world_panel(SyntheticSetting.DEFAULT, 2, config)
    assert "cell_roi_spread" not in plain.data
    assert floor_config(unpooled, plain).model.priors == unpooled.model.priors  # other worlds: ours


def _cell_sd(config: ProjectConfig, sd: float) -> Priors:
    priors = config.model.priors
    return priors.model_copy(update={"shrinkage": priors.shrinkage.model_copy(update={"cell_sd": sd})})


def test_run_benchmark_writes_ours_and_floor_side_by_side(tmp_path: Path, config: ProjectConfig, received) -> None:
    seen: list[dict] = []
    result = pipeline.run_benchmark(
        [SyntheticSetting.ABSOLUTE], [1], config, tmp_path, on_run=seen.append, with_timings=False
    )
    assert [f.name for f in result.files] == [
        "benchmark.csv",
        "benchmark_runs.csv",
        "benchmark_channels.csv",
        "benchmark_cells.csv",
        "benchmark.md",
    ]
    written = pd.read_csv(tmp_path / "benchmark.csv")
    columns = list(written.columns)
    for figure in ("contribution_error", "coverage", "regret", "max_regret", "cells_worse_than_current"):
        assert columns.index(f"floor_{figure}") == columns.index(figure) + 1, figure
    assert columns.index("contribution_error_ratio") == columns.index("floor_contribution_error") + 1
    assert written.loc[0, "cells"] == 4 and 0.0 <= written.loc[0, "floor_regret"] <= 1.0
    assert written.loc[0, "true_forms"] == "beta_gamma+hill/absolute"
    assert len(seen) == 1 and seen[0]["setting"] == "absolute"
    assert "## Ours beside the true-form floor" in result.markdown
    # Every fit's advice per brand x region and kind of advice, as scored in the summary.
    cells = pd.read_csv(tmp_path / "benchmark_cells.csv")
    assert list(cells.columns) == pipeline.CELL_COLUMNS and len(cells) == 2 * 2 * 4  # fits x advice x cells
    assert set(cells["fit"]) == {"ours", "floor"} and set(cells["advice"]) == {"model", "shipped"}
    ours = cells[(cells["fit"] == "ours") & (cells["advice"] == "model")]
    assert ours["regret"].mean() == pytest.approx(written.loc[0, "regret"], rel=1e-9)
    shipped_worse = cells[(cells["fit"] == "floor") & (cells["advice"] == "shipped") & (cells["true_uplift"] < 0)]
    assert len(shipped_worse) == written.loc[0, "floor_bounded_cells_worse_than_current"]
    moved = ours[~ours["kept_current"]]
    inside = (moved["true_uplift"] >= moved["uplift_lower"]) & (moved["true_uplift"] <= moved["uplift_upper"])
    assert written.loc[0, "uplift_coverage"] == pytest.approx(inside.mean())


def test_nonfinite_draws_counts_each_broken_draw_once(config: ProjectConfig) -> None:
    panel, _ = recovery.world_panel(SyntheticSetting.DEFAULT, 2, config)
    params = _plain_params(panel, config.model)
    assert recovery.nonfinite_draws(params) == 0.0
    params.coefficient_draws[3, 0, 0] = np.nan
    params.half_saturation_draws[3, 1, 2] = np.inf
    params.slope_draws[7, 0] = np.nan
    assert recovery.nonfinite_draws(params) == pytest.approx(2 / DRAWS)


def test_a_response_that_is_not_finite_gets_no_regret(config: ProjectConfig, received) -> None:
    panel, truth = recovery.world_panel(SyntheticSetting.DEFAULT, 2, config)
    ridge = recovery.ridge_baseline(panel, truth, config)
    run = recovery.fit_one(panel, truth, config, ridge)
    run.params.coefficient_draws[:] = np.nan  # a broken posterior: the response is NaN
    run.params.coefficient[:] = np.nan
    scored = pipeline._regret(run, config, with_timings=False)
    figures = scored.figures
    assert np.isnan(figures["regret"]) and figures["cells"] == 4 and scored.timings == {}
    assert "not finite" in figures["regret_failure"] and scored.cells.empty


def _tiny_config_dir(tmp_path: Path) -> Path:
    """A copy of the shipped config folder on a tiny world (2 geos x 2 brands x 1 SKU x 60 weeks)."""
    config_dir = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config_dir)
    data_file = config_dir / "data_config.yaml"
    data = yaml.safe_load(data_file.read_text(encoding="utf-8"))
    data["synthetic"] |= {"n_geos": 2, "n_brands": 2, "n_skus": 1, "n_weeks": 60}
    data_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    return config_dir


def test_the_command_prints_ours_beside_the_floor(tmp_path: Path, received, no_regret) -> None:
    from typer.testing import CliRunner

    from mmm_analytics.cli.app import app

    config_dir = _tiny_config_dir(tmp_path)
    result = CliRunner().invoke(
        app,
        [
            "benchmark",
            "--seeds",
            "1",
            "--settings",
            "logistic",
            "--output",
            str(tmp_path / "out"),
            "--config-dir",
            str(config_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "ours / floor" in result.output and "logistic" in result.output
    assert [model.saturation for model in received] == [received[0].saturation, "logistic"]
    assert (tmp_path / "out" / "benchmark.csv").is_file()


def test_the_command_sets_every_worlds_noise(tmp_path: Path, received, no_regret) -> None:
    """``--noise 0.02`` generates each world at 2% weekly noise, and the report says so."""
    from typer.testing import CliRunner

    from mmm_analytics.cli.app import app

    out = tmp_path / "out"
    args = ["benchmark", "--seeds", "1", "--settings", "noise12", "--output", str(out)]
    args += ["--config-dir", str(_tiny_config_dir(tmp_path))]
    result = CliRunner().invoke(app, [*args, "--noise", "0.02"])
    assert result.exit_code == 0, result.output
    runs, summary = pd.read_csv(out / "benchmark_runs.csv"), pd.read_csv(out / "benchmark.csv")
    assert runs["noise_sd"].tolist() == summary["noise_sd"].tolist() == [0.02]
    assert "| weekly noise |" in (out / "benchmark.md").read_text() and "| 2.0% |" in (out / "benchmark.md").read_text()
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out / "benchmark_runs.csv")["noise_sd"].tolist() == [0.12]


def test_the_noise_sets_how_far_sales_stray_from_their_expectation(config: ProjectConfig) -> None:
    """The same world and seed at 0.5% and at 12% weekly noise (sd as a share of mean weekly sales)."""

    def spread(noise: float) -> float:
        synthetic = config.data.synthetic.model_copy(update={"noise_sd": noise})
        generated = recovery.world(
            SyntheticSetting.DEFAULT,
            3,
            dataclasses.replace(config, data=config.data.model_copy(update={"synthetic": synthetic})),
        )[1]
        frame = generated.frame.assign(Date=pd.to_datetime(generated.frame["Date"], format="%m/%d/%Y"))
        weekly = frame.groupby(["Geo", "Brand", "Date"])["Sales_Value"].sum()
        order = pd.MultiIndex.from_product([generated.geos, generated.brands, sorted(frame["Date"].unique())])
        expected = generated.expected_sales
        gap = weekly.reindex(order).to_numpy().reshape(expected.shape) - expected
        return float(gap.std() / expected.mean())

    assert spread(0.005) < 0.008 and 0.09 < spread(0.12) < 0.15  # 0.0048 and 0.115 on this tiny world


@pytest.mark.parametrize("noise", ["-0.1", "0.9", "nan", "abc"])
def test_the_command_refuses_a_noise_out_of_range(tmp_path: Path, noise: str) -> None:
    from typer.testing import CliRunner

    from mmm_analytics.cli.app import app

    result = CliRunner().invoke(app, ["benchmark", "--noise", noise, "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert "--noise" in result.output and "Traceback" not in result.output


def test_the_command_names_an_unknown_world(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mmm_analytics.cli.app import app

    result = CliRunner().invoke(app, ["benchmark", "--settings", "default,wild", "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert "--settings" in result.output


def test_the_commands_choices_take_any_letter_case(tmp_path: Path) -> None:
    """Before, '--backend LOCAL', '--lift-slices MIXED' and '--lift-choice ERROR' were "not one of" the
    choices, while '--settings' took any case; here the run stops at the unknown world, after them."""
    from typer.testing import CliRunner

    from mmm_analytics.cli.app import app

    choices = ["--backend", "LOCAL", "--lift-slices", "MIXED", "--lift-choice", "Uncertain"]
    result = CliRunner().invoke(app, ["benchmark", *choices, "--settings", "wild", "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert "--settings" in result.output and "Invalid value" not in result.output


@pytest.mark.parametrize(
    "family, expected",
    [("beta_gamma", 1.0), ("geometric", 1.0), ("weibull", float("nan"))],
    ids=["beta_gamma", "geometric", "weibull"],
)
def test_half_life_only_for_a_geometric_tail(family: str, expected: float) -> None:
    weights = carryover.beta_gamma_weights(0.6, 0.5, 8)  # retention 0.5: half-life 1 week
    assert recovery._half_life(weights, family) == pytest.approx(expected, nan_ok=True)


def test_run_benchmark_runs_every_world_and_seed_in_order_timing_the_first(
    tmp_path: Path, config: ProjectConfig, received, no_regret
) -> None:
    seen: list[dict] = []
    result = pipeline.run_benchmark(
        [SyntheticSetting.DEFAULT, SyntheticSetting.ABSOLUTE], [2, 1], config, tmp_path, on_run=seen.append
    )
    order = [("default", 2), ("default", 1), ("absolute", 2), ("absolute", 1)]
    assert [(row["setting"], row["seed"]) for row in seen] == order
    assert list(zip(result.runs["setting"], result.runs["seed"], strict=True)) == order
    assert all(model.compute.backend == Backend.LOCAL for model in received)


def test_run_benchmark_fans_out_on_the_configs_backend_and_fits_locally_inside(
    tmp_path: Path, config: ProjectConfig, monkeypatch: pytest.MonkeyPatch, received, no_regret
) -> None:
    """With ``compute.backend: ray`` the (world, seed) jobs go to Ray, each fit inside runs locally
    (no nested fan-out), and only the first job times the simulator."""
    asked: dict = {}

    def fake_run_tasks(fn, items, backend, shared=(), on_result=None):
        asked.update(fn=fn, items=list(items), backend=backend, shared=shared)
        return [fn(*shared, item) for item in asked["items"]]

    monkeypatch.setattr(pipeline, "run_tasks", fake_run_tasks)
    on_ray = dataclasses.replace(config, model=config.model.with_backend(Backend.RAY))
    result = pipeline.run_benchmark([SyntheticSetting.DEFAULT], [1, 2], on_ray, tmp_path)
    assert asked["backend"] == Backend.RAY and asked["fn"] is pipeline._world_job
    assert asked["items"] == [
        (SyntheticSetting.DEFAULT, 1, True, LiftDesign()),
        (SyntheticSetting.DEFAULT, 2, False, LiftDesign()),
    ]
    [inner] = asked["shared"]
    assert inner.model.compute.backend == Backend.LOCAL and inner.model.with_backend(Backend.RAY) == on_ray.model
    assert {model.compute.backend for model in received} == {Backend.LOCAL}
    assert list(result.runs["seed"]) == [1, 2]


def test_the_command_without_ray_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from mmm_analytics.cli.app import app
    from tests.cli.checks import one_error_line

    monkeypatch.setitem(sys.modules, "ray", None)  # ``import ray`` now raises ImportError
    result = CliRunner().invoke(app, ["benchmark", "--seeds", "1", "--backend", "ray", "--output", str(tmp_path)])
    one_error_line(result, "--backend ray", "pip install 'mmm-analytics[ray]'")


def test_run_benchmark_with_lift_tests_writes_them_and_their_figures(
    tmp_path: Path, config: ProjectConfig, received, no_regret
) -> None:
    result = pipeline.run_benchmark(
        [SyntheticSetting.DEFAULT, SyntheticSetting.ABSOLUTE],
        [1],
        config,
        tmp_path,
        with_timings=False,
        lift=LiftDesign(2),
    )
    assert len(received) == 2 * 4  # ours, floor, ours with the tests and the floor with them, per world
    assert received[2::4] == [config.model] * 2  # calibrated with the same config
    assert received[3::4] == received[1::4]  # the floor with the tests: the floor's config
    written = [tmp_path / "lift_tests" / f"{world}_seed_1.csv" for world in ("default", "absolute")]
    assert result.files[-2:] == written
    tests = pd.read_csv(written[0])
    assert len(tests) == 2 and set(tests["channel"]) <= set(result.channels["channel"])
    runs = pd.read_csv(tmp_path / "benchmark_runs.csv")
    assert {"lift_contribution_error", "lift_tested_error_before", "lift_fit_time_ratio"} <= set(runs.columns)
    assert list(runs["lift_tests"]) == [2, 2]
    assert {"lift_tested_error_fall", "lift_coverage"} <= set(pd.read_csv(tmp_path / "benchmark.csv").columns)
    assert (result.channels["fit"] == "lift").sum() == 2 * 6
    assert (result.channels["fit"] == "floor_lift").sum() == 2 * 6
    # The floor's figures with the same tests, against the floor without them, beside ours.
    assert {"floor_lift_contribution_error", "floor_lift_coverage", "floor_lift_regret"} <= set(runs.columns)
    floor_lift = result.channels[result.channels["fit"] == "floor_lift"]
    assert runs.loc[0, "floor_lift_coverage"] == pytest.approx(
        floor_lift[floor_lift["setting"] == "default"]["covered"].mean()
    )
    assert {"floor_lift_coverage", "floor_lift_contribution_error_fall"} <= set(
        pd.read_csv(tmp_path / "benchmark.csv").columns
    )
    # The advice of the fit with the tests is scored like ours: its regret is in the runs and the lift table.
    assert {"lift_regret", "lift_max_regret", "lift_regret_of_sales", "lift_cells_worse_than_current"} <= set(
        runs.columns
    )
    assert "regret mean / max, 0 -> 2 tests" in result.markdown
    assert "cells worse than today, 0 -> 2 tests" in result.markdown
    assert "## With 2 lift tests" in result.markdown
    assert "`--lift-choice error`" in result.markdown and "got most wrong" in result.markdown


def test_the_floor_is_given_the_tests_ours_was_given(
    config: ProjectConfig, monkeypatch: pytest.MonkeyPatch, received, no_regret
) -> None:
    """Before, the floor was fitted without tests only: no figure with tests had the floor's beside it."""
    given: list[object] = []
    fake = recovery.fit_and_summarise

    def recording(panel: FeaturePanel, config: ProjectConfig, *args: object, **kwargs: object) -> tuple:
        given.append(kwargs.get("lift_tests"))
        return fake(panel, config, *args, **kwargs)

    monkeypatch.setattr(recovery, "fit_and_summarise", recording)
    result = pipeline.benchmark_world(SyntheticSetting.DELAYED, 1, config, lift=LiftDesign(2))
    ours, floor, lift, floor_lift = given
    assert ours is None and floor is None and lift is not None and floor_lift is lift
    assert received[3] == received[1] != received[0]  # the floor's forms, not ours
    floor_rows = result.channels[result.channels["fit"] == "floor_lift"]
    assert result.row["floor_lift_coverage"] == pytest.approx(floor_rows["covered"].mean())
    assert result.row["floor_lift_fit_time_ratio"] == pytest.approx(
        result.row["floor_lift_fit_seconds"] / result.row["floor_fit_seconds"]
    )
    assert set(result.channels["fit"]) == {"ours", "floor", "lift", "floor_lift"}
    assert set(result.cells["fit"]) <= {"ours", "floor", "lift", "floor_lift"}


def test_a_config_that_pins_the_truth_fits_the_tests_once(config: ProjectConfig, received, no_regret) -> None:
    pinned = dataclasses.replace(
        config,
        model=config.model.pinned("beta_gamma", "hill").model_copy(
            update={"saturation_scaling": SaturationScaling.RELATIVE, "ceiling_scaling": False}
        ),
    )
    result = pipeline.benchmark_world(SyntheticSetting.DEFAULT, 3, pinned, lift=LiftDesign(2))
    row, channels = result.row, result.channels
    assert len(received) == 2  # ours (the floor too), and ours with the tests (the floor's too)
    assert row["floor_lift_contribution_error"] == row["lift_contribution_error"]
    assert row["floor_lift_regret"] == row["lift_regret"]
    pd.testing.assert_frame_equal(
        channels[channels.fit == "lift"].drop(columns="fit").reset_index(drop=True),
        channels[channels.fit == "floor_lift"].drop(columns="fit").reset_index(drop=True),
    )


def test_a_world_without_a_lift_fit_has_no_lift_regret(config: ProjectConfig) -> None:
    scored = pipeline._lift_regret(None, config)
    figures = scored.figures
    assert scored.cells.empty
    assert set(figures) == {f"lift_{name}" for name in pipeline.LIFT_REGRET_FIGURES}
    assert all(np.isnan(value) for value in figures.values())


def test_the_command_prints_the_fit_with_lift_tests(tmp_path: Path, received, no_regret) -> None:
    from typer.testing import CliRunner

    from mmm_analytics.cli.app import app

    args = ["benchmark", "--seeds", "1", "--settings", "default", "--output", str(tmp_path / "out")]
    result = CliRunner().invoke(app, [*args, "--lift-tests", "2", "--config-dir", str(_tiny_config_dir(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "2 lift tests (" in result.output and "tested channels" in result.output and "(tested " in result.output
    printed = " ".join(result.output.split())  # as read, whatever the terminal's width
    assert "the floor with them: contribution error" in printed
    assert "4 fits (ours, the true-form floor, each with and without lift tests)" in printed
    assert (tmp_path / "out" / "lift_tests" / "default_seed_1.csv").is_file()


@pytest.mark.parametrize(
    "extra, fragments",
    [
        (["--lift-tests", "-1"], ("--lift-tests -1", ">= 1")),
        (["--lift-tests", "100"], ("--lift-tests 100: a world has 6 channels", "give 1 to 6")),
        (["--lift-tests", "2", "--scale", "24"], ("--lift-tests applies to the worlds, not to --scale",)),
        (["--scale", "24", "--seeds", "abc"], ("--seeds applies to the worlds, not to --scale",)),
        (["--scale", "24", "--backend", "ray"], ("--backend applies to the worlds, not to --scale",)),
        (["--seeds", ""], ("--seeds names no seed", "--seeds 1,2,3")),
        (["--settings", " , "], ("--settings names no world",)),
        (["--settings", "bogus"], ("--settings: unknown world 'bogus'", "choose from default", "collinear")),
        (["--scale", ""], ("--scale names no panel size",)),
        (["--seeds", str(2**32)], (f"--seeds {2**32}: a seed must be at most",)),
        (["--seeds", "1,,2"], ("--seeds: '1,,2' has an empty item",)),
        (["--scale", "24,,400"], ("--scale: '24,,400' has an empty item",)),
    ],
    ids=[
        "negative",
        "more-than-channels",  # before, 100 ran as 6 without a word
        "with_scale",
        "seeds-with-scale",  # before, --seeds, --settings and --backend were ignored beside --scale, bad or not
        "backend-with-scale",
        "no-seed",
        "no-setting",
        "unknown-setting",
        "no-size",
        "seed-too-large",
        "empty-seed-item",
        "empty-size-item",
    ],
)
def test_the_command_refuses_a_bad_number_of_lift_tests(
    tmp_path: Path, extra: list[str], fragments: tuple[str, ...]
) -> None:
    from typer.testing import CliRunner

    from mmm_analytics.cli.app import app
    from tests.cli.checks import one_error_line

    seeds = [] if "--scale" in extra else ["--seeds", "1"]
    result = CliRunner().invoke(app, ["benchmark", *seeds, "--output", str(tmp_path), *extra])
    one_error_line(result, *fragments)


def test_a_folder_where_the_report_goes_stops_the_command_before_any_fit(tmp_path: Path) -> None:
    """Before, 'mmm benchmark' fitted every world and seed, then stopped on a folder named benchmark.md."""
    from typer.testing import CliRunner

    from mmm_analytics.cli.app import app
    from tests.cli.checks import one_error_line

    (tmp_path / "benchmark.md").mkdir()
    result = CliRunner().invoke(app, ["benchmark", "--seeds", "1", "--settings", "default", "--output", str(tmp_path)])
    one_error_line(result, "benchmark.md' is a folder, where this command writes its file; remove or rename it")


def test_the_timings_are_taken_before_the_regret_compiles_every_kernel(
    config: ProjectConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first calls were timed after the regret had optimised every cell twice, so they held no compilation."""

    import mmm_analytics.benchmark.regret as regret_module
    import mmm_analytics.benchmark.timing as timing_module
    import mmm_analytics.simulator.engine as engine_module
    from mmm_analytics.simulator.optimizer import NonFiniteResultError

    calls: list[str] = []

    def regret(simulator: object, truth: object, bounded: bool) -> pd.DataFrame:
        calls.append("regret")
        raise NonFiniteResultError("stop here")

    monkeypatch.setattr(engine_module, "MarketingSimulator", lambda *args, **kwargs: SimpleNamespace(segments=[1]))
    monkeypatch.setattr(timing_module, "measure_speed", lambda simulator: calls.append("timings") or {})
    monkeypatch.setattr(regret_module, "regret_per_segment", regret)
    run = SimpleNamespace(params=None, metadata=None, pooled=(), truth=None)
    pipeline._regret(run, config, with_timings=True)  # type: ignore[arg-type]
    assert calls == ["timings", "regret"]
