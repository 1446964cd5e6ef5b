"""Training-history figure: loss and metrics per epoch, training vs holdout weeks."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

PANELS = (("loss", "Objective (neg. log posterior per obs.)"), ("mse", "MSE (scaled sales)"), ("wmape", "wMAPE"))


def history_figure(history: dict[str, list[float]], dpi: int = 150) -> Figure:
    """One panel per metric; training and validation (holdout weeks) curves per epoch."""
    fig, axes = plt.subplots(1, len(PANELS), figsize=(14, 4), dpi=dpi)
    for ax, (key, label) in zip(axes, PANELS):
        for prefix, name, style in (("", "training weeks", "-"), ("val_", "holdout weeks", "--")):
            values = history.get(prefix + key)
            if values:
                ax.plot(range(1, len(values) + 1), values, style, label=name)
        ax.set_title(label)
        ax.set_xlabel("epoch")
        ax.set_yscale("log")
        if ax.get_lines():  # no Adam epoch (Gauss-Newton alone, or a first epoch that diverged)
            ax.legend()
    fig.suptitle("Training history (Adam phase)")
    fig.tight_layout()
    return fig
