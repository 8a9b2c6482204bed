"""The statistical battery of the keyed per-consumer numbers, at any size (default 10⁸).

    python tools/rng_battery.py [--numbers 100000000]

Runs on the numbers the engine uses (:func:`simulation.rng.keyed_uniforms`, 24-bit float32
uniforms) and prints one line per check with its statistic and p-value or bound:

- uniformity: chi-square over 4,096 equal bins, for keys of several seeds, days and purposes;
- independence across consumers: the lag-1 and lag-2 serial correlation, and a chi-square of
  neighbouring pairs over a 64 x 64 grid;
- independence across days, purposes and replications: the correlation of a consumer's number
  under two keys that differ in one part only;
- the exponential thresholds (drawn sorted, Rényi's representation): mean and variance 1.

A correlation passes when |r| < 5/sqrt(N); a chi-square when p > 10⁻⁴. The numbers are made in
blocks of 10⁷, so memory stays below 1 GB.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from scipy import stats

from simulation.rng import exponential_order_statistics, key_of, keyed_uniforms, stream

BLOCK = 10_000_000


def _blocks(key: int, total: int):
    for lo in range(0, total, BLOCK):
        yield keyed_uniforms(key, np.arange(lo, min(lo + BLOCK, total)))


def uniformity(key: int, total: int, bins: int = 4096) -> float:
    counts = np.zeros(bins, dtype=np.int64)
    for u in _blocks(key, total):
        counts += np.bincount((u * bins).astype(np.int64), minlength=bins)
    return float(stats.chisquare(counts).pvalue)


def serial(key: int, total: int, lag: int) -> float:
    """Lag-``lag`` correlation over consecutive consumers (blocks joined by their overlap)."""
    sx = sy = sxx = syy = sxy = 0.0
    n = 0
    for lo in range(0, total - lag, BLOCK):
        hi = min(lo + BLOCK, total - lag)
        u = keyed_uniforms(key, np.arange(lo, hi + lag)).astype(np.float64)
        x, y = u[:hi - lo], u[lag:]
        sx, sy, n = sx + x.sum(), sy + y.sum(), n + x.size
        sxx, syy, sxy = sxx + (x * x).sum(), syy + (y * y).sum(), sxy + (x * y).sum()
    cov = sxy / n - (sx / n) * (sy / n)
    return float(cov / np.sqrt((sxx / n - (sx / n) ** 2) * (syy / n - (sy / n) ** 2)))


def pairs(key: int, total: int, side: int = 64) -> float:
    counts = np.zeros(side * side, dtype=np.int64)
    for u in _blocks(key, total - total % 2):
        cells = (u[0::2] * side).astype(np.int64) * side + (u[1::2] * side).astype(np.int64)
        counts += np.bincount(cells, minlength=side * side)
    return float(stats.chisquare(counts).pvalue)


def cross(key_a: int, key_b: int, total: int) -> float:
    sx = sy = sxx = syy = sxy = 0.0
    for x, y in zip(_blocks(key_a, total), _blocks(key_b, total)):
        x, y = x.astype(np.float64), y.astype(np.float64)
        sx, sy = sx + x.sum(), sy + y.sum()
        sxx, syy, sxy = sxx + (x * x).sum(), syy + (y * y).sum(), sxy + (x * y).sum()
    n = total
    cov = sxy / n - (sx / n) * (sy / n)
    return float(cov / np.sqrt((sxx / n - (sx / n) ** 2) * (syy / n - (sy / n) ** 2)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--numbers", type=int, default=100_000_000, help="numbers per check (default 10^8)")
    args = parser.parse_args(argv)
    n = args.numbers
    bound = 5 / np.sqrt(n)
    start = time.perf_counter()
    failed = 0

    def report(name: str, value: float, ok: bool, what: str) -> None:
        nonlocal failed
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name:<58} {what} = {value:.3g}")

    base = key_of(20250301, 0, "day:visit", 30)
    for label, key in (("seed 20250301, replication 0, visit, day 30", base),
                       ("seed 1, replication 7, choice, day 0", key_of(1, 7, "day:choice", 0)),
                       ("seed 20241015, replication 199, leave, day 79", key_of(20241015, 199, "day:leave", 79))):
        p = uniformity(key, n)
        report(f"uniform, 4096 bins: {label}", p, p > 1e-4, "p")
    for lag in (1, 2):
        r = serial(base, n, lag)
        report(f"serial correlation, lag {lag}", r, abs(r) < bound, f"r (bound {bound:.2g})")
    p = pairs(base, n)
    report("neighbouring pairs, 64 x 64 grid", p, p > 1e-4, "p")
    for label, other in (("next day", key_of(20250301, 0, "day:visit", 31)),
                         ("another purpose (leave)", key_of(20250301, 0, "day:leave", 30)),
                         ("next replication", key_of(20250301, 1, "day:visit", 30)),
                         ("next seed", key_of(20250302, 0, "day:visit", 30))):
        r = cross(base, other, n)
        report(f"same consumer, {label}", r, abs(r) < bound, f"r (bound {bound:.2g})")
    e = exponential_order_statistics(stream(20250301, 0, "aware"), min(n, 30_000_000))   # sorted: mean and variance only
    se = 1 / np.sqrt(e.size)
    report("exponential thresholds: mean", float(e.mean()), abs(e.mean() - 1) < 5 * se, "mean")
    report("exponential thresholds: variance", float(e.var()), abs(e.var() - 1) < 5 * np.sqrt(8) * se, "variance")
    print(f"{n:,} numbers per check, {time.perf_counter() - start:.0f} s, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
