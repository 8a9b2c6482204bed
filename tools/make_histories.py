"""Generate the bundled synthetic campaign histories from known parameters.

The histories in ``scenarios/histories/`` are one replication of the toy market
(``scenarios/histories/toy_market.yaml``) played at the parameters below, with a
seed of its own so the history is not one of the calibration's replications:

- ``toy_synthetic.csv``: the engine's daily record as it is;
- ``toy_noisy.csv``: the same campaign recorded with noise (each count multiplied by
  a lognormal error of 10 %, rounded) and without the ``reservations`` column.

Run ``python tools/make_histories.py`` (``--check`` reports drift instead of writing).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from simulation.rng import stream
from simulation.runs.runner import simulate
from simulation.scenario import load_scenario, with_overrides

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "scenarios" / "histories"
TRUTH = {"market.awareness.innovation": 0.015, "market.awareness.imitation": 0.4}
HISTORY_SEED = 20250611
COLUMNS = ["day", "phase", "price", "reservations", "presale_orders", "orders", "shipped", "stock"]
NOISY = ["presale_orders", "orders", "shipped"]


def histories() -> dict[str, str]:
    scenario = load_scenario(FOLDER / "toy_market.yaml")
    truth = with_overrides(scenario, {**TRUTH, "run.seed": HISTORY_SEED})
    frame = simulate(truth, truth.baseline_name, 0).trajectory[COLUMNS]
    clean = frame.to_csv(index=False, float_format="%.6g", lineterminator="\n")
    rng = stream(HISTORY_SEED, 0, "history-noise")
    noisy = frame.drop(columns=["reservations"]).copy()
    for col in NOISY:
        noisy[col] = np.round(noisy[col] * rng.lognormal(0.0, 0.1, len(noisy)))
    return {"toy_synthetic.csv": clean,
            "toy_noisy.csv": noisy.to_csv(index=False, float_format="%.6g", lineterminator="\n")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report drift, write nothing")
    args = parser.parse_args()
    drift = 0
    for name, text in histories().items():
        path = FOLDER / name
        if args.check:
            if not path.exists() or path.read_text() != text:
                print(f"{path} is out of date", file=sys.stderr)
                drift = 1
        else:
            path.write_text(text)
    return drift


if __name__ == "__main__":
    sys.exit(main())
