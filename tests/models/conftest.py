"""A small model trained once per session: noiseless 2 geos x 2 brands x 1 SKU x 104 weeks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

import mmm_analytics.models  # noqa: F401  (JAX backend, float64, layer registration)
from mmm_analytics.config import ProjectConfig, load_config
from mmm_analytics.config.data import SyntheticSettings
from mmm_analytics.features.panel import FeaturePanel, build_panel
from mmm_analytics.features.store import save_panel
from mmm_analytics.synthetic import SyntheticPanel, generate_panel

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


#: The first candidate of each kind: what an ``auto`` selection keeps unless a challenger wins.
DEFAULT_FORMS = ("beta_gamma", "hill")


def fast_config(draws: int = 40, prior_weight: float | None = None, epochs: int = 8) -> ProjectConfig:
    """The shipped config with fewer Adam epochs and draws (the MAP polish does the rest) and the
    default forms pinned (form selection has its own tests)."""
    config = load_config(CONFIG_DIR)
    priors = (
        config.model.priors if prior_weight is None else config.model.priors.model_copy(update={"weight": prior_weight})
    )
    model = config.model.pinned(*DEFAULT_FORMS).model_copy(
        update={
            "epochs": epochs,
            "priors": priors,
            "intervals": config.model.intervals.model_copy(update={"draws": draws}),
        }
    )
    return dataclasses.replace(config, model=model, viz=config.viz.model_copy(update={"dpi": 60}))


def to_feature_panel(generated: SyntheticPanel, config: ProjectConfig) -> FeaturePanel:
    frame = generated.frame.copy()
    frame["Date"] = pd.to_datetime(frame["Date"], format="%m/%d/%Y")
    return build_panel(frame, config.data, config.features)


@pytest.fixture(scope="session")
def noiseless_panel() -> SyntheticPanel:
    return generate_panel(SyntheticSettings(seed=3, n_geos=2, n_brands=2, n_skus=1, n_weeks=104, noise_sd=0.0))


@pytest.fixture(scope="session")
def trained_model_dir(tmp_path_factory: pytest.TempPathFactory, noiseless_panel: SyntheticPanel) -> Path:
    """A model folder from `train` (priors off, so the noiseless truth is the exact optimum)."""
    from mmm_analytics.models.pipeline import train

    config = fast_config(prior_weight=0.0)
    root = tmp_path_factory.mktemp("trained")
    features = root / "features.parquet"
    save_panel(to_feature_panel(noiseless_panel, config), features, config.features)
    train(features, root / "model", config, reports_dir=root / "reports", figures_dir=root / "figures")
    return root


@pytest.fixture(scope="session")
def fitted(trained_model_dir: Path):
    """The trained model reloaded from its folder, with its features and response parameters."""
    import keras

    from mmm_analytics.features.store import load_panel
    from mmm_analytics.response.artifacts import MODEL_FILE, ResponseParams

    model = keras.models.load_model(trained_model_dir / "model" / MODEL_FILE)
    return model, load_panel(trained_model_dir / "features.parquet"), ResponseParams.load(trained_model_dir / "model")
