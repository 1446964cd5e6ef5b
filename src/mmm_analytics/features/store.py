"""Write and read ``features.parquet`` (+ ``features_meta.json``) without losing the array layout."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from mmm_analytics.config.features import FeatureConfig
from mmm_analytics.data.schema import MIN_TRAINING_WEEKS
from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import FeaturePanel, partly_observed
from mmm_analytics.features.scaling import Scalers
from mmm_analytics.response import carryover, saturation
from mmm_analytics.utils.io import read_json_object, read_parquet, source_record, write_json, write_parquet
from mmm_analytics.utils.paths import require_readable

META_SUFFIX = "_meta.json"


def meta_path(parquet_path: Path) -> Path:
    return parquet_path.with_name(parquet_path.stem + META_SUFFIX)


#: The column that marks a features file (no panel file has it).
SERIES_ID = "series_id"


def is_features_file(path: Path) -> bool | None:
    """Whether ``path`` is a parquet file with the features' ``series_id`` column (read from its
    schema alone); None when it is not a readable parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return SERIES_ID in pq.read_schema(path).names
    except (OSError, ValueError, pa.ArrowException):
        return None


def require_features_file(path: Path, option: str) -> None:
    """Refuse, naming ``option``, a file that is not the ``features.parquet`` of ``mmm features``
    (the raw panel CSV, the cleaned panel); a damaged ``.parquet`` is left to :func:`load_panel`."""
    found = is_features_file(path)
    if found or (found is None and path.suffix.lower() == ".parquet"):
        return
    raise InputError(
        f"{option} '{path}' is not a features file; {option} must be the features.parquet written by "
        f"'mmm features' (run it on the panel first), e.g. {option} data/processed/features.parquet"
    )


def fixed_transform_columns(panel: FeaturePanel, config: FeatureConfig) -> np.ndarray:
    """Adstocked and saturated media with the fixed parameters of ``feature_config.yaml``, (S, T, C)."""
    out = np.empty_like(panel.exposure)
    scaled = panel.scaled_exposure
    for c, channel in enumerate(panel.channels):
        spec = config.transform_for(channel)
        carried = carryover.beta_gamma_decay(scaled[..., c], spec.carryover_beta, spec.retention, config.max_lag)
        out[..., c] = saturation.hill(carried, spec.half_saturation, spec.slope)
    return out


def to_frame(panel: FeaturePanel, config: FeatureConfig) -> pd.DataFrame:
    """One row per series and week: raw, scaled and fixed-transform media, the controls and their
    whitened components (``control_component_1`` ...)."""
    n_series, n_weeks = panel.sales.shape
    rows = {
        "series_id": np.repeat(np.arange(n_series), n_weeks),
        "Geo": np.repeat(panel.geo, n_weeks),
        "Brand": np.repeat(panel.brand, n_weeks),
        "Date": np.tile(panel.dates.to_numpy(), n_series),
        "is_holdout": np.tile(np.arange(n_weeks) >= panel.n_train_weeks, n_series),
        "Sales_Value": panel.sales.ravel(),
        "sales_observed": panel.observed.ravel() > 0,
        "relative_price": panel.relative_price.ravel(),
    }
    if panel.sku is not None:
        rows["SKU"] = np.repeat(panel.sku, n_weeks)
    fixed = fixed_transform_columns(panel, config)
    for c, channel in enumerate(panel.channels):
        rows[f"exposure_{channel}"] = panel.exposure[..., c].ravel()
        rows[f"spend_{channel}"] = panel.spend[..., c].ravel()
        rows[f"scaled_exposure_{channel}"] = panel.scaled_exposure[..., c].ravel()
        rows[f"fixed_{channel}"] = fixed[..., c].ravel()
    for k, name in enumerate(panel.control_names):
        rows[f"control_{name}"] = panel.controls[..., k].ravel()
    # The model reads the whitened components, one per direction the controls vary in: fewer than the
    # controls when one is constant or a copy of others (the features notes say which).
    components = panel.scaled_controls
    for j in range(components.shape[-1]):
        rows[f"control_component_{j + 1}"] = components[..., j].ravel()
    return pd.DataFrame(rows)


