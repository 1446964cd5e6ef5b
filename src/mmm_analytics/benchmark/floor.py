"""The true-form floor: the same fit with the truth's own carryover, saturation and scaling pinned.

On a synthetic world the forms are known, so fitting them says how well the model could do on
that panel if form selection were perfect; our figures are read against it. The priors, the
optimiser, the draws and everything else stay as configured.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from mmm_analytics.config import ProjectConfig
from mmm_analytics.response.carryover import CarryoverFamily
from mmm_analytics.response.saturation import SaturationFamily, SaturationScaling
from mmm_analytics.synthetic import GroundTruth
from mmm_analytics.synthetic.truth import scaling_form


@dataclass(frozen=True, slots=True)
class TrueForms:
    """The forms a synthetic world was generated with."""

    carryover: CarryoverFamily
    saturation: SaturationFamily
    scaling: SaturationScaling

    def label(self) -> str:
        """``carryover+saturation/scaling``, e.g. ``weibull+hill/relative``."""
        return f"{self.carryover.value}+{self.saturation.value}/{self.scaling.value}"


def true_forms(truth: GroundTruth) -> TrueForms:
    """The truth's carryover and saturation families and its scaling (relative when not recorded)."""
    data = truth.data
    return TrueForms(
        carryover=CarryoverFamily(data["carryover"]["family"]),
        saturation=SaturationFamily(data["saturation"]["family"]),
        scaling=scaling_form(truth.scaling()),
    )


def floor_config(config: ProjectConfig, truth: GroundTruth) -> ProjectConfig:
    """``config`` with the model's forms pinned to the truth's (``pinned`` plus ``saturation_scaling``),
    and without ``ceiling_scaling``: the synthetic truth gives every series of a brand and region one
    ceiling (its coefficients are in units of the whole panel's mean weekly sales), the power 0. Where
    the truth gives each brand x region its own ROI factor (``cell_roi_spread``, the ``cell_roi``
    world), the floor's brand x region offsets have that log-sd as their prior sd."""
    forms = true_forms(truth)
    model = config.model.pinned(forms.carryover, forms.saturation).model_copy(
        update={"saturation_scaling": forms.scaling, "ceiling_scaling": False}
    )
    if (spread := float(truth.data.get("cell_roi_spread", 0.0))) > 0:
        shrinkage = model.priors.shrinkage.model_copy(update={"cell_sd": spread})
        model = model.model_copy(update={"priors": model.priors.model_copy(update={"shrinkage": shrinkage})})
    return dataclasses.replace(config, model=model)
