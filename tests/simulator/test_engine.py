"""Scenario evaluation: reproduces the model's own response, sums segments, validates input and its size."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import numpy as np
import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmm_analytics.config import load_config
from mmm_analytics.config.model import SimulatorSettings
from mmm_analytics.config.viz import NumberFormat
from mmm_analytics.errors import InputError
from mmm_analytics.response.artifacts import ResponseParams
from mmm_analytics.simulator import MarketingSimulator
from mmm_analytics.style import numbers

from ..curves.hand_model import pool_form
from .hand_built import build_params, reference_response, replace_params, write_model


def test_current_spend_is_average_weekly_spend(simulator: MarketingSimulator) -> None:
    expected = simulator.params.spend[0].mean(axis=0)
    got = simulator.current_spend(*simulator.segments[0])
    np.testing.assert_allclose(list(got.values()), expected, rtol=1e-12)


@pytest.mark.parametrize("segment", [0, 1, 2, 3], ids=["A-CENTRAL", "A-EAST", "B-CENTRAL", "B-EAST"])
def test_current_mix_reproduces_model_response(simulator: MarketingSimulator, segment: int) -> None:
    brand, region = simulator.segments[segment]
    result = simulator.simulate_scenario(simulator.current_spend(brand, region), brand, region)
    model = reference_response(simulator.params, simulator.current_matrix)[segment]
    np.testing.assert_allclose(list(result.channel_contributions.values()), model, rtol=1e-6)
    baseline = simulator.params.baseline_sales[segment, -13:].mean()
    assert result.predicted_sales == pytest.approx(baseline + model.sum(), rel=1e-6)
    assert result.roi == pytest.approx(model.sum() / sum(result.spend.values()), rel=1e-6)
    assert result.incremental_lower <= result.incremental_sales <= result.incremental_upper


def test_horizon_at_current_mix_is_weeks_times_weekly(simulator: MarketingSimulator) -> None:
    brand, region = simulator.segments[0]
    result = simulator.simulate_scenario({}, brand, region)
    assert result.horizon_incremental_sales == pytest.approx(13 * result.incremental_sales, rel=1e-9)
    assert result.horizon_predicted_sales == pytest.approx(13 * result.predicted_sales, rel=1e-9)


def test_horizon_builds_up_after_a_switch(simulator: MarketingSimulator) -> None:
    brand, region = simulator.segments[0]
    doubled = {c: 2 * v for c, v in simulator.current_spend(brand, region).items()}
    result = simulator.simulate_scenario(doubled, brand, region)
    current = simulator.simulate_scenario({}, brand, region)
    assert 13 * current.incremental_sales < result.horizon_incremental_sales < 13 * result.incremental_sales


def test_all_sums_segments_split_by_history(simulator: MarketingSimulator) -> None:
    national = simulator.simulate_scenario(simulator.current_spend("all", "all"), "all", "all")
    parts = [simulator.simulate_scenario({}, b, r) for b, r in simulator.segments]
    assert national.incremental_sales == pytest.approx(sum(p.incremental_sales for p in parts), rel=1e-9)
    assert national.predicted_sales == pytest.approx(sum(p.predicted_sales for p in parts), rel=1e-9)
    brand_a = simulator.simulate_scenario({}, "BrandA", "all")
    assert brand_a.incremental_sales == pytest.approx(sum(p.incremental_sales for p in parts[:2]), rel=1e-9)


def test_per_segment_allocation(simulator: MarketingSimulator) -> None:
    (b0, r0), (b1, r1) = simulator.segments[:2]
    result = simulator.simulate_scenario({(b0, r0): {"TV": 0.0}}, "BrandA", "all")
    first = simulator.simulate_scenario({"TV": 0.0}, b0, r0)
    second = simulator.simulate_scenario({}, b1, r1)
    assert result.incremental_sales == pytest.approx(first.incremental_sales + second.incremental_sales, rel=1e-9)


@pytest.mark.parametrize(
    ("allocation", "brand", "message"),
    [
        ({"Cinema": 10.0}, "BrandA", "unknown channel 'Cinema'"),
        ({"TV": -5.0}, "BrandA", "must be a number >= 0"),
        ({"TV": float("nan")}, "BrandA", "must be a number >= 0"),
        ({}, "BrandZ", "unknown brand 'BrandZ'"),
    ],
    ids=["unknown-channel", "negative", "nan", "unknown-brand"],
)
def test_bad_allocation_is_input_error(simulator: MarketingSimulator, allocation, brand, message) -> None:
    with pytest.raises(InputError, match=message):
        simulator.simulate_scenario(allocation, brand, "CENTRAL")


@pytest.mark.parametrize("starts", [0, 65, 10**9], ids=["none", "above-the-bound", "huge"])
def test_starts_outside_the_config_s_range_is_input_error(simulator: MarketingSimulator, starts: int) -> None:
    """simulator.starts is bounded in the config; the same number given to a call was not (10**9 built 10**9 start points)."""
    with pytest.raises(InputError, match=f"starts must be a whole number from 1 to 64; got {starts}"):
        simulator.optimize_budget(None, None, "BrandA", "CENTRAL", starts=starts)


def test_missing_metadata_names_file(tmp_path: Path) -> None:
    folder = write_model(tmp_path / "m", build_params(n_weeks=20))
    (folder / "metadata.json").unlink()
    with pytest.raises(InputError, match="metadata.json"):
        MarketingSimulator.from_model_dir(folder / "mmm_model.keras")


def test_mismatched_channels_rejected(tmp_path: Path) -> None:
    folder = write_model(tmp_path / "m", build_params(n_weeks=20))
    meta = json.loads((folder / "metadata.json").read_text())
    meta["channels"] = ["TV", "Radio", "Print"]
    (folder / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(InputError, match="response_params.npz. has channels .* but .*metadata.json. has"):
        MarketingSimulator.from_model_dir(folder)


# ----- spends must be physical: finite, >= 0, within a multiple of today's weekly spend
@pytest.mark.parametrize(
    "allocation",
    [{"TV": 1e300}, dict.fromkeys(("TV", "YouTube", "Facebook"), 1e300)],
    ids=["one_channel", "every_channel"],
)
def test_an_implausible_spend_names_the_total_and_the_allowed_maximum(
    simulator: MarketingSimulator, allocation
) -> None:
    limit = simulator.max_weekly_spend("BrandA", "EAST")
    with pytest.raises(InputError) as caught:
        simulator.simulate_scenario(allocation, "BrandA", "EAST")
    message = str(caught.value)
    assert message.startswith("total weekly spend of ") and "(largest: TV 1e+300 INR) is too large" in message
    assert (
        f"the allowed maximum is {numbers.grouped(math.floor(limit))} INR (100 x the current weekly spend of brand "
        "BrandA / region EAST" in message
    )
    assert "\n" not in message


def test_the_maximum_is_a_multiple_of_the_selections_current_spend(model_dir: Path) -> None:
    default = MarketingSimulator.from_model_dir(model_dir)
    current = sum(default.current_spend("BrandA", "EAST").values())
    assert default.max_weekly_spend("BrandA", "EAST") == pytest.approx(100.0 * current, rel=1e-12)
    strict = MarketingSimulator(default.params, default.metadata, SimulatorSettings(max_spend_multiple=3.0))
    assert strict.max_weekly_spend() == pytest.approx(3.0 * sum(strict.current_spend().values()), rel=1e-12)
    strict.simulate_scenario({c: 2.9 * v for c, v in strict.current_spend().items()})
    with pytest.raises(InputError, match=r"too large: the allowed maximum is .* \(3 x the current weekly spend"):
        strict.simulate_scenario({c: 3.1 * v for c, v in strict.current_spend().items()})


@pytest.mark.parametrize(
    ("fmt", "shown"), [(NumberFormat.INDIAN, "3,72,603"), (NumberFormat.WESTERN, "372,603")], ids=["indian", "western"]
)
def test_messages_group_amounts_in_the_project_s_number_format(
    model_dir: Path, tmp_path: Path, fmt: NumberFormat, shown: str
) -> None:
    """Before, the simulator's messages read 372,603 INR whatever viz_config.yaml's number_format, while the
    reports beside them read 3,72,603."""
    config = load_config(tmp_path / "none")
    config = dataclasses.replace(config, viz=config.viz.model_copy(update={"number_format": fmt}))
    simulator = MarketingSimulator.from_model_dir(model_dir, config)
    assert simulator.number_format is fmt
    with pytest.raises(InputError, match=rf"the allowed maximum is {shown} INR \(100 x the current weekly spend"):
        simulator.check_budget(1e9, "BrandA", "EAST")
    assert MarketingSimulator.from_model_dir(model_dir).number_format is NumberFormat.INDIAN  # no project config


def test_the_allowed_maximum_shown_is_itself_accepted(model_dir: Path) -> None:
    """Before, a budget just above the maximum read "25,305,551 INR is too large: the allowed maximum is
    25,305,551 INR" (both rounded to the rupee)."""
    default = MarketingSimulator.from_model_dir(model_dir)
    current = sum(default.current_spend().values())
    multiple = (math.floor(3 * current) + 0.7) / current  # a maximum with 0.7 of a rupee: shown rounded up before
    simulator = MarketingSimulator(default.params, default.metadata, SimulatorSettings(max_spend_multiple=multiple))
    largest = simulator.max_weekly_spend()
    rounded_up = float(math.ceil(largest))
    with pytest.raises(InputError, match=r"the allowed maximum is ([\d,]+) INR") as caught:
        simulator.check_budget(rounded_up)
    shown = float(re.search(r"the allowed maximum is ([\d,]+) INR", str(caught.value))[1].replace(",", ""))
    assert shown < rounded_up
    simulator.check_budget(shown)  # accepted


