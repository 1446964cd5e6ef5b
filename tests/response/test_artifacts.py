"""ResponseParams and ModelMetadata: save/load round trips, the one copy of the CPMs, damaged files."""

from __future__ import annotations

import dataclasses
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mmm_analytics.errors import InputError
from mmm_analytics.response.artifacts import (
    MARKETS_DIR,
    METADATA_FILE,
    MODEL_FILE,
    PARAMS_FILE,
    SEGMENT_FIELDS,
    ModelMetadata,
    ResponseParams,
    load_model_files,
    model_file_problem,
    model_folder,
    require_model_file,
    scatter_series,
)


def hand_params(
    rng: np.random.Generator, brands: tuple[str, ...], regions: tuple[str, ...], d: int = 6, **response: np.ndarray
) -> ResponseParams:
    """Random response parameters of series ``brands[i]`` x ``regions[i]``, 5 weeks, 3 channels;
    ``response`` gives the carryover, saturation (and scaling) arrays."""
    s, t, c = len(brands), 5, 3
    return ResponseParams(
        channels=("TV", "Radio", "Print"),
        series_brand=brands,
        series_region=regions,
        saturation="hill",
        cpm=np.array([1.2, 0.6, 6.0]),
        exposure_scale=rng.uniform(1, 2, (s, c)),
        exposure=rng.uniform(0, 3, (s, t, c)),
        dates=tuple(f"2024-01-0{i + 1}" for i in range(t)),
        coefficient=rng.uniform(1, 9, (s, c)),
        coefficient_draws=rng.uniform(1, 9, (d, s, c)),
        predicted_sales=rng.uniform(9, 10, (s, t)),
        baseline_sales=rng.uniform(5, 6, (s, t)),
        **response,  # type: ignore[arg-type]
    )


def small_params() -> ResponseParams:
    rng = np.random.default_rng(0)
    c, lags, d = 3, 4, 6
    return hand_params(
        rng,
        ("A", "B"),
        ("EAST", "EAST"),
        lag_weights=rng.uniform(0, 1, (lags, c)),
        half_saturation=rng.uniform(1, 2, c),
        slope=np.ones(c),
        lag_weights_draws=rng.uniform(0, 1, (d, lags, c)),
        half_saturation_draws=rng.uniform(1, 2, (d, c)),
        slope_draws=np.ones((d, c)),
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


def test_model_files_from_two_trainings_are_refused(tmp_path: Path) -> None:
    """Before, metadata.json of a 2-series model beside response_params.npz of a 6-series one loaded
    without a word (the npz won); curves checked the channels, the simulator nothing."""
    small_params().save(tmp_path)
    small_metadata().save(tmp_path)
    metadata, params = load_model_files(tmp_path)
    assert len(metadata.series) == len(params.series_brand)
    three = dataclasses.replace(small_metadata(), series=[*small_metadata().series, {"brand": "C", "region": "EAST"}])
    three.save(tmp_path)
    with pytest.raises(InputError, match=r"holds 2 series but .*metadata.json' 3: they come from two trainings"):
        load_model_files(tmp_path)


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


def _damaged(path: Path, reason: str) -> str:
    return re.escape(f"'{path}' is damaged ({reason}") + r".*re-run 'mmm train'"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(bytes(range(128, 256)) * 3, "not UTF-8 text", id="random-bytes"),
        pytest.param(b'{"channels": ["TV"', "not valid JSON", id="truncated"),
        pytest.param(b"[1, 2]", "expected a JSON object, got list", id="a-list"),
        pytest.param(b'{"channels": []}', "key 'brands' is missing", id="missing-key"),
    ],
)
def test_damaged_metadata_names_the_file(tmp_path: Path, content: bytes, reason: str) -> None:
    (tmp_path / METADATA_FILE).write_bytes(content)
    with pytest.raises(InputError, match=_damaged(tmp_path / METADATA_FILE, reason)):
        ModelMetadata.load(tmp_path)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        pytest.param({"channels": "TV"}, "key 'channels' is not a list", id="channels"),
        pytest.param({"channels": ["TV", 3]}, "key 'channels' holds an entry that is not text", id="channel"),
        pytest.param({"series": [["A", "NORTH"]]}, "key 'series' holds an entry that is not a mapping", id="series"),
        pytest.param({"n_weeks": "104"}, "key 'n_weeks' is '104', not a whole number >= 0", id="n_weeks"),
        pytest.param({"holdout_weeks": -4}, "key 'holdout_weeks' is -4, not a whole number", id="holdout"),
        pytest.param({"max_lag": 7.5}, "key 'max_lag' is 7.5, not a whole number", id="max_lag"),
        pytest.param({"seed": True}, "key 'seed' is True, not a whole number", id="seed"),
        pytest.param(
            {"interval_level": "90%"}, "key 'interval_level' is '90%', not a share between 0 and 1", id="level"
        ),
        pytest.param({"interval_level": 90}, "key 'interval_level' is 90, not a share", id="level-percent"),
        pytest.param({"saturation": None}, "key 'saturation' is None, not text", id="saturation"),
        pytest.param({"scalers": []}, "key 'scalers' is [], not a mapping", id="scalers"),
    ],
)
def test_metadata_with_wrong_types_names_the_key(tmp_path: Path, change: dict[str, object], reason: str) -> None:
    """Before, only the lists were checked: an interval level of "90%" or 90 loaded, and the simulator's
    quantiles or the curves report's week count broke on it later."""
    small_metadata().save(tmp_path)
    raw = json.loads((tmp_path / METADATA_FILE).read_text()) | change
    (tmp_path / METADATA_FILE).write_text(json.dumps(raw))
    with pytest.raises(InputError, match=_damaged(tmp_path / METADATA_FILE, reason)):
        ModelMetadata.load(tmp_path)


