"""ResponseParams and ModelMetadata: save/load round trips, the one copy of the CPMs, damaged files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mmm_analytics.errors import InputError
from mmm_analytics.response.artifacts import (
    METADATA_FILE,
    ModelMetadata,
    ResponseParams,
    model_folder,
)


def small_params() -> ResponseParams:
    rng = np.random.default_rng(0)
    s, t, c, lags, d = 2, 5, 3, 4, 6
    return ResponseParams(
        channels=("TV", "Radio", "Print"),
        series_brand=("A", "B"),
        series_region=("EAST", "EAST"),
        saturation="hill",
        cpm=np.array([1.2, 0.6, 6.0]),
        exposure_scale=rng.uniform(1, 2, (s, c)),
        exposure=rng.uniform(0, 3, (s, t, c)),
        dates=tuple(f"2024-01-0{i + 1}" for i in range(t)),
        lag_weights=rng.uniform(0, 1, (lags, c)),
        half_saturation=rng.uniform(1, 2, c),
        slope=np.ones(c),
        coefficient=rng.uniform(1, 9, (s, c)),
        lag_weights_draws=rng.uniform(0, 1, (d, lags, c)),
        half_saturation_draws=rng.uniform(1, 2, (d, c)),
        slope_draws=np.ones((d, c)),
        coefficient_draws=rng.uniform(1, 9, (d, s, c)),
        predicted_sales=rng.uniform(9, 10, (s, t)),
        baseline_sales=rng.uniform(5, 6, (s, t)),
    )


def small_metadata() -> ModelMetadata:
    return ModelMetadata(
        channels=["TV", "Radio", "Print"],
        brands=["A", "B"],
        regions=["EAST"],
        series=[{"brand": "A", "region": "EAST"}, {"brand": "B", "region": "EAST"}],
        date_range=("2024-01-01", "2024-01-05"),
        n_weeks=5,
        holdout_weeks=1,
        seed=1,
        saturation="hill",
        max_lag=3,
        interval_level=0.9,
    )


def test_params_round_trip(tmp_path: Path) -> None:
    params = small_params()
    params.save(tmp_path)
    loaded = ResponseParams.load(tmp_path)
    for name in ("cpm", "coefficient", "lag_weights_draws", "exposure"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(params, name))
    assert loaded.channels == params.channels and loaded.saturation == "hill"
    assert loaded.cpm_by_channel == {"TV": 1.2, "Radio": 0.6, "Print": 6.0}


def test_cpms_are_saved_once_with_the_response(tmp_path: Path) -> None:
    small_metadata().save(tmp_path)
    assert "cpm" not in json.loads((tmp_path / METADATA_FILE).read_text())


def test_metadata_written_with_a_cpm_copy_still_loads(tmp_path: Path) -> None:
    small_metadata().save(tmp_path)
    raw = json.loads((tmp_path / METADATA_FILE).read_text()) | {"cpm": {"TV": 1.2}}
    (tmp_path / METADATA_FILE).write_text(json.dumps(raw))
    assert ModelMetadata.load(tmp_path).channels == ["TV", "Radio", "Print"]


def test_missing_files_name_the_command_that_makes_them(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="run 'mmm train'"):
        ResponseParams.load(tmp_path)
    with pytest.raises(InputError, match="run 'mmm train'"):
        ModelMetadata.load(tmp_path)
    with pytest.raises(InputError, match="not found"):
        model_folder(tmp_path / "absent" / "mmm_model.keras")