def test_draws_s_shaped_around_their_series_curves_are_not_called_concave(tmp_path: Path) -> None:
    """Slopes of 0.95 with a spread of 0.4 around each series' curve put 4 in 10 draws' Hill slopes above 1; the
    optimiser was told every curve was concave (the raw slopes were read) and stopped after one start."""
    params = build_params(n_brands=2, n_regions=2, n_channels=3, n_draws=40, seed=3)
    flat = replace_params(params, slope=np.full(3, 0.95), slope_draws=np.full_like(params.slope_draws, 0.95))
    spread = replace_params(flat, segment_slope_spread=np.full(params.coefficient.shape, 0.4))
    concave = MarketingSimulator.from_model_dir(write_model(tmp_path / "flat", flat))
    s_shaped = MarketingSimulator.from_model_dir(write_model(tmp_path / "spread", spread))
    assert concave.selection().concave and concave.draw_set("all", "all").is_concave
    assert (np.asarray(s_shaped.draw_set("all", "all").arrays[5]) > 1.0).mean() > 0.3
    assert not s_shaped.selection().concave and not s_shaped.selection("BrandA", "CENTRAL").concave


def test_twice_today_s_budget_summed_in_another_order_is_accepted_at_a_multiple_of_2(tmp_path: Path) -> None:
    """With ``max_spend_multiple: 2`` the frontier's own end, twice today's budget summed by channel, was refused
    against twice today's budget summed at once: "63,974 INR is too large: the allowed maximum is 63,974 INR"."""
    from mmm_analytics.simulator.frontier import efficiency_frontier

    params = build_params(n_brands=2, n_regions=3, n_channels=3, n_draws=4, seed=3)
    simulator = MarketingSimulator.from_model_dir(
        write_model(tmp_path, params), SimulatorSettings(max_spend_multiple=2)
    )
    by_channel = sum(simulator.current_spend().values())
    assert 2.0 * by_channel > simulator.max_weekly_spend()  # the two orders differ in the last digit here
    simulator.check_budget(2.0 * by_channel)
    frontier = efficiency_frontier(simulator, "all", "all", points=3)
    assert frontier["weekly_budget"].iloc[-1] == pytest.approx(2.0 * by_channel, rel=1e-12)
    with pytest.raises(InputError, match="too large"):
        simulator.check_budget(2.0 * by_channel * (1 + 1e-6))


