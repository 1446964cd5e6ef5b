"""Media analyses: exposure and spend over time, flighting, collinearity, VIF, lags and response shape."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from statsmodels.stats.outliers_influence import variance_inflation_factor

from mmm_analytics.channels import Channels
from mmm_analytics.data import schema
from mmm_analytics.eda import defaults
from mmm_analytics.eda.outcome import NotApplicable, require_weeks
from mmm_analytics.eda.prepare import PanelView, series_index
from mmm_analytics.eda.smoothing import Scatter, scatter
from mmm_analytics.style.numbers import counted


@dataclass(frozen=True, slots=True)
class ChannelExposure:
    """National weekly exposure per channel, shape (n_weeks, n_channels), with each channel's unit."""

    exposure: pd.DataFrame
    units: dict[str, str]
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"weekly_exposure": self.exposure.reset_index()}


@dataclass(frozen=True, slots=True)
class Spend:
    """National weekly spend per channel (INR), shape (n_weeks, n_channels), and each channel's share."""

    weekly: pd.DataFrame
    share: pd.DataFrame
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"spend_share": self.share}


@dataclass(frozen=True, slots=True)
class Flighting:
    """Weekly exposure as a share of each channel's peak week, shape (n_channels, n_weeks), in [0, 1]."""

    level: pd.DataFrame
    summary: pd.DataFrame
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"flighting_summary": self.summary}


@dataclass(frozen=True, slots=True)
class Correlation:
    """Pearson correlation of geo x brand weekly indexes (series mean = 1) of sales and each channel."""

    matrix: pd.DataFrame
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"correlation": self.matrix.rename_axis("variable").reset_index()}


@dataclass(frozen=True, slots=True)
class Pair:
    """Two channels' geo x brand weekly exposure indexes (a sample of points), their brands and correlation."""

    x_channel: str
    y_channel: str
    points: pd.DataFrame
    correlation: float
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {}


@dataclass(frozen=True, slots=True)
class Vif:
    """Variance inflation factor of each channel's exposure index given the others."""

    table: pd.DataFrame
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"vif": self.table}


