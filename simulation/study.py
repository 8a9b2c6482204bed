"""Comparing strategies, as the public API names it: ``simulation.study``.

The implementation lives in :mod:`simulation.analysis.study`.
"""

from .analysis.study import Study, StudySettings, compare_strategies

__all__ = ["Study", "StudySettings", "compare_strategies"]
