"""Recovery benchmark: synthetic panels with known truth, fitted with the default config.

Modules: ``recovery`` (one fit compared with its truth), ``regret`` (the optimiser's
recommendation under the true response), ``timing`` (the simulator's speed), ``report``
(tables and markdown) and ``pipeline`` (:func:`run_benchmark` over settings and seeds).
"""
