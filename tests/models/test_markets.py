"""``mmm train --split-by``: every market fitted on its own, merged into one model folder that the
curves and the simulator read as usual. Small noiseless panel: 2 regions x 2 brands x 1 SKU."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmm_analytics.config.model import SplitBy
from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.features.store import save_panel
from mmm_analytics.models.lift_tests import LiftTests
from mmm_analytics.models.markets import market_folders, merge_decompositions, split_markets
from mmm_analytics.response.artifacts import (
    MARKETS_DIR,
    MODEL_FILE,
    ModelMetadata,
    ResponseParams,
    model_file_problem,
)
from mmm_analytics.response.steady_state import historical_contribution
from mmm_analytics.synthetic import SyntheticPanel
from tests.models.conftest import fast_config, to_feature_panel

pytestmark = pytest.mark.slow  # one model per market, fitted and merged (about a minute): make test-slow


def split_config(by: SplitBy = SplitBy.BRAND, backend: str = "local"):
    config = fast_config(prior_weight=0.0)
    model = config.model.model_copy(update={"split_by": by}).with_backend(backend)
    return dataclasses.replace(config, model=model)


@pytest.fixture(scope="module")
def panel(noiseless_panel: SyntheticPanel) -> FeaturePanel:
    return to_feature_panel(noiseless_panel, split_config())


@pytest.fixture(scope="module")
def split_dir(tmp_path_factory: pytest.TempPathFactory, panel: FeaturePanel) -> Path:
    """A model folder trained with ``split_by: brand`` (priors off: the noiseless truth is the optimum)."""
    from mmm_analytics.models.pipeline import train

    root = tmp_path_factory.mktemp("split")
    features = root / "features.parquet"
    config = split_config()
    save_panel(panel, features, config.features)
    (root / "model").mkdir()
    (root / "model" / MODEL_FILE).write_bytes(b"left by an earlier whole-panel run")
    train(features, root / "model", config, reports_dir=root / "reports", figures_dir=root / "figures")
    return root


def test_markets_are_the_brands_with_their_series(panel: FeaturePanel) -> None:
    markets = split_markets(panel, SplitBy.BRAND)
    assert [m.name for m in markets] == sorted(set(panel.brand))
    for market in markets:
        assert set(market.panel.brand) == {market.name}
        np.testing.assert_array_equal(market.panel.sales, panel.sales[market.rows])
        np.testing.assert_array_equal(market.panel.scalers.exposure_scale, panel.scalers.exposure_scale[market.rows])
    assert sorted(np.concatenate([m.rows for m in markets]).tolist()) == list(range(len(panel.brand)))
    assert {m.name for m in split_markets(panel, SplitBy.REGION)} == set(panel.geo)
    assert market_folders(SplitBy.REGION, ["NORTH EAST/1", "north_east_1", "WEST"]) == [
        "region=NORTH_EAST_1",
        "region=north_east_1-2",
        "region=WEST",
    ]


def test_a_market_of_a_very_long_name_gets_a_folder_a_file_system_takes(tmp_path: Path) -> None:
    long_names = ["B" * 300, "B" * 299 + "C"]  # the same start: the folders differ by the hash of the whole
    folders = market_folders(SplitBy.BRAND, long_names)
    assert len(set(folders)) == 2
    for folder in folders:
        assert len(folder.encode()) <= 255
        (tmp_path / folder).mkdir()  # raised OSError (file name too long) before


def _tests(series: list[list[float]], n_weeks: int) -> LiftTests:
    n = len(series)
    return LiftTests(
        channel=np.zeros(n, dtype=int),
        series=np.asarray(series, dtype=float),
        weeks=np.ones((n, n_weeks)),
        incremental_sales=np.full(n, 1e5),
        standard_error=np.full(n, 1e4),
        labels=tuple(f"test {k}" for k in range(n)),
    )


def test_each_lift_test_goes_to_its_market_and_one_spanning_markets_is_refused(panel: FeaturePanel) -> None:
    brand = np.asarray(panel.brand)
    first, second = (np.asarray(brand == name, dtype=float) for name in sorted(set(panel.brand)))
    tests = _tests([second.tolist(), first.tolist(), (first * (np.arange(len(brand)) == 0)).tolist()], 104)
    markets = split_markets(panel, SplitBy.BRAND, tests)
    assert markets[0].lift_tests is not None and markets[0].lift_tests.labels == ("test 1", "test 2")
    assert markets[1].lift_tests is not None and markets[1].lift_tests.labels == ("test 0",)
    np.testing.assert_array_equal(markets[1].lift_tests.series, second[markets[1].rows][None])
    spanning = _tests([np.ones(len(brand)).tolist()], 104)
    with pytest.raises(InputError, match="lift test 'test 0' spans several brands; with --split-by brand"):
        split_markets(panel, SplitBy.BRAND, spanning)
    assert all(m.lift_tests is None for m in split_markets(panel, SplitBy.REGION, None))


def test_the_folder_holds_the_merged_model_and_each_markets_own(split_dir: Path, panel: FeaturePanel) -> None:
    folder = split_dir / "model"
    assert not (folder / MODEL_FILE).exists()  # the stale whole-panel model is gone
    assert model_file_problem(folder) is None
    metadata = ModelMetadata.load(folder)
    assert metadata.extra["split_by"] == "brand" and sorted(metadata.extra["markets"]) == sorted(set(panel.brand))
    merged = ResponseParams.load(folder)
    assert merged.markets == tuple(sorted(set(panel.brand)))
    for m, name in enumerate(merged.markets):
        own = folder / MARKETS_DIR / f"brand={name}"
        assert metadata.extra["markets"][name] == f"{MARKETS_DIR}/brand={name}"
        assert (own / MODEL_FILE).is_file() and ModelMetadata.load(own).extra["market"] == name
        alone = ResponseParams.load(own)
        np.testing.assert_array_equal(merged.market(m).coefficient, alone.coefficient)
        np.testing.assert_array_equal(merged.market(m).lag_weights, alone.lag_weights)
        assert set(alone.series_brand) == {name}
    history = json.loads((folder / "training_history.json").read_text())
    assert sorted(history["markets"]) == list(merged.markets)
    # Each market's own segment curves, and one summary of them all for the reports and the advice.
    found = metadata.extra["segment_curves"]
    assert sorted(found["markets"]) == list(merged.markets)
    own = [
        ModelMetadata.load(folder / MARKETS_DIR / f"brand={name}").extra["segment_curves"] for name in merged.markets
    ]
    assert found["markets"] == dict(zip(merged.markets, own, strict=True))
    spreads = [market["spread"]["half_saturation"] for market in own]
    assert min(spreads) - 1e-9 <= found["spread"]["half_saturation"] <= max(spreads) + 1e-9
    # How the draws were made, for the top-level report (before: no such row for a split model).
    assert metadata.extra["posterior"] == {
        "method": "laplace",
        "draws": metadata.extra["posterior"]["draws"],
        "steps": 0,
    }


def test_each_market_recovers_the_truth(split_dir: Path, noiseless_panel: SyntheticPanel) -> None:
    """Noiseless data and no priors: each market's own fit reaches the truth, so the merge does too."""
    params = ResponseParams.load(split_dir / "model")
    contribution = historical_contribution(params).sum(axis=(0, 1))
    expected = np.array([noiseless_panel.truth.national_contribution()[c] for c in params.channels])
    np.testing.assert_allclose(contribution, expected, rtol=0.02)
    assert not np.allclose(params.lag_weights[0], params.lag_weights[1], rtol=1e-6)  # fitted apart