@pytest.mark.parametrize("multiple", [0.0, -1.0, float("inf"), float("nan")])
def test_the_multiple_must_be_finite_and_positive(multiple: float) -> None:
    with pytest.raises(pydantic.ValidationError, match="max_spend_multiple"):
        SimulatorSettings(max_spend_multiple=multiple)


def test_a_non_finite_spend_matrix_names_the_channel(simulator: MarketingSimulator) -> None:
    spend = simulator.current_matrix[simulator.rows("all", "all")].copy()
    spend[1, 2] = np.inf
    with pytest.raises(InputError, match=r"^spend for channel 'Facebook' must be a number >= 0"):
        simulator.simulate_matrix(spend, "all", "all")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(share=st.floats(0.0, 1.0), channel=st.integers(0, 2))
def test_every_accepted_scenario_gives_finite_numbers(
    simulator: MarketingSimulator, share: float, channel: int
) -> None:
    name = simulator.channels[channel]
    current = simulator.current_spend("BrandB", "CENTRAL")
    room = simulator.max_weekly_spend("BrandB", "CENTRAL") - sum(v for c, v in current.items() if c != name)
    result = simulator.simulate_scenario({name: share * room}, "BrandB", "CENTRAL")
    numbers = [v for v in result.to_dict().values() if isinstance(v, float)]
    numbers += [*result.spend.values(), *result.channel_contributions.values()]
    assert np.isfinite(numbers).all() and result.roi >= 0


