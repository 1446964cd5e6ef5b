"""Recovery benchmark: synthetic worlds with known truth, fitted by us and with the true forms.

Modules: ``recovery`` (one fit compared with its truth), ``floor`` (the truth's forms pinned:
the floor our figures are read against), ``regret`` (the optimiser's recommendation under the
true response), ``lift`` (our fit again with lift tests drawn from the truth), ``timing`` (the
simulator's speed), ``report`` (tables and markdown) and ``pipeline`` (:func:`run_benchmark`
over worlds and seeds).
"""
