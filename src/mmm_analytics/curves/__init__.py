"""ROI curves: steady-state response, average and marginal ROI, intervals, plots and reports.

Modules: ``response`` (shared differentiable media response), ``intervals`` (the
interval method: equal-tailed quantiles over Laplace-approximation parameter draws),
``extraction`` (curve grids and saturation points), ``summary`` (contribution and ROI
tables), ``carryover`` (impulse responses), ``plots`` and ``render`` (figures),
``report`` (interactive HTML) and ``pipeline`` (:func:`generate_curves`, the step end
to end).
"""
