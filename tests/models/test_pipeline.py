"""Training end to end on a small noiseless panel: recovery, saved files, fresh-process loading."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.response.artifacts import ModelMetadata, ResponseParams
from mmm_analytics.response.steady_state import historical_contribution
from mmm_analytics.synthetic import SyntheticPanel

RECOVERY_RTOL = 0.10  # the bar; the noiseless fit is far closer (about 1e-3)


def _truth_matrix(truth: dict, key: str, channels: tuple[str, ...]) -> np.ndarray:
    return np.array([[series[key][c] for c in channels] for series in truth["series"]])


def test_recovers_carryover_and_coefficients(trained_model_dir: Path, noiseless_panel: SyntheticPanel) -> None:
    params = ResponseParams.load(trained_model_dir / "model")
    truth = noiseless_panel.truth.data
    true_weights = np.array([truth["carryover"]["weights"][c] for c in params.channels]).T
    np.testing.assert_allclose(params.lag_weights[0, 1:4], true_weights[1:4], rtol=RECOVERY_RTOL)
    np.testing.assert_allclose(
        params.coefficient, _truth_matrix(truth, "coefficient", params.channels), rtol=RECOVERY_RTOL
    )
    contribution = historical_contribution(params).sum(axis=(0, 1))
    expected = np.array([noiseless_panel.truth.national_contribution()[c] for c in params.channels])
    np.testing.assert_allclose(contribution, expected, rtol=0.02)


def test_model_folder_has_everything_later_steps_need(trained_model_dir: Path) -> None:
    folder = trained_model_dir / "model"
    for name in (
        "mmm_model.keras",
        "mmm_model.weights.h5",
        "best_model.keras",
        "training_log.csv",
        "training_history.json",
        "training_history.png",
        "metadata.json",
        "response_params.npz",
        "features_meta.json",
    ):
        assert (folder / name).is_file(), name
    metadata = ModelMetadata.load(folder)
    assert metadata.channels == ["TV", "YouTube", "Facebook", "Instagram", "Print", "Radio"]
    assert "cpm" not in json.loads((folder / "metadata.json").read_text())  # saved once, with the response
    assert ResponseParams.load(folder).cpm_by_channel["TV"] == pytest.approx(1.2)
    assert metadata.date_range[0] == "2022-07-04"
    history = json.loads((folder / "training_history.json").read_text())
    assert {"loss", "val_loss", "wmape", "val_wmape"} <= set(history)


def test_draws_vary_and_first_draw_is_the_estimate(trained_model_dir: Path) -> None:
    params = ResponseParams.load(trained_model_dir / "model")
    np.testing.assert_allclose(params.coefficient_draws[0], params.coefficient, rtol=1e-9)
    assert params.coefficient_draws.std(axis=0).max() > 0


def test_predictions_decompose_into_baseline_and_media(trained_model_dir: Path) -> None:
    params = ResponseParams.load(trained_model_dir / "model")
    media = historical_contribution(params).sum(axis=-1)
    np.testing.assert_allclose(params.baseline_sales + media, params.predicted_sales, rtol=1e-6)


def test_saved_model_loads_in_a_fresh_process_with_identical_predictions(trained_model_dir: Path) -> None:
    folder = trained_model_dir / "model"
    script = f"""
