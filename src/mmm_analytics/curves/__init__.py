"""ROI curves: steady-state response, average and marginal ROI, intervals, plots and reports."""