def test_a_model_fitted_per_market_simulates_each_series_with_its_markets_response(tmp_path) -> None:
    """Brand B fitted apart (half the carryover, other slopes): the merged model answers for each
    brand exactly as that brand's own model does, including the build-up over the horizon."""
    base = build_params()
    brands = np.asarray(base.series_brand)
    rows = [np.flatnonzero(brands == name) for name in ("BrandA", "BrandB")]
    part_a = base.series_subset(rows[0])
    part_b = dataclasses.replace(
        base.series_subset(rows[1]),
        lag_weights=base.lag_weights * np.linspace(0.3, 0.7, base.lag_weights.shape[1])[None, :, None],
        slope=base.slope * 0.8,
        slope_draws=base.slope_draws * 0.8,
    )
    merged = ResponseParams.merge([("BrandA", rows[0], part_a), ("BrandB", rows[1], part_b)], len(brands))
    together = MarketingSimulator.from_model_dir(write_model(tmp_path / "merged", merged))
    for brand, part in (("BrandA", part_a), ("BrandB", part_b)):
        alone = MarketingSimulator.from_model_dir(write_model(tmp_path / brand, part))
        region = part.series_region[0]
        spend = {channel: 50_000.0 * (k + 1) for k, channel in enumerate(merged.channels)}
        got = together.simulate_scenario(spend, brand, region).to_dict()
        want = alone.simulate_scenario(spend, brand, region).to_dict()
        for key in ("incremental_sales", "horizon_incremental_sales", "incremental_lower", "incremental_upper"):
            assert got[key] == pytest.approx(want[key], rel=1e-12), key
    assert together.simulate_scenario(spend, "BrandB", region).incremental_sales != pytest.approx(
        MarketingSimulator.from_model_dir(write_model(tmp_path / "shared", base))
        .simulate_scenario(spend, "BrandB", region)
        .incremental_sales,
        rel=1e-3,
    )


