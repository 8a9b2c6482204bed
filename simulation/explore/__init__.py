"""Exploration over many scenarios, built on the comparison runner.

The home of sweeps over levers and uncertain inputs, sensitivity analysis,
scenario discovery, calibration to a past campaign and optimisation. Each of
them turns one scenario into many (by :func:`simulation.scenario.with_overrides`)
and runs them through :mod:`simulation.runs` on common random numbers, so it
may import every layer below it (``analysis``, ``runs``, ``engine``,
``scenario``) and is imported only by ``report`` and ``cli``.

Today: :mod:`.design` (grid, Latin-hypercube and Sobol' designs), :mod:`.sweep` (a strategy
at every design point, on the same replications), :mod:`.sensitivity` (Morris and Sobol'
indices with SALib, and the replication noise), :mod:`.prim` and :mod:`.discovery`
(scenario discovery), :mod:`.levers`, :mod:`.candidates`, :mod:`.optimize` and
:mod:`.confirmation` (the best plan of a strategy's levers under limits on risk). Import them
from their modules: ``from simulation.explore.sweep
import sweep, SweepSettings``.
"""
