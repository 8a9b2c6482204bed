"""Statistics across replications: estimators with confidence intervals, risk
tables, paired comparison against the baseline, release gates, compliance checks,
and :mod:`.study`, which runs a comparison end to end.
"""