def test_a_plan_without_spend_has_no_roi(simulator: MarketingSimulator) -> None:
    """Before, it read ROI 0.00 beside channels shown as '-' (in the menu, the tables and the CSVs)."""
    from rich.console import Console

    from mmm_analytics.cli.tables import simulation_summary, simulation_table
    from mmm_analytics.simulator.scenarios import Scenario, compare_scenarios

    nothing = dict.fromkeys(simulator.channels, 0.0)
    result = simulator.simulate_scenario(nothing, "BrandA", "EAST")
    assert math.isnan(result.roi) and result.to_dict()["roi"] is None
    console = Console(width=200, record=True)
    console.print(simulation_table(result, simulator.current_spend("BrandA", "EAST"), NumberFormat.INDIAN))
    total = next(line for line in console.export_text().splitlines() if "Total" in line)
    assert total.rstrip(" │").endswith("-") and "0.00" not in total
    assert "ROI -" in simulation_summary(result, NumberFormat.INDIAN)[1]
    summary, channels = compare_scenarios(simulator, [Scenario("dark", "", "BrandA", "EAST", nothing)])
    assert summary["roi"].isna().all() and channels["roi"].isna().all()
    from mmm_analytics.cli.tables import comparison_table  # the menu's side-by-side view

    console = Console(width=200, record=True)
    console.print(comparison_table(summary, simulator.channels, 0.9, NumberFormat.INDIAN))
    roi_row = next(line for line in console.export_text().splitlines() if line.strip("│ ").startswith("ROI"))
    assert "nan" not in roi_row and roi_row.rstrip(" │").endswith("-")


def test_a_model_folder_with_a_pooled_form_weighs_both_in_the_advice(tmp_path: Path) -> None:
    """``mmm train`` saves the saturation form it could not rule out beside the chosen one; the
    simulator pools their draws (the scenario interval and the advice see both)."""
    hill, logistic = build_params(saturation="hill", n_draws=12), build_params(saturation="logistic", n_draws=12)
    logistic = dataclasses.replace(logistic, baseline_sales=1.1 * logistic.baseline_sales)  # its own fit's baseline
    folder = write_model(tmp_path / "model", hill)
    alone = MarketingSimulator.from_model_dir(folder)
    pool_form(folder, logistic)
    pooled = MarketingSimulator.from_model_dir(folder)
    assert alone.pooled == () and [p.saturation for p in pooled.pooled] == ["logistic"]
    brand, region = pooled.segments[0]
    assert pooled.draw_set(brand, region).n_draws == 24
    spend = {c: v * 1.1 for c, v in pooled.current_spend(brand, region).items()}
    both, hill_only = pooled.simulate_scenario(spend, brand, region), alone.simulate_scenario(spend, brand, region)
    logistic_folder = write_model(tmp_path / "logistic", logistic)
    logistic_only = MarketingSimulator.from_model_dir(logistic_folder).simulate_scenario(spend, brand, region)
    # The point figures are the two forms' mean (tolerance 1e-9); before, the chosen form's alone.
    mean = (hill_only.incremental_sales + logistic_only.incremental_sales) / 2
    assert both.incremental_sales == pytest.approx(mean, rel=1e-9)
    assert both.incremental_sales != pytest.approx(hill_only.incremental_sales, rel=1e-6)
    baseline = (hill_only.baseline_sales + logistic_only.baseline_sales) / 2
    assert both.predicted_sales == pytest.approx(baseline + mean, rel=1e-9)
    for channel, value in both.channel_contributions.items():
        expected = (hill_only.channel_contributions[channel] + logistic_only.channel_contributions[channel]) / 2
        assert value == pytest.approx(expected, rel=1e-9, abs=1e-9), channel
    cells = pooled.cell_set(brand, region)
    matrix = pooled.current_matrix[pooled.rows(brand, region)] * 1.3
    np.testing.assert_allclose(cells.reference_response(matrix), cells.response(matrix), rtol=1e-9)
    _, grad = cells.value_and_grad(matrix)
    used = matrix > 0
    step = 1e-3 * np.where(used, matrix, 1.0)
    ahead, behind = cells.response(matrix + step), cells.response(np.maximum(matrix - step, 0.0))
    assert used.any()
    np.testing.assert_allclose(grad[used], ((ahead - behind) / (2 * step))[used], rtol=1e-5)
    assert (both.incremental_lower, both.incremental_upper) != (
        hill_only.incremental_lower,
        hill_only.incremental_upper,
    )
    advice = pooled.optimize_budget(None, None, brand, region)
    from mmm_analytics.response.artifacts import model_digest

    assert advice.to_json_dict()["model_digest"] == model_digest(folder) != ""  # the training it came from
    assert math.isfinite(advice.prob_beats_current) and advice.weekly_budget > 0
    assert advice.to_json_dict()["saturation_forms"] == ["hill", "logistic"]
    assert alone.optimize_budget(None, None, brand, region).saturation_forms == ["hill"]
    from mmm_analytics.cli.tables import optimization_summary

    assert "mean over the posterior draws of the hill and logistic saturation fits, weighed equally" in " ".join(
        optimization_summary(advice, NumberFormat.INDIAN)
    )