import json, numpy as np, pandas as pd
import mmm_analytics.models, keras
from pathlib import Path
from mmm_analytics.features.store import load_panel
from mmm_analytics.models.inputs import model_inputs
model = keras.models.load_model({str(folder / "mmm_model.keras")!r})
panel = load_panel(Path({str(trained_model_dir / "features.parquet")!r}))
sales = keras.ops.convert_to_numpy(model(model_inputs(panel).x)["sales"]) * model.sales_scale
print(json.dumps(sales.tolist()))
"""
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    reloaded = np.array(json.loads(output.strip().splitlines()[-1]))
    params = ResponseParams.load(folder)
    np.testing.assert_allclose(reloaded, params.predicted_sales, rtol=1e-9)


def test_lift_tests_calibrate_the_fit_and_reach_the_report(tmp_path: Path, noiseless_panel: SyntheticPanel) -> None:
    """A tight lift test pulls its channel's contribution in that slice to the measurement."""
    import dataclasses

    import pandas as pd

    from mmm_analytics.features.store import save_panel
    from mmm_analytics.models.pipeline import train
    from mmm_analytics.synthetic import draw_lift_tests
    from tests.models.conftest import fast_config, to_feature_panel

    tests = draw_lift_tests(noiseless_panel, 2, 7, channels=["Facebook", "Print"])
    tests["incremental_sales"] *= 1.5  # measured well above the truth the data tell
    tests["standard_error"] = tests["incremental_sales"] * 0.02
    csv = tmp_path / "lift.csv"
    tests.to_csv(csv, index=False)
    config = fast_config(draws=20)
    config = dataclasses.replace(config, model=config.model.model_copy(update={"lift_tests": csv}))
    features = tmp_path / "features.parquet"
    save_panel(to_feature_panel(noiseless_panel, config), features, config.features)
    result = train(
        features, tmp_path / "model", config, reports_dir=tmp_path / "reports", figures_dir=tmp_path / "figures"
    )
    assert result.summary["lift tests"].startswith("2 as evidence (lift_tests_fit.csv): ")
    assert "measured values lie inside the calibrated model's 90% interval" in result.summary["lift tests"]
    fit = pd.read_csv(tmp_path / "reports" / "lift_tests_fit.csv")
    assert len(fit) == 2
    np.testing.assert_allclose(fit["measured"], tests["incremental_sales"])
    # Calibrated values sit far closer to the (inflated) measurement than the uncalibrated ones.
    gap_with = np.abs(fit["calibrated"] - fit["measured"])
    gap_without = np.abs(fit["uncalibrated"] - fit["measured"])
    assert (gap_with < 0.5 * gap_without).all()
    assert "lift-tests" in (tmp_path / "reports" / "model_report.html").read_text()
    # The model folder names the channels the tests measured (the simulator lets their split move).
    metadata = json.loads((tmp_path / "model" / "metadata.json").read_text())
    assert metadata["extra"]["lift_tested_channels"] == ["Facebook", "Print"]