def _rewrite(folder: Path, **changes: np.ndarray | None) -> None:
    with np.load(folder / PARAMS_FILE) as data:
        arrays = {name: data[name] for name in data.files}
    for name, value in changes.items():
        if value is None:
            del arrays[name]
        else:
            arrays[name] = value
    np.savez(folder / PARAMS_FILE, **arrays)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        pytest.param(lambda path: path.write_bytes(b""), "not an npz archive", id="empty"),
        pytest.param(lambda path: path.write_bytes(path.read_bytes()[:500]), "not an npz archive", id="truncated"),
        pytest.param(lambda path: path.write_bytes(bytes(range(256)) * 20), "not an npz archive", id="random-bytes"),
        pytest.param(lambda path: _rewrite(path.parent, slope=None), "array 'slope' is missing", id="missing-array"),
        pytest.param(
            lambda path: _rewrite(path.parent, coefficient=np.ones((1, 3))),
            "array 'coefficient' has shape (1, 3), expected (2, 3)",
            id="wrong-shape",
        ),
        pytest.param(
            lambda path: _rewrite(path.parent, lag_weights=np.ones(3)),
            "array 'lag_weights' has shape (3,), expected (markets, lags, channels)",
            id="wrong-rank",
        ),
        pytest.param(
            lambda path: _rewrite(path.parent, cpm=np.array(["a", "b", "c"])), "cannot be read", id="text-numbers"
        ),
        pytest.param(
            lambda path: _rewrite(path.parent, channels=np.arange(3.0)),
            "array 'channels' is not a list of text",
            id="numbers-as-names",
        ),
        pytest.param(
            lambda path: _rewrite(path.parent, series_market=np.array([0, 1])),
            "array 'series_market' names a market outside 0..0",
            id="unknown-market",
        ),
        pytest.param(
            lambda path: _rewrite(path.parent, series_market=np.array([0.0, 0.0])),
            "array 'series_market' is not a list of whole numbers",
            id="fractional-market",
        ),
        pytest.param(
            lambda path: _rewrite(path.parent, saturation=np.array("cubic")),
            "array 'saturation' names 'cubic', not one of hill, sigmoid, logistic",
            id="unknown-saturation",
        ),
        pytest.param(
            lambda path: _rewrite(path.parent, series_region=np.array(["EAST"])),
            "series_region has 1 entries, series_brand 2",
            id="series-mismatch",
        ),
    ],
)
def test_damaged_params_name_the_file(tmp_path: Path, damage, reason: str) -> None:
    small_params().save(tmp_path)
    damage(tmp_path / PARAMS_FILE)
    with pytest.raises(InputError, match=_damaged(tmp_path / PARAMS_FILE, reason)):
        ResponseParams.load(tmp_path)


def _with(array: np.ndarray, index: tuple[int, ...], value: float) -> np.ndarray:
    """A copy of ``array`` with ``value`` at ``index``."""
    changed = np.array(array, dtype=np.float64)
    changed[index] = value
    return changed