def test_every_pooled_form_is_weighed_equally_and_a_model_saved_with_one_still_loads(tmp_path: Path) -> None:
    """Several saturation forms the form choice could not rule out: the point figures are the mean of
    every form's (tolerance 1e-9) and the draws are theirs together; a model folder saved when one
    form at most was pooled (``pooled_saturation``) loads as before."""
    forms = {s: build_params(saturation=s, n_draws=12) for s in ("hill", "logistic", "sigmoid")}
    forms["sigmoid"] = dataclasses.replace(forms["sigmoid"], baseline_sales=0.9 * forms["sigmoid"].baseline_sales)
    folder = write_model(tmp_path / "model", forms["hill"])
    pool_form(folder, forms["logistic"])
    pool_form(folder, forms["sigmoid"])
    assert (folder / "pooled_response_params_2.npz").is_file()
    every = MarketingSimulator.from_model_dir(folder)
    assert [p.saturation for p in every.pooled] == ["logistic", "sigmoid"]
    brand, region = every.segments[0]
    assert every.draw_set(brand, region).n_draws == 36
    spend = {c: v * 1.2 for c, v in every.current_spend(brand, region).items()}
    alone = [
        MarketingSimulator.from_model_dir(write_model(tmp_path / s, p)).simulate_scenario(spend, brand, region)
        for s, p in forms.items()
    ]
    result = every.simulate_scenario(spend, brand, region)
    assert result.incremental_sales == pytest.approx(np.mean([r.incremental_sales for r in alone]), rel=1e-9)
    assert result.predicted_sales == pytest.approx(np.mean([r.predicted_sales for r in alone]), rel=1e-9)
    assert every.optimize_budget(None, None, brand, region).saturation_forms == ["hill", "logistic", "sigmoid"]
    legacy = write_model(tmp_path / "legacy", forms["hill"])
    pool_form(legacy, forms["logistic"], legacy=True)
    assert "pooled_saturations" not in json.loads((legacy / "metadata.json").read_text())["extra"]["selection"]
    assert [p.saturation for p in MarketingSimulator.from_model_dir(legacy).pooled] == ["logistic"]


def test_a_second_pooled_form_the_metadata_does_not_name_names_the_file(tmp_path: Path) -> None:
    folder = write_model(tmp_path / "model", build_params(n_draws=4))
    pool_form(folder, build_params(n_draws=4, saturation="logistic"))
    pool_form(folder, build_params(n_draws=4, saturation="sigmoid"), said=None)
    message = "a sigmoid fit, while metadata.json says logistic beside hill"
    with pytest.raises(InputError, match=f"pooled_response_params_2.npz' is damaged .*{re.escape(message)}"):
        MarketingSimulator.from_model_dir(folder)


@pytest.mark.parametrize(
    ("pooled", "said", "message"),
    [
        (dict(n_brands=1, saturation="logistic"), "", "its brands differ from those of response_params.npz"),
        (dict(saturation="logistic", n_draws=6), "", "its number of draws differ"),
        (dict(saturation="hill"), "", "a hill fit, while metadata.json says hill beside hill"),
        (dict(saturation="logistic"), None, "a logistic fit, while metadata.json names no pooled form"),
        (dict(saturation="logistic"), "sigmoid", "a logistic fit, while metadata.json says sigmoid"),
    ],
    ids=["other-series", "other-draws", "same-form", "not-in-metadata", "other-form-in-metadata"],
)
def test_a_pooled_form_that_does_not_belong_to_the_model_names_the_file(
    tmp_path: Path, pooled: dict, said: str | None, message: str
) -> None:
    from mmm_analytics.response.artifacts import POOLED_FILE

    folder = write_model(tmp_path / "model", build_params(n_draws=4))
    pool_form(folder, build_params(**{"n_draws": 4} | pooled), said)
    with pytest.raises(InputError, match=f"{POOLED_FILE}' is damaged .*{re.escape(message)}.*re-run 'mmm train'"):
        MarketingSimulator.from_model_dir(folder)