#: The meta key naming the file the features were built from: ``{"path": as given, "sha256": its bytes' digest}``.
SOURCE_KEY = "source"


def save_panel(panel: FeaturePanel, path: Path, config: FeatureConfig, source: Path | None = None) -> Path:
    """Write the features and their meta file; ``source`` (the cleaned panel or CSV read) is
    recorded by path and digest, so a later step can tell whether that file changed since."""
    meta = panel.meta() | {"granularity": config.granularity.value}
    if source is not None:
        meta[SOURCE_KEY] = source_record(source)
    write_parquet(path, to_frame(panel, config))
    write_json(meta_path(path), meta)
    return path


def recorded_source(path: Path) -> tuple[Path, str] | None:
    """The file the features at ``path`` were built from and its digest then, as recorded by
    :func:`save_panel`; None when the meta file records none (features of an earlier version)
    or cannot be read."""
    return source_in(meta_path(path))


def source_in(record: Path) -> tuple[Path, str] | None:
    """The file and digest the JSON file ``record`` names under :data:`SOURCE_KEY` (a features meta file, the
    model folder's copy of it, the EDA's record); None when it names none or cannot be read."""
    try:
        source = json.loads(record.read_text(encoding="utf-8"))[SOURCE_KEY]
        return Path(source["path"]), str(source["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


#: What :func:`load_panel` reads from the meta file written beside the features.
META_KEYS: tuple[str, ...] = ("channels", "control_names", "cpm", "holdout_weeks", "scalers")


def load_panel(path: Path) -> FeaturePanel:
    """Read a panel written by :func:`save_panel`; errors name the missing or damaged file."""
    meta_file = meta_path(path)
    for file in (path, meta_file):
        require_readable(file, "run 'mmm features' to make it")
    remedy = "re-run 'mmm features' to rebuild it"
    meta = read_json_object(meta_file, remedy)
    for key in META_KEYS:
        if key not in meta:
            raise InputError(f"{meta_file}: key '{key}' is missing; {remedy}")
    frame = read_parquet(path, remedy)
    channels, controls = meta["channels"], meta["control_names"]
    needed = ["series_id", "Date", "Geo", "Brand", "Sales_Value", "relative_price"]
    needed += [f"exposure_{c}" for c in channels] + [f"control_{k}" for k in controls]
    for column in needed:
        if column not in frame.columns:
            raise InputError(f"{path}: column '{column}' is missing (not a features file?); {remedy}")
    if frame.empty:
        raise InputError(f"{path}: no rows; {remedy}")
    ids = frame["series_id"]
    if not pd.api.types.is_integer_dtype(ids) or int(ids.min()) < 0:
        raise InputError(f"{path}: column 'series_id' does not hold series numbers; {remedy}")
    n_series = int(ids.max()) + 1
    n_weeks = len(frame) // n_series
    if n_weeks == 0 or ids.nunique() != n_series or (ids.value_counts() != n_weeks).any():
        raise InputError(f"{path}: the series do not all have the same weeks; {remedy}")
    if not pd.api.types.is_datetime64_any_dtype(frame["Date"]):
        raise InputError(f"{path}: column 'Date' holds {frame['Date'].dtype} values, not dates; {remedy}")
    # Rows in another order (a file re-sorted by date) are the same features: the cubes below need series then week.
    frame = frame.sort_values(["series_id", "Date"], kind="stable").reset_index(drop=True)
    _check_weeks(frame, n_series, n_weeks, path, remedy)
    _check_values(frame, [c for c in needed if c not in ("series_id", "Date", "Geo", "Brand")], path, remedy)
    first = frame[frame["series_id"] == 0]

    def cube(columns: list[str]) -> np.ndarray:
        return frame[columns].to_numpy(dtype=np.float64).reshape(n_series, n_weeks, len(columns))

    per_series = frame.groupby("series_id").first()
    # A features file written before the column was kept has every week's sales observed.
    observed = frame["sales_observed"].astype(bool).to_numpy() if "sales_observed" in frame.columns else None
    try:
        cpm = np.asarray(meta["cpm"], dtype=np.float64)
        holdout_weeks = int(meta["holdout_weeks"])
        scalers = Scalers.from_dict(meta["scalers"])
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"{meta_file}: a damaged value ({type(error).__name__}: {error}); {remedy}") from None
    if cpm.shape != (len(channels),) or not (np.isfinite(cpm).all() and (cpm > 0).all()):
        raise InputError(f"{meta_file}: key 'cpm' is not one finite, positive CPM per channel; {remedy}")
    if isinstance(meta["holdout_weeks"], bool) or not 0 <= holdout_weeks <= n_weeks - MIN_TRAINING_WEEKS:
        raise InputError(
            f"{meta_file}: key 'holdout_weeks' is {meta['holdout_weeks']!r}, not 0 to {n_weeks - MIN_TRAINING_WEEKS} "
            f"weeks of the {n_weeks}; {remedy}"
        )
    return FeaturePanel(
        dates=pd.DatetimeIndex(first["Date"]),
        geo=tuple(per_series["Geo"].astype(str)),
        brand=tuple(per_series["Brand"].astype(str)),
        sku=tuple(per_series["SKU"].astype(str)) if "SKU" in frame.columns else None,
        channels=tuple(channels),
        cpm=cpm,
        exposure=cube([f"exposure_{c}" for c in channels]),
        sales=cube(["Sales_Value"])[..., 0],
        relative_price=cube(["relative_price"])[..., 0],
        controls=cube([f"control_{k}" for k in controls]),
        control_names=tuple(controls),
        holdout_weeks=holdout_weeks,
        scalers=scalers,
        sales_observed=partly_observed(None if observed is None else observed.reshape(n_series, n_weeks)),
        notes=tuple(str(note) for note in meta.get("notes", ())),
    )


def _check_weeks(frame: pd.DataFrame, n_series: int, n_weeks: int, path: Path, remedy: str) -> None:
    """Every series (rows sorted by series then date) holds the same weeks, one row each, 7 days apart."""
    dates = frame["Date"].to_numpy().reshape(n_series, n_weeks)
    if (dates != dates[:1]).any():
        series = int(np.flatnonzero((dates != dates[:1]).any(axis=1))[0])
        raise InputError(f"{path}: series {series} does not have the same weeks as series 0; {remedy}")
    steps = np.diff(dates[0]).astype("timedelta64[D]").astype(np.int64)
    if (steps != 7).any():
        k = int(np.flatnonzero(steps != 7)[0])
        raise InputError(
            f"{path}: week {pd.Timestamp(dates[0, k]).date()} is followed by {pd.Timestamp(dates[0, k + 1]).date()} "
            f"({steps[k]} days), not the next week; {remedy}"
        )


def _check_values(frame: pd.DataFrame, columns: list[str], path: Path, remedy: str) -> None:
    """The numeric columns the model reads are finite; sales and exposures are >= 0 and the relative price > 0."""
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
        if not np.isfinite(values).all():
            raise InputError(f"{path}: column '{column}' holds a missing or non-finite value; {remedy}")
        low = 0.0 if column != "relative_price" else np.nextafter(0.0, 1.0)
        if (column == "Sales_Value" or column.startswith("exposure_") or column == "relative_price") and (
            values < low
        ).any():
            bound = "> 0" if column == "relative_price" else ">= 0"
            raise InputError(f"{path}: column '{column}' holds a value that is not {bound}; {remedy}")