@pytest.mark.parametrize(
    ("name", "index", "value"),
    [
        pytest.param("coefficient", (0, 1), np.nan, id="coefficient-nan"),
        pytest.param("half_saturation_draws", (2, 1, 0), np.nan, id="draws-nan"),
        pytest.param("cpm", (2,), np.inf, id="cpm-inf"),
        pytest.param("baseline_sales", (1, 4), -np.inf, id="baseline-minus-inf"),
        pytest.param("saturation_scaling", (0, 0), np.nan, id="optional-nan"),
    ],
)
def test_params_with_nan_or_inf_name_the_file_and_array(
    tmp_path: Path, name: str, index: tuple[int, ...], value: float
) -> None:
    params = small_params()
    params.save(tmp_path)
    _rewrite(tmp_path, **{name: _with(getattr(params, name), index, value)})
    reason = f"array '{name}' holds NaN or infinite values"
    with pytest.raises(InputError, match="^" + _damaged(tmp_path / PARAMS_FILE, reason)) as caught:
        ResponseParams.load(tmp_path)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "index"),
    [("half_saturation", (0, 1)), ("cpm", (2,)), ("slope_draws", (0, 0, 2))],
    ids=["half-saturation", "cpm", "slope-draws"],
)
def test_params_with_a_value_at_or_below_zero_name_the_file_and_array(
    tmp_path: Path, name: str, index: tuple[int, ...]
) -> None:
    """A negative half-saturation printed the whole array without the file, and ``mmm optimize`` took it."""
    params = small_params()
    params.save(tmp_path)
    _rewrite(tmp_path, **{name: _with(getattr(params, name), index, -1.0)})
    reason = f"array '{name}' holds 1 value <= 0 (smallest -1)"
    with pytest.raises(InputError, match="^" + _damaged(tmp_path / PARAMS_FILE, reason)):
        ResponseParams.load(tmp_path)


@pytest.mark.parametrize("name", ["coefficient", "coefficient_draws"])
def test_params_with_a_negative_media_coefficient_are_damaged(tmp_path: Path, name: str) -> None:
    """Before, negated coefficients were read and gave negative expected sales beside positive marginal ROIs."""
    params = small_params()
    params.save(tmp_path)
    array = getattr(params, name)
    _rewrite(tmp_path, **{name: -np.abs(array) - 1.0})
    with pytest.raises(InputError, match=rf"array '{name}' holds {array.size} negative values"):
        ResponseParams.load(tmp_path)


def test_params_with_nan_in_several_arrays_name_each_of_them(tmp_path: Path) -> None:
    params = small_params()
    params.save(tmp_path)
    _rewrite(
        tmp_path,
        exposure=_with(params.exposure, (0, 0, 0), np.nan),
        slope_draws=_with(params.slope_draws, (0, 0, 2), np.nan),
    )
    reason = "arrays 'exposure', 'slope_draws' hold NaN or infinite values"
    with pytest.raises(InputError, match=_damaged(tmp_path / PARAMS_FILE, reason)):
        ResponseParams.load(tmp_path)


def test_model_folder_accepts_the_folder_or_its_keras_file(tmp_path: Path) -> None:
    small_metadata().save(tmp_path)
    assert model_folder(tmp_path) == tmp_path
    assert model_folder(tmp_path / MODEL_FILE) == tmp_path  # absent, but the folder holds the model's files
    with pytest.raises(InputError, match=r"^model file 'nonexistent\.keras' not found; run 'mmm train'"):
        model_folder("nonexistent.keras")
    with pytest.raises(InputError, match=r"is a file, not a model folder; pass the folder or its mmm_model\.keras"):
        model_folder(tmp_path / METADATA_FILE)
    with pytest.raises(InputError, match=r"^model folder '.*nowhere' not found"):
        model_folder(tmp_path / "nowhere")


def _keras_archive(path: Path, names: tuple[str, ...]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "{}")


def test_model_file_problem_checks_the_keras_archive(tmp_path: Path) -> None:
    path = tmp_path / MODEL_FILE
    assert model_file_problem(tmp_path) == f"'{path}' is missing"
    path.write_bytes(bytes(range(256)))
    assert model_file_problem(tmp_path) == f"'{path}' is damaged (not a readable .keras archive)"
    path.unlink()
    _keras_archive(path, ("metadata.json",))
    assert model_file_problem(tmp_path) == f"'{path}' is damaged (the archive holds no config.json)"
    with pytest.raises(InputError, match=re.escape(f"'{path}' is damaged") + ".*re-run 'mmm train'"):
        require_model_file(tmp_path)
    path.unlink()
    _keras_archive(path, ("metadata.json", "config.json", "model.weights.h5"))
    assert model_file_problem(tmp_path) is None
    assert require_model_file(tmp_path) == path