@dataclass(frozen=True, slots=True)
class CrossCorrelation:
    """corr(sales index in week t, exposure index in week t - lag), shape (n_channels, n_lags)."""

    matrix: pd.DataFrame
    notes: tuple[str, ...] = ()

    @property
    def best(self) -> pd.DataFrame:
        """Per channel, the lag (weeks) with the largest correlation and that correlation."""
        return pd.DataFrame(
            {
                "channel": self.matrix.index,
                "best_lag_weeks": self.matrix.idxmax(axis=1).to_numpy(),
                "correlation": self.matrix.max(axis=1).to_numpy(),
            }
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        wide = self.matrix.rename(columns=lambda lag: f"lag_{lag}").rename_axis("channel").reset_index()
        return {"cross_correlation": wide}


@dataclass(frozen=True, slots=True)
class LaggedResponse:
    """Sales index against each channel's exposure index at its best lag, with a LOWESS curve."""

    panels: dict[str, Scatter]
    lags: dict[str, int]
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {}


def _indexed(view: PanelView, names: list[str]) -> pd.DataFrame:
    """Geo x brand weekly sales index plus one exposure index column per channel name."""
    columns = [view.channels[name] for name in names]
    index = series_index(view.series, columns).set_axis(names, axis=1)
    keys = view.series[[*defaults.SERIES_KEY, schema.DATE, defaults.SALES_INDEX]]
    return pd.concat([keys, index], axis=1)


def _need_active(view: PanelView, count: int, what: str) -> list[str]:
    active = view.active_channels
    if len(active) < count:
        raise NotApplicable(
            f"{what} needs at least {counted(count, 'channel')} with varying exposure; found {len(active)}"
        )
    return active


def channel_exposure(view: PanelView) -> ChannelExposure:
    """National weekly exposure of every channel (impressions, readers or listeners)."""
    exposure = pd.DataFrame({name: view.weekly[column] for name, column in view.channels.items()})
    units = {name: defaults.unit_of(column) or "exposures per week" for name, column in view.channels.items()}
    return ChannelExposure(exposure, units)


def _cpm_inr(table: Channels, name: str, exposure: float, spend: float) -> float:
    """INR per 1000 exposures: the configured CPM, or for a spend-column channel the one its spend implies."""
    if table.spend_column_of(name) is None:
        return table.cpm_of(name)
    return 1000.0 * spend / exposure if exposure > 0 else float("nan")


def spend_share(view: PanelView) -> Spend:
    """Weekly spend (INR; ``Channels.spend``: the spend column, else exposure x cpm / 1000) and each
    channel's share of total spend; the same spend the model's ROIs divide by."""
    totals = view.spend.sum()
    if totals.sum() <= 0:
        raise NotApplicable("no channel has any exposure: there is no spend to split")
    exposure = [view.weekly[view.channels[name]].sum() for name in totals.index]
    share = pd.DataFrame(
        {
            "channel": totals.index,
            "cpm_inr": [_cpm_inr(view.channel_table, name, e, s) for name, e, s in zip(totals.index, exposure, totals)],
            "exposure": exposure,
            "spend_inr": totals.to_numpy(),
            "share_pct": (100.0 * totals / totals.sum()).to_numpy(),
        }
    )
    return Spend(view.spend, share)


def flighting(view: PanelView) -> Flighting:
    """Exposure relative to each channel's peak week, plus how bursty each channel is."""
    exposure = channel_exposure(view).exposure
    peak = exposure.max()
    level = (exposure / peak.where(peak > 0, np.nan)).fillna(0.0).T
    summary = pd.DataFrame(
        {
            "channel": exposure.columns,
            "weeks_on_air": (exposure > 0).sum().to_numpy(),
            "weeks_above_half_peak": (level.T >= 0.5).sum().to_numpy(),
            "peak_week": [exposure[c].idxmax().date().isoformat() if peak[c] > 0 else "" for c in exposure],
            "mean_weekly_exposure": exposure.mean().to_numpy(),
            "coefficient_of_variation": (exposure.std() / exposure.mean().where(exposure.mean() > 0)).to_numpy(),
        }
    )
    return Flighting(level, summary)


def channel_correlation(view: PanelView) -> Correlation:
    """Correlation of sales and channel exposure indexes across geo x brand weeks."""
    active = _need_active(view, 2, "a channel correlation matrix")
    require_weeks(view.n_weeks, "a channel correlation matrix")
    frame = _indexed(view, active)
    matrix = frame[[defaults.SALES_INDEX, *active]].rename(columns={defaults.SALES_INDEX: "Sales"}).corr()
    return Correlation(matrix)


def collinear_pair(view: PanelView) -> Pair:
    """YouTube against Instagram when both vary, otherwise the most correlated pair of channels."""
    active = _need_active(view, 2, "a collinearity scatter")
    require_weeks(view.n_weeks, "a collinearity scatter")
    frame = _indexed(view, active)
    wanted = defaults.DEFAULT_PAIR
    if not set(wanted) <= set(active):
        matrix = frame[active].corr().abs()
        wanted = max(combinations(active, 2), key=lambda pair: matrix.loc[pair[0], pair[1]])
    x, y = wanted
    points = frame[[schema.BRAND, x, y]].dropna()
    if len(points) < 3 or points[x].std() == 0 or points[y].std() == 0:
        raise NotApplicable(f"{x} and {y} exposure indexes do not vary across geo x brand weeks")
    shown = points.sample(min(len(points), defaults.MAX_SCATTER_POINTS), random_state=defaults.SAMPLE_SEED)
    return Pair(x, y, shown, float(points[x].corr(points[y])))


def vif(view: PanelView) -> Vif:
    """VIF of each channel's exposure index (statsmodels), with a constant in the design."""
    names = _need_active(view, 2, "variance inflation factors")
    indexed = _indexed(view, names)
    active = [name for name in names if indexed[name].std() > 0]
    values = indexed[active].dropna().to_numpy()
    if len(active) < 2 or len(values) <= len(active) + 1:
        raise NotApplicable(
            f"VIF needs more geo x brand weeks ({len(values)}) than varying channels ({len(active)}) plus one"
        )
    design = np.column_stack([np.ones(len(values)), values])
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # perfectly collinear channels give VIF = inf, reported as such
        factors = [float(variance_inflation_factor(design, k + 1)) for k in range(len(active))]
    table = pd.DataFrame({"channel": active, "vif": factors})
    table["assessment"] = np.select(
        [table["vif"] >= defaults.VIF_SEVERE, table["vif"] >= defaults.VIF_WARNING], ["severe", "moderate"], "low"
    )
    return Vif(table.sort_values("vif", ascending=False, ignore_index=True))


def cross_correlation(view: PanelView, max_lag: int = defaults.MAX_LAG_WEEKS) -> CrossCorrelation:
    """Correlation of this week's sales index with each channel's exposure index ``lag`` weeks earlier."""
    active = _need_active(view, 1, "a cross-correlation")
    require_weeks(view.n_weeks, "a cross-correlation")
    frame = _indexed(view, active)
    grouped = frame.groupby(list(defaults.SERIES_KEY))[active]
    lags = range(min(max_lag, view.n_weeks - defaults.MIN_CORRELATION_WEEKS) + 1)
    matrix = pd.DataFrame({lag: grouped.shift(lag).corrwith(frame[defaults.SALES_INDEX]) for lag in lags})
    matrix = matrix.rename_axis(columns="lag_weeks").loc[active].dropna(how="all")
    if matrix.empty:
        raise NotApplicable("neither sales nor any channel's exposure varies within a geo x brand series")
    dropped = [name for name in active if name not in matrix.index]
    notes = tuple(f"{name}'s exposure never varies within a series: left out" for name in dropped)
    return CrossCorrelation(matrix, notes)


def lagged_response(view: PanelView) -> LaggedResponse:
    """Sales index against each channel's exposure index at its best lag, with LOWESS smoothing."""
    cross = cross_correlation(view)
    best = cross.best.set_index("channel")["best_lag_weeks"].astype(int).to_dict()
    frame = _indexed(view, list(best))
    grouped = frame.groupby(list(defaults.SERIES_KEY))
    panels = {name: scatter(grouped[name].shift(lag), frame[defaults.SALES_INDEX]) for name, lag in best.items()}
    return LaggedResponse(panels, best, cross.notes)