def test_training_of_more_cells_than_the_cap_says_their_offsets_were_left_out(
    tmp_path: Path, noiseless_panel: SyntheticPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mmm_analytics.features.store import save_panel
    from mmm_analytics.models import pipeline, training
    from tests.models.conftest import fast_config, to_feature_panel

    config = fast_config(draws=20, epochs=2)
    panel = to_feature_panel(noiseless_panel, config)
    vocab = panel.vocabularies()
    cells = len(vocab["brand"]) * len(vocab["region"])
    monkeypatch.setattr(training, "MAX_CELL_OFFSET_CELLS", cells - 1)
    monkeypatch.setattr(pipeline, "MAX_CELL_OFFSET_CELLS", cells - 1)
    features = tmp_path / "features.parquet"
    save_panel(panel, features, config.features)
    result = pipeline.train(features, tmp_path / "model", config)
    assert result.summary["brand x region offsets"] == (
        f"left out: {cells} brand x region cells, more than {cells - 1} (priors.shrinkage.cell_sd)"
    )
    assert np.isfinite(ResponseParams.load(tmp_path / "model").coefficient).all()


def test_training_whose_adam_diverges_goes_on_from_the_start_and_says_so(
    tmp_path: Path, noiseless_panel: SyntheticPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An Adam objective that is not finite used to leave NaN weights and a history no JSON file can hold."""
    import keras

    from mmm_analytics.features.store import save_panel
    from mmm_analytics.models import training
    from mmm_analytics.models.pipeline import train
    from tests.models.conftest import fast_config, to_feature_panel

    adam = keras.optimizers.Adam
    monkeypatch.setattr(training.keras.optimizers, "Adam", lambda rate: adam(math.nan))
    config = fast_config(draws=20, prior_weight=0.0, epochs=3)
    # The noiseless truth's ceiling does not grow with a series' spend, and with the priors off nothing
    # would hold the learned power against the brand and region offsets: the model of the truth's form.
    config = dataclasses.replace(config, model=config.model.model_copy(update={"ceiling_scaling": False}))
    features = tmp_path / "features.parquet"
    save_panel(to_feature_panel(noiseless_panel, config), features, config.features)
    result = train(features, tmp_path / "model", config)
    history = json.loads((tmp_path / "model" / "training_history.json").read_text())
    assert history["adam_diverged_epoch"] == 1 and history["loss"] == [] and history["best_epoch"] == 0
    assert result.summary["Adam"].startswith("stopped at epoch 1, whose objective was not finite")
    assert np.isfinite(result.params.coefficient).all()
    # The polish alone still reaches the noiseless truth.
    contribution = historical_contribution(result.params).sum(axis=(0, 1))
    expected = np.array([noiseless_panel.truth.national_contribution()[c] for c in result.params.channels])
    np.testing.assert_allclose(contribution, expected, rtol=0.02)


def test_the_lift_section_weighs_a_pooled_form_as_the_decomposition_does(
    tmp_path: Path, noiseless_panel: SyntheticPanel
) -> None:
    """With a second saturation form pooled, each test's model value (calibrated and not) is the mean of
    the two fits', as every other point value of the report. Before, it was the chosen fit's alone."""
    import dataclasses

    import pandas as pd

    from mmm_analytics.features.store import save_panel
    from mmm_analytics.models.lift_report import ParamsContributions, draw_totals
    from mmm_analytics.models.lift_tests import read_lift_tests
    from mmm_analytics.models.pipeline import train
    from mmm_analytics.response.artifacts import POOLED_FILE
    from mmm_analytics.synthetic import draw_lift_tests
    from tests.models.conftest import fast_config, to_feature_panel

    csv = tmp_path / "lift.csv"
    draw_lift_tests(noiseless_panel, 2, 7, channels=["Facebook", "Print"]).to_csv(csv, index=False)
    config = fast_config(draws=10, epochs=2)
    selection = config.model.selection.model_copy(
        update={"saturation": ["hill", "logistic"], "margin": 1e6, "folds": 1, "epochs": 2}
    )
    model = config.model.model_copy(
        update={"carryover": "beta_gamma", "saturation": "auto", "selection": selection, "lift_tests": csv}
    )
    features = tmp_path / "features.parquet"
    panel = to_feature_panel(noiseless_panel, config)
    save_panel(panel, features, config.features)
    folder, reports = tmp_path / "model", tmp_path / "reports"
    result = train(features, folder, dataclasses.replace(config, model=model), reports_dir=reports)
    pooled = ResponseParams.load(folder, POOLED_FILE)
    tests = read_lift_tests(csv, panel)
    fits = [draw_totals(tests, ParamsContributions(p)).tests[0] for p in (result.params, pooled)]
    assert not np.allclose(fits[0], fits[1], rtol=1e-6)  # two different fits: the mean is not either one
    table = pd.read_csv(reports / "lift_tests_fit.csv")
    np.testing.assert_allclose(table["calibrated"], np.mean(fits, axis=0), rtol=1e-9)
    assert np.isfinite(table["uncalibrated"]).all()
    html = (reports / "model_report.html").read_text()
    assert "mean of the two saturation forms" in html and "with and without calibration alike" in html


def test_every_saturation_form_the_data_cannot_rule_out_is_fitted_and_saved_beside_the_chosen_one(
    tmp_path: Path, noiseless_panel: SyntheticPanel
) -> None:
    """With every saturation form within the selection's margin, ``train`` fits the other two too and
    saves them for the simulator; a later run that pins the form removes them."""
    import dataclasses

    from mmm_analytics.features.store import save_panel
    from mmm_analytics.models.pipeline import train
    from mmm_analytics.response.artifacts import pooled_file
    from mmm_analytics.simulator import MarketingSimulator
    from tests.models.conftest import fast_config, to_feature_panel

    config = fast_config(draws=10, epochs=2)
    selection = config.model.selection.model_copy(
        update={"saturation": ["hill", "logistic", "sigmoid"], "margin": 1e6, "folds": 1, "epochs": 2}
    )
    model = config.model.model_copy(update={"carryover": "beta_gamma", "saturation": "auto", "selection": selection})
    features = tmp_path / "features.parquet"
    save_panel(to_feature_panel(noiseless_panel, config), features, config.features)
    folder = tmp_path / "model"
    result = train(features, folder, dataclasses.replace(config, model=model), reports_dir=tmp_path / "reports")
    files = [folder / pooled_file(i) for i in range(2)]
    assert all(f.is_file() and f in result.files for f in files)
    assert "the advice weighs every fit's draws equally" in result.summary["why this form"]
    metadata = json.loads((folder / "metadata.json").read_text())
    named = metadata["extra"]["selection"]["pooled_saturations"]
    pooled = [ResponseParams.load(folder, f.name) for f in files]
    assert [p.saturation for p in pooled] == named
    assert {result.params.saturation, *named} == {"hill", "logistic", "sigmoid"}
    for form in pooled:
        assert form.series_brand == result.params.series_brand and np.isfinite(form.coefficient_draws).all()
        # A fit of the same data: its media contribution is near the chosen form's.
        mine, other = (np.asarray(p.predicted_sales - p.baseline_sales).sum() for p in (result.params, form))
        assert other == pytest.approx(mine, rel=0.25)
    # The fits are weighed equally in the decomposition too: each channel's contribution is the mean
    # of the three fits' (tolerance: float32 model outputs), not the chosen one's.
    contributions = pd.read_csv(tmp_path / "reports" / "channel_contributions.csv").set_index("channel")["contribution"]
    fits = [historical_contribution(p).sum(axis=(0, 1)) for p in (result.params, *pooled)]
    np.testing.assert_allclose(contributions.to_numpy(), np.mean(fits, axis=0), rtol=2e-3)
    assert not np.allclose(contributions.to_numpy(), np.mean(fits[:2], axis=0), rtol=2e-3)
    simulator = MarketingSimulator.from_model_dir(folder)
    assert simulator.draw_set("all", "all").n_draws == 30
    train(features, folder, config)  # the form pinned: nothing to pool
    assert not any(f.exists() for f in files)


def test_training_estimates_each_segments_own_curve_and_saves_it(trained_model_dir: Path) -> None:
    """The noiseless synthetic world gives every segment the same curve: the spread found is small,
    and what was found is what the model folder holds."""
    folder = trained_model_dir / "model"
    found = ModelMetadata.load(folder).extra["segment_curves"]
    assert set(found) == {"spread", "identified", "by_channel"}
    assert 0.0 <= found["spread"]["half_saturation"] < 0.15
    assert "segment curves" in ModelMetadata.load(folder).extra["timings"]
    params = ResponseParams.load(folder)
    # A segment the weeks do not move keeps the fitted coefficient; the saved arrays match the summary.
    unmoved = (params.segment_half_saturation_shift == 0) & (params.segment_slope_shift == 0)
    np.testing.assert_array_equal(params.segment_coefficient_factor[unmoved], 1.0)
    if found["spread"]["half_saturation"] == 0.0:
        np.testing.assert_array_equal(params.segment_half_saturation_shift, 0.0)
        np.testing.assert_array_equal(params.segment_half_saturation_spread, 0.0)


def test_a_panel_too_short_for_the_form_choice_fits_the_first_candidates_and_says_so(tmp_path: Path) -> None:
    """A 60-week panel (47 training weeks) passed ``mmm data`` and then stopped ``mmm train`` at the form
    choice, which needs a year and a fold. It now fits the first candidates, and the warning, the
    training summary, the metadata and the model report say that the data did not choose them."""
    from mmm_analytics.config.data import SyntheticSettings
    from mmm_analytics.features.store import save_panel
    from mmm_analytics.models.pipeline import train
    from mmm_analytics.synthetic import generate_panel
    from tests.models.conftest import fast_config, to_feature_panel

    short = generate_panel(SyntheticSettings(seed=4, n_geos=2, n_brands=1, n_skus=1, n_weeks=60, noise_sd=0.02))
    config = fast_config(draws=10, epochs=2)
    config = dataclasses.replace(
        config, model=config.model.model_copy(update={"carryover": "auto", "saturation": "auto"})
    )
    features = tmp_path / "features.parquet"
    save_panel(to_feature_panel(short, config), features, config.features)
    result = train(
        features, tmp_path / "model", config, reports_dir=tmp_path / "reports", figures_dir=tmp_path / "figs"
    )
    note = next(line for line in result.warnings if line.startswith("the form choice needs 65 training weeks"))
    assert "the panel has 47" in note and "fitted beta_gamma carryover with hill saturation" in note
    assert result.summary["why this form"] == note
    assert (result.metadata.carryover, result.metadata.saturation) == ("beta_gamma", "hill")
    assert result.metadata.extra["form_note"] == note
    page = (tmp_path / "reports" / "model_report.html").read_text(encoding="utf-8")
    assert "Not chosen by the data: the form choice needs 65 training weeks" in page
    assert "pinned in the configuration" not in page


def test_a_training_stopped_half_way_leaves_the_previous_model_s_logs(
    trained_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, Keras' checkpoint and the epoch log were written into the model folder as the fit went: a training
    killed half-way left its best_model.keras and training_log.csv beside the previous model's other files."""
    import shutil

    from mmm_analytics.models import pipeline
    from tests.models.conftest import fast_config

    folder = tmp_path / "model"
    shutil.copytree(trained_model_dir / "model", folder)
    before = {name: (folder / name).read_bytes() for name in pipeline.FIT_LOGS}
    (folder / ".training-killed").mkdir()  # what a SIGKILL leaves
    (folder / ".training-killed" / "training_log.csv").write_text("epoch,loss\n")

    def stopped(panel, config, scratch, *args, **kwargs):  # type: ignore[no-untyped-def]
        assert scratch.parent == folder and scratch.name.startswith(pipeline.SCRATCH_PREFIX)
        (scratch / "training_log.csv").write_text("epoch,loss\n0,1.0\n")
        (scratch / "best_model.keras").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "fit_and_summarise", stopped)
    with pytest.raises(KeyboardInterrupt):
        pipeline.train(trained_model_dir / "features.parquet", folder, fast_config(prior_weight=0.0))
    assert {name: (folder / name).read_bytes() for name in pipeline.FIT_LOGS} == before
    assert not list(folder.glob(f"{pipeline.SCRATCH_PREFIX}*"))


def test_a_second_training_into_the_same_folder_is_refused(trained_model_dir: Path, tmp_path: Path) -> None:
    """Before, two trainings in one folder both ended with 0, each overwriting the other's files."""
    from mmm_analytics.errors import InputError
    from mmm_analytics.models.pipeline import train
    from tests.models.conftest import fast_config

    hold = (
        "import sys, time\nfrom pathlib import Path\nfrom mmm_analytics.utils.locks import only_writer\n"
        "with only_writer(Path(sys.argv[1]), 'another training'):\n    print('held', flush=True)\n    time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold, str(tmp_path / "model")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(InputError, match=r"another training is writing '.*model' now \(process \d+\)"):
            train(trained_model_dir / "features.parquet", tmp_path / "model", fast_config(prior_weight=0.0))
    finally:
        holder.kill()
        holder.wait()
