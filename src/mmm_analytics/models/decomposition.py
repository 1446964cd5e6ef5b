"""Split the model's predicted Sales_Value into base, price, promotions and each channel.

Every part comes from running the model on changed inputs (counterfactuals), in an
order that makes the parts add up to the prediction exactly:

- ``channel c`` = pred - pred(channel c's exposure at 0 in every week);
- ``price`` = pred(all media at 0) - pred(all media at 0, relative price at 1, the
  brand reference price);
- ``promotions`` = pred(all media at 0, price at 1) - base;
- ``base`` = pred(all media at 0, price at 1, promotion flags at 0).

The promotion flags are the panel's controls named ``*_Flag`` (:func:`promotion_controls`
reads them from the features metadata ``control_names``), unless the caller names them.

Media enter the model additively and each channel's carryover and saturation use only
that channel, so the channel parts add up to pred - pred(all media at 0) and
base + price + promotions + channels = pred (up to floating-point rounding).
All parts are Sales_Value in INR of shape (S, T) (channels (S, T, C)).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
import numpy.typing as npt
import pandas as pd

from mmm_analytics.channels import reserved_names
from mmm_analytics.errors import InputError
from mmm_analytics.features.panel import FeaturePanel
from mmm_analytics.models.inputs import model_inputs
from mmm_analytics.models.mmm import MarketingMixModel
from mmm_analytics.utils.words import numbered

type Grid = npt.NDArray[np.float64]
type Inputs = dict[str, np.ndarray]

#: Name suffix of the controls set to 0 for the base (the promotion flags).
PROMOTION_SUFFIX = "_Flag"
#: Parts other than the channels, in decomposition order.
NON_MEDIA_PARTS: tuple[str, ...] = ("base", "price", "promotions")
#: Columns of ``decomposition.csv`` before the parts.
KEY_COLUMNS: tuple[str, ...] = ("date", "brand", "region")


@dataclass(frozen=True, slots=True)
class Decomposition:
    """Predicted Sales_Value (INR) and its parts.

    Attributes
    ----------
    channels : tuple of str, length C
    predicted, base, price, promotions : ndarray of shape (S, T), INR per week
    media : ndarray of shape (S, T, C), INR per week, one part per channel
    """

    channels: tuple[str, ...]
    predicted: Grid
    base: Grid
    price: Grid
    promotions: Grid
    media: Grid

    def parts(self) -> dict[str, Grid]:
        """Every part of shape (S, T), in order: base, price, promotions, then the channels."""
        named = {"base": self.base, "price": self.price, "promotions": self.promotions}
        return named | {channel: self.media[..., c] for c, channel in enumerate(self.channels)}

    def national(self) -> dict[str, Grid]:
        """Every part summed over series: weekly national series of shape (T,)."""
        return {name: part.sum(axis=0) for name, part in self.parts().items()}

    def totals(self) -> dict[str, float]:
        """Every part summed over series and weeks (INR)."""
        return {name: float(part.sum()) for name, part in self.parts().items()}


def _predict(model: MarketingMixModel, x: Inputs) -> Grid:
    """Predicted Sales_Value (INR), shape (S, T)."""
    sales = keras.ops.convert_to_numpy(model(x)["sales"])
    return np.asarray(sales, dtype=np.float64) * float(model.sales_scale)


def promotion_controls(control_names: Sequence[str]) -> tuple[str, ...]:
    """The promotion flags among ``control_names`` (the features metadata), in their order."""
    return tuple(name for name in control_names if name.endswith(PROMOTION_SUFFIX))


def _without_promotions(panel: FeaturePanel, promotions: Sequence[str]) -> np.ndarray:
    """Scaled controls (S, T, K') with the promotion flags at 0."""
    raw = panel.controls.copy()
    for name in promotions:
        if name in panel.control_names:
            raw[..., panel.control_names.index(name)] = 0.0
    return panel.scalers.scale_controls(raw)


def counterfactuals(panel: FeaturePanel, promotions: Sequence[str] | None = None) -> dict[str, Inputs]:
    """Model inputs of the prediction and of every counterfactual, keyed by name.

    Keys: ``predicted``, ``no_media``, ``no_media_price``, ``base`` and ``without:<channel>``.
    ``promotions`` names the controls set to 0 for the base (default: :func:`promotion_controls`
    of the panel's controls); names the panel lacks are skipped.
    """
    if promotions is None:
        promotions = promotion_controls(panel.control_names)
    x = model_inputs(panel).x
    media = x["media"]
    no_media = x | {"media": np.zeros_like(media)}
    no_price = no_media | {"relative_price": np.ones_like(x["relative_price"])}
    base = no_price | {"controls": _without_promotions(panel, promotions).astype(x["controls"].dtype)}
    variants = {"predicted": x, "no_media": no_media, "no_media_price": no_price, "base": base}
    for c, channel in enumerate(panel.channels):
        without = media.copy()
        without[..., c] = 0.0
        variants[f"without:{channel}"] = x | {"media": without}
    return variants


def decompose(model: MarketingMixModel, panel: FeaturePanel, promotions: Sequence[str] | None = None) -> Decomposition:
    """Run the model on the prediction's inputs and every counterfactual (4 + C forward passes).

    ``promotions``: the controls set to 0 for the base (see :func:`counterfactuals`).
    """
    _check_channel_names(panel.channels)
    runs = {name: _predict(model, x) for name, x in counterfactuals(panel, promotions).items()}
    predicted = runs["predicted"]
    media = np.stack([predicted - runs[f"without:{channel}"] for channel in panel.channels], axis=-1)
    return Decomposition(
        channels=tuple(panel.channels),
        predicted=predicted,
        base=runs["base"],
        price=runs["no_media"] - runs["no_media_price"],
        promotions=runs["no_media_price"] - runs["base"],
        media=media,
    )


def average_decompositions(fits: Sequence[Decomposition]) -> Decomposition:
    """The decomposition of ``fits`` (of the same panel) weighed equally, each part the mean of theirs:
    the chosen form's fit and the pooled ones', as the ROIs and the advice weigh them. Each fit's parts
    add up to its prediction, so the averaged parts add up to the averaged prediction."""
    first, *others = fits
    if not others:
        return first

    def mean(pick: Callable[[Decomposition], Grid]) -> Grid:
        return np.mean([pick(fit) for fit in fits], axis=0)

    return Decomposition(
        channels=first.channels,
        predicted=mean(lambda fit: fit.predicted),
        base=mean(lambda fit: fit.base),
        price=mean(lambda fit: fit.price),
        promotions=mean(lambda fit: fit.promotions),
        media=mean(lambda fit: fit.media),
    )


def _check_channel_names(channels: tuple[str, ...]) -> None:
    """A panel built outside ``data_config.yaml`` (whose channels are checked on loading) may still clash."""
    if clash := reserved_names(channels):
        raise InputError(
            f"data_config.yaml channels: the {numbered(len(clash), 'name')} {clash} "
            f"{numbered(len(clash), 'is', 'are')} reserved for the decomposition; rename {numbered(len(clash), 'it', 'them')}"
        )


def decomposition_frame(decomposition: Decomposition, panel: FeaturePanel) -> pd.DataFrame:
    """Long table, one row per series and week (INR per week).

    Columns: ``date, brand, region`` (``sku`` too at SKU granularity), ``actual,
    predicted, base, price, promotions`` and one column per channel.
    """
    n_series, n_weeks = decomposition.predicted.shape
    frame = pd.DataFrame(
        {
            "date": np.tile(panel.dates.strftime("%Y-%m-%d").to_numpy(), n_series),
            "brand": np.repeat(np.asarray(panel.brand, dtype=object), n_weeks),
            "region": np.repeat(np.asarray(panel.geo, dtype=object), n_weeks),
        }
    )
    if panel.sku is not None:
        frame["sku"] = np.repeat(np.asarray(panel.sku, dtype=object), n_weeks)
    values = {"actual": panel.sales, "predicted": decomposition.predicted} | decomposition.parts()
    return frame.assign(**{name: grid.reshape(-1) for name, grid in values.items()})


def channel_contributions(decomposition: Decomposition, panel: FeaturePanel) -> pd.DataFrame:
    """National totals over the whole data period: ``channel, spend, contribution, roi``.

    Spend (INR) = exposure x CPM / 1000; contribution (INR) is the channel's part of the
    decomposition; roi = contribution / spend (NaN without spend).
    """
    spend = panel.spend.sum(axis=(0, 1))
    contribution = decomposition.media.sum(axis=(0, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(spend > 0, contribution / np.where(spend > 0, spend, 1.0), np.nan)
    return pd.DataFrame(
        {"channel": list(decomposition.channels), "spend": spend, "contribution": contribution, "roi": roi}
    )