def test_the_evaluation_covers_the_whole_panel(split_dir: Path, panel: FeaturePanel) -> None:
    params = ResponseParams.load(split_dir / "model")
    table = pd.read_csv(split_dir / "reports" / "channel_contributions.csv")
    assert list(table.columns) == ["channel", "spend", "contribution", "roi"]
    np.testing.assert_allclose(table["contribution"], historical_contribution(params).sum(axis=(0, 1)), rtol=1e-6)
    decomposition = pd.read_csv(split_dir / "reports" / "decomposition.csv")
    assert len(decomposition) == panel.sales.size
    predicted = decomposition.groupby(["brand", "region"], sort=False)["predicted"].sum()
    for s, (brand, region) in enumerate(zip(panel.brand, panel.geo, strict=True)):
        assert predicted[(brand, region)] == pytest.approx(params.predicted_sales[s].sum(), rel=1e-6)
    assert (split_dir / "reports" / "model_report.html").is_file()


def test_curves_and_the_simulator_read_the_merged_folder(split_dir: Path, panel: FeaturePanel) -> None:
    from mmm_analytics.simulator import MarketingSimulator

    simulator = MarketingSimulator.from_model_dir(split_dir / "model")
    brand, region = panel.brand[0], panel.geo[0]
    result = simulator.optimize_budget(100_000.0, brand=brand, region=region)
    assert result.uplift >= -1e-9 and np.isfinite(result.expected_incremental_sales)
    from mmm_analytics.curves.pipeline import generate_curves

    curves = generate_curves(split_dir / "model", split_dir / "curves", split_dir / "reports", split_config(), "png")
    assert curves is not None


def test_merge_decompositions_puts_each_series_back_in_its_place() -> None:
    from mmm_analytics.models.decomposition import Decomposition

    def part(value: float, n: int) -> Decomposition:
        grid = np.full((n, 3), value)
        return Decomposition(("TV",), grid, grid, grid, grid, np.full((n, 3, 1), value))

    merged = merge_decompositions([(np.array([2, 0]), part(1.0, 2)), (np.array([1]), part(2.0, 1))], 3)
    np.testing.assert_array_equal(merged.predicted[:, 0], [1.0, 2.0, 1.0])
    np.testing.assert_array_equal(merged.media[:, 0, 0], [1.0, 2.0, 1.0])


def test_a_whole_panel_run_removes_an_earlier_split_models_markets(tmp_path: Path, split_dir: Path) -> None:
    import shutil

    from mmm_analytics.models.pipeline import train

    folder = tmp_path / "model"
    shutil.copytree(split_dir / "model", folder)
    config = fast_config(prior_weight=0.0)
    config = dataclasses.replace(config, model=config.model.model_copy(update={"epochs": 1, "polish": False}))
    train(split_dir / "features.parquet", folder, config)
    assert not (folder / MARKETS_DIR).exists() and (folder / MODEL_FILE).is_file()
    assert ResponseParams.load(folder).markets == ("all",)


@pytest.mark.slow
def test_markets_on_ray_give_the_local_fits_exactly(ray: object, panel: FeaturePanel) -> None:
    """Each market's fit as a task on a local Ray of 2 CPUs: the same weights as in this process."""
    from mmm_analytics.models.markets import fit_markets

    config = split_config()
    config = dataclasses.replace(config, model=config.model.model_copy(update={"epochs": 2}))
    markets = split_markets(panel, SplitBy.REGION)
    local = fit_markets(panel, config, markets)
    remote = fit_markets(panel, dataclasses.replace(config, model=config.model.with_backend("ray")), markets)
    for got, want in zip(remote.fits, local.fits, strict=True):
        np.testing.assert_array_equal(got.theta, want.theta)
    np.testing.assert_array_equal(remote.params.coefficient_draws, local.params.coefficient_draws)