def market_params(seed: int, brand: str, n_series: int) -> ResponseParams:
    """A one-market model of ``n_series`` series of ``brand``, its own carryover and slopes."""
    rng = np.random.default_rng(seed)
    s, c, lags, d = n_series, 3, 4, 6
    return hand_params(
        rng,
        (brand,) * s,
        tuple(f"R{i}" for i in range(s)),
        lag_weights=rng.uniform(0, 1, (lags, c)),
        half_saturation=rng.uniform(1, 2, (s, c)),
        slope=rng.uniform(0.5, 2, c),
        lag_weights_draws=rng.uniform(0, 1, (d, lags, c)),
        half_saturation_draws=rng.uniform(1, 2, (d, s, c)),
        slope_draws=rng.uniform(0.5, 2, (d, c)),
        saturation_scaling=rng.uniform(0, 1, c),
        saturation_scaling_draws=rng.uniform(0, 1, (d, c)),
    )


def merged_markets() -> tuple[ResponseParams, list[tuple[str, np.ndarray, ResponseParams]]]:
    """Brand A's 2 series and brand B's 3, interleaved in the panel (B, A, B, A, B)."""
    parts = [("A", np.array([1, 3]), market_params(1, "A", 2)), ("B", np.array([0, 2, 4]), market_params(2, "B", 3))]
    return ResponseParams.merge(parts, 5), parts


def test_a_model_without_markets_is_one_market() -> None:
    params = small_params()
    assert params.markets == ("all",) and params.n_markets == 1
    np.testing.assert_array_equal(params.series_market, [0, 0])
    assert params.lag_weights.shape == (1, 4, 3) and params.lag_weights_draws.shape == (6, 1, 4, 3)
    assert params.slope.shape == (1, 3) and params.saturation_scaling.shape == (1, 3)
    np.testing.assert_array_equal(params.carry_sum, np.broadcast_to(params.lag_weights[0].sum(axis=0), (2, 3)))
    np.testing.assert_array_equal(params.typical_lag_weights, params.lag_weights[0])


def test_merged_markets_keep_each_series_own_response() -> None:
    merged, parts = merged_markets()
    assert merged.markets == ("A", "B") and merged.series_brand == ("B", "A", "B", "A", "B")
    np.testing.assert_array_equal(merged.series_market, [1, 0, 1, 0, 1])
    for m, (_, rows, part) in enumerate(parts):
        np.testing.assert_array_equal(merged.coefficient[rows], part.coefficient)
        np.testing.assert_array_equal(merged.coefficient_draws[:, rows], part.coefficient_draws)
        np.testing.assert_array_equal(merged.carry_sum[rows], np.broadcast_to(part.carry_sum, (len(rows), 3)))
        np.testing.assert_array_equal(merged.carry_sum_draws[:, rows], part.carry_sum_draws)
        np.testing.assert_array_equal(merged.series_slope[rows], part.series_slope)
        np.testing.assert_array_equal(merged.series_slope_draws[:, rows], part.series_slope_draws)
        alone = merged.market(m)
        for name in ("lag_weights", "slope", "saturation_scaling", "exposure", "half_saturation_draws"):
            np.testing.assert_array_equal(getattr(alone, name), getattr(part, name))
        assert alone.series_brand == part.series_brand and alone.markets == (parts[m][0],)
    # Averages over series weigh each market by its series: 2 of 5 and 3 of 5.
    expected = 0.4 * parts[0][2].lag_weights[0] + 0.6 * parts[1][2].lag_weights[0]
    np.testing.assert_allclose(merged.typical_lag_weights, expected, rtol=1e-12)
    np.testing.assert_allclose(merged.typical_slope, 0.4 * parts[0][2].slope[0] + 0.6 * parts[1][2].slope[0])


def test_merged_markets_round_trip(tmp_path: Path) -> None:
    merged, _ = merged_markets()
    merged.save(tmp_path)
    loaded = ResponseParams.load(tmp_path)
    assert loaded.markets == ("A", "B")
    np.testing.assert_array_equal(loaded.series_market, merged.series_market)
    for name in ("lag_weights", "lag_weights_draws", "slope_draws", "saturation_scaling", "coefficient"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(merged, name))


