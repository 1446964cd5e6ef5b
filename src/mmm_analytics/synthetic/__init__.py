"""Synthetic panels in the Kaggle schema with a known ground truth (the bundled default data)."""

from mmm_analytics.synthetic.generator import SyntheticPanel, generate_panel
from mmm_analytics.synthetic.lift_tests import draw_lift_tests
from mmm_analytics.synthetic.truth import GroundTruth, true_steady_state_response

__all__ = ["GroundTruth", "SyntheticPanel", "draw_lift_tests", "generate_panel", "true_steady_state_response"]