def test_a_pooled_form_the_metadata_names_but_the_folder_lacks_names_the_file(tmp_path: Path) -> None:
    from mmm_analytics.response.artifacts import POOLED_FILE

    folder = write_model(tmp_path / "model", build_params(n_draws=4))
    pool_form(folder, build_params(n_draws=4, saturation="logistic"))
    (folder / POOLED_FILE).unlink()
    with pytest.raises(InputError, match="missing, while metadata.json says a logistic fit is pooled"):
        MarketingSimulator.from_model_dir(folder)


def test_the_advice_judges_each_segment_on_its_own_curve_unless_told_not_to(tmp_path: Path) -> None:
    """A model whose segments were found to differ: the simulator reads their own curves (the scenario's
    point estimate moves, the JSON says how much segments differ); ``segment_curves: false`` reads the
    fitted curves, exactly as a model without any difference."""
    fitted = build_params(n_draws=12)
    rng = np.random.default_rng(3)
    shape = fitted.coefficient.shape
    own = dataclasses.replace(
        fitted,
        segment_half_saturation_shift=0.4 * rng.normal(size=shape),
        segment_half_saturation_spread=np.full(shape, 0.2),
        segment_coefficient_factor=np.exp(0.1 * rng.normal(size=shape)),
    )
    folder = write_model(tmp_path / "model", own)
    metadata = json.loads((folder / "metadata.json").read_text())
    spread = {"half_saturation": 0.35, "slope": 0.0}
    metadata["extra"] = {"segment_curves": {"spread": spread, "identified": {}, "by_channel": {}}}
    (folder / "metadata.json").write_text(json.dumps(metadata))
    on = MarketingSimulator.from_model_dir(folder)
    off = MarketingSimulator.from_model_dir(folder, SimulatorSettings(segment_curves=False))
    plain = MarketingSimulator.from_model_dir(write_model(tmp_path / "plain", fitted))
    brand, region = on.segments[0]
    spend = {c: v * 1.3 for c, v in on.current_spend(brand, region).items()}
    moved, unmoved, reference = (s.simulate_scenario(spend, brand, region) for s in (on, off, plain))
    assert moved.incremental_sales != pytest.approx(unmoved.incremental_sales, rel=1e-6)
    assert (unmoved.incremental_sales, unmoved.incremental_lower, unmoved.incremental_upper) == (
        reference.incremental_sales,
        reference.incremental_lower,
        reference.incremental_upper,
    )
    assert on.optimize_budget(None, None, brand, region).to_json_dict()["segment_curves"] == spread
    assert off.optimize_budget(None, None, brand, region).segment_curves == {}


def test_the_json_names_the_data_range_the_advice_kept_to(simulator: MarketingSimulator) -> None:
    """Per channel the range's totals over the selection (its top the 0.9 quantile of weekly spend),
    the advice inside it; an empty mapping when the range is off."""
    brand, region = simulator.segments[0]
    result = simulator.optimize_budget(None, None, brand, region)
    found = json.loads(json.dumps(result.to_json_dict(), allow_nan=False))["data_range"]
    history = simulator.params.spend[simulator.rows(brand, region)]
    top = np.maximum(np.quantile(history, 0.9, axis=1), history.mean(axis=1)).sum(axis=0)
    assert found["quantile"] == 0.9 and found["margin"] == 0.0
    np.testing.assert_allclose([found["upper"][c] for c in simulator.channels], top, rtol=1e-12)
    np.testing.assert_allclose([found["lower"][c] for c in simulator.channels], history.min(axis=1).sum(axis=0))
    for channel, spend in result.allocation.items():
        assert found["lower"][channel] * (1 - 1e-9) <= spend <= found["upper"][channel] * (1 + 1e-9)
    assert simulator.optimize_budget(None, None, brand, region, data_range=False).data_range == {}