def test_a_file_saved_before_markets_loads_as_one_market(tmp_path: Path) -> None:
    params = small_params()
    params.save(tmp_path)
    _rewrite(
        tmp_path,
        markets=None,
        series_market=None,
        lag_weights=params.lag_weights[0],
        lag_weights_draws=params.lag_weights_draws[:, 0],
        slope=params.slope[0],
        slope_draws=params.slope_draws[:, 0],
        saturation_scaling=None,
        saturation_scaling_draws=None,
    )
    loaded = ResponseParams.load(tmp_path)
    assert loaded.markets == ("all",)
    np.testing.assert_array_equal(loaded.lag_weights, params.lag_weights)
    np.testing.assert_array_equal(loaded.saturation_scaling, np.ones((1, 3)))


def test_merge_refuses_markets_that_do_not_tile_the_panel() -> None:
    _, parts = merged_markets()
    with pytest.raises(ValueError, match="cover the panel exactly once"):
        ResponseParams.merge(parts, 6)
    with pytest.raises(ValueError, match="cover the panel exactly once"):
        ResponseParams.merge([parts[0], ("B", np.array([0, 1, 4]), parts[1][2])], 5)
    other_form = ("B", parts[1][1], dataclasses.replace(parts[1][2], saturation="logistic"))
    with pytest.raises(ValueError, match="differ in form"):
        ResponseParams.merge([parts[0], other_form], 5)


def test_model_file_problem_of_a_model_fitted_per_market(tmp_path: Path) -> None:
    markets = tmp_path / MARKETS_DIR
    for name in ("brand=A", "brand=B"):
        (markets / name).mkdir(parents=True)
        _keras_archive(markets / name / MODEL_FILE, ("config.json",))
    assert model_file_problem(tmp_path) is None
    (markets / "brand=B" / MODEL_FILE).write_bytes(b"")
    assert (
        model_file_problem(tmp_path)
        == f"'{markets / 'brand=B' / MODEL_FILE}' is damaged (not a readable .keras archive)"
    )


def test_scatter_series_puts_each_part_back_on_its_series_axis() -> None:
    draws_first = [(np.array([2, 0]), np.arange(6.0).reshape(3, 2)), (np.array([1]), np.full((3, 1), -1.0))]
    out = scatter_series(draws_first, 3, axis=1)
    np.testing.assert_array_equal(out, [[1.0, -1.0, 0.0], [3.0, -1.0, 2.0], [5.0, -1.0, 4.0]])
    series_first = [(rows, part.T) for rows, part in draws_first]
    np.testing.assert_array_equal(scatter_series(series_first, 3), out.T)


def test_segment_curves_round_trip_and_follow_their_series_through_markets(tmp_path: Path) -> None:
    merged, parts = merged_markets()
    rng = np.random.default_rng(5)
    own = dataclasses.replace(
        merged, **{name: rng.uniform(0.5, 1.5, merged.coefficient.shape) for name in SEGMENT_FIELDS}
    )
    own.save(tmp_path)
    loaded = ResponseParams.load(tmp_path)
    for name in SEGMENT_FIELDS:
        np.testing.assert_array_equal(getattr(loaded, name), getattr(own, name))
        for m, (_, rows, _) in enumerate(parts):
            np.testing.assert_array_equal(getattr(own.market(m), name), getattr(own, name)[rows])


def test_a_file_saved_before_segment_curves_puts_every_series_on_the_fitted_curve(tmp_path: Path) -> None:
    small_params().save(tmp_path)
    _rewrite(tmp_path, **dict.fromkeys(SEGMENT_FIELDS))
    loaded = ResponseParams.load(tmp_path)
    for name in SEGMENT_FIELDS:
        expected = 1.0 if name == "segment_coefficient_factor" else 0.0
        np.testing.assert_array_equal(getattr(loaded, name), np.full((2, 3), expected))


def test_segment_curves_of_the_wrong_shape_or_not_finite_name_the_array(tmp_path: Path) -> None:
    small_params().save(tmp_path)
    _rewrite(tmp_path, segment_slope_spread=np.zeros((3, 3)))
    with pytest.raises(InputError, match="segment_slope_spread.*expected \\(2, 3\\)"):
        ResponseParams.load(tmp_path)
    _rewrite(tmp_path, segment_slope_spread=np.full((2, 3), np.nan))
    with pytest.raises(InputError, match="'segment_slope_spread' holds NaN"):
        ResponseParams.load(tmp_path)