def _accented(tmp_path: Path) -> MarketingSimulator:
    """The hand-built model with brands 'Café' and 'CAFÉ' (composed; equal up to case)."""
    base = build_params(n_brands=2, n_regions=2)
    renamed = {"BrandA": "Caf\u00e9", "BrandB": "CAF\u00c9"}
    params = dataclasses.replace(base, series_brand=tuple(renamed[b] for b in base.series_brand))
    return MarketingSimulator.from_model_dir(write_model(tmp_path / "m", params))


def test_a_brand_typed_decomposed_or_in_another_case_is_the_model_s_brand(tmp_path: Path) -> None:
    """Before, 'Cafe' + a combining accent (as macOS and some keyboards write it) was an unknown brand,
    though it prints exactly like the model's 'Café'; so was 'central' for 'CENTRAL'."""
    sim = _accented(tmp_path)
    assert sim.named("brand", "Cafe\u0301") == "Caf\u00e9"
    assert sim.named("brand", "CAFE\u0301") == "CAF\u00c9"
    assert sim.named("region", "central") == "CENTRAL"
    assert sim.named("brand", " ALL ") == "all"
    brand, region = sim.named("brand", "Cafe\u0301"), sim.named("region", "central")
    result = sim.simulate_scenario({}, brand, region)
    assert (result.brand, result.region) == ("Caf\u00e9", "CENTRAL")
    assert result.incremental_sales != sim.simulate_scenario({}, "CAF\u00c9", "CENTRAL").incremental_sales
    with pytest.raises(InputError, match=r"^unknown region 'central'; choose one of: CENTRAL, EAST or all$"):
        sim.simulate_scenario({}, "Caf\u00e9", "central")  # the methods take the model's names: named() is the edge's


def test_a_name_matching_several_up_to_case_asks_for_one(tmp_path: Path) -> None:
    sim = _accented(tmp_path)
    with pytest.raises(
        InputError, match=r"^brand 'caf\u00e9' matches CAF\u00c9, Caf\u00e9 up to case; write it as one"
    ):
        sim.named("brand", "caf\u00e9")
    with pytest.raises(InputError, match=r"^unknown brand 'Cafe'; choose one of: CAF\u00c9, Caf\u00e9 or all$"):
        sim.named("brand", "Cafe")  # no accent: another name
    with pytest.raises(InputError, match=r"^unknown region 'SOUTH'"):
        sim.rows("all", "SOUTH")


def test_a_spend_far_beyond_any_week_of_the_data_is_named(simulator: MarketingSimulator) -> None:
    """Before, a scenario with Radio at 558 times today's spend (300 times its highest week) was reported
    without a word; optimize already warned of the same spend."""
    brand, region = "BrandB", "EAST"
    current = simulator.current_spend(brand, region)
    channel = simulator.channels[-1]
    highest = float(simulator.params.spend[simulator.rows(brand, region)].sum(axis=0).max(axis=0)[-1])
    quiet = simulator.simulate_scenario(current, brand, region)
    assert not any("times its highest weekly spend" in w for w in quiet.warnings)
    loud = simulator.simulate_scenario(current | {channel: 3.0 * highest}, brand, region)
    (line,) = [w for w in loud.warnings if "times its highest weekly spend" in w]
    assert line.startswith(f"{channel} at ") and " is 3.0 times its highest weekly spend in the data (" in line


def test_a_pair_the_model_does_not_have_is_named_as_such(tmp_path: Path) -> None:
    """A brand x region left out of the model (its series sold nothing in the training weeks) is not
    called unsold there: the panel had it."""
    base = build_params(n_weeks=20)
    params = dataclasses.replace(base, series_region=("CENTRAL", "EAST", "CENTRAL", "CENTRAL"))
    sim = MarketingSimulator.from_model_dir(write_model(tmp_path / "m", params))
    with pytest.raises(InputError, match=r"^the model has no series of brand 'BrandB' in region 'EAST' \(not sold"):
        sim.rows("BrandB", "EAST")
    assert len(sim.rows("BrandB", "CENTRAL")) == 2
