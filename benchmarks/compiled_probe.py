"""What compiling the day's economics would buy: a probe, not used by the engine.

The engine's day is NumPy: each mechanism is a few whole-array operations over the day's
shoppers. This probe compiles one block of it with Numba, the regular-sale choice:

* the quote without promotions (the base price, less a member's discount),
* the utilities of ours, one rival, waiting for announced later prices (strategic shoppers)
  and nothing, with what a shopper does not know ruled out,
* the logit draw on each shopper's uniform,

and times it against the engine's own functions (:func:`~simulation.market.promotions.quote`,
:func:`~simulation.market.utility.ours_utility`, :func:`~simulation.market.utility.utility_matrix`,
``_only_known`` and :func:`~simulation.market.choice.choose`) on the same synthetic shoppers.
The compiled block does the same float32 and float64 operations in the same order, and leaves
the exponential to NumPy (one call between its two loops): NumPy's float32 ``exp`` is its own
SIMD code, which a compiled loop's ``expf`` matches on only part of the inputs, so a block
that computed it itself would choose differently now and then. The probe checks that every
shopper's choice is the same, and reports how often a compiled ``expf`` equals NumPy's.

Usage::

    python benchmarks/compiled_probe.py [--sizes 600 1500 90000]
"""

from __future__ import annotations

import argparse
import math
import time

import numba
import numpy as np

from simulation.engine.quotes import _only_known
from simulation.market.choice import choose
from simulation.market.promotions import quote
from simulation.market.utility import Shoppers, ours_utility, utility_matrix

BASE, RIVAL, NOTHING, SCALE = 1499.0, (1399.0, 20.0), 0.0, 120.0   # price, rival (price, appeal), outside, logit scale
LATER = ((1349.0, 10), (1249.0, 25))                                # announced later prices (price, days ahead)


def shoppers(n: int, seed: int = 0) -> Shoppers:
    """``n`` synthetic shoppers with the engine's dtypes (attributes of the bundled electronics scale)."""
    r = np.random.default_rng(seed)

    def f32(lo, hi):
        return r.uniform(lo, hi, n).astype(np.float32)

    member = r.random(n) < 0.2
    return Shoppers(valuation=f32(800, 2500), price_sensitivity=f32(0.6, 1.6), deal_proneness=f32(0, 1),
                    patience=f32(0.97, 1.0), trust=f32(0.5, 1), loyalty=f32(-100, 100),
                    is_strategic=r.random(n) < 0.3, member_factor=np.where(member, np.float32(0.95), np.float32(1)),
                    is_member=member, segment=r.integers(0, 3, n).astype(np.uint8),
                    channel=r.integers(0, 3, n).astype(np.uint8), knows_ours=r.random(n) < 0.9,
                    knows_rivals=r.random((n, 1)) < 0.5)


def numpy_block(s: Shoppers, u: np.ndarray, later) -> np.ndarray:
    """The block as the engine runs it."""
    q = quote(np.float32(BASE) * s.member_factor, [], [])
    ours = ours_utility(s, q.price, q.discount, q.gift_value, delay_days=0, upfront_at_risk=0.0)
    util = utility_matrix(s, ours, competitors=[RIVAL], later=later, now_price=BASE, outside_utility=NOTHING)
    _only_known(util, s)
    return choose(util, u, scale=SCALE)


@numba.njit(cache=True)
def _scaled_utilities(v, beta, deal, patience, trust, loyalty, strategic, member, knows_ours, knows_rival,
                      base, rival_price, rival_appeal, later_price, later_days, scale, z):
    """Rows ours, rival, wait, nothing of each shopper, less the shopper's best, over ``scale``, into ``z``."""
    n_rows = z.shape[0]
    for i in range(v.shape[0]):
        quoted = np.float32(base) * member[i]                    # float32, as the engine's base price
        price = np.float64(quoted)
        discount = np.float64(quoted) - price
        ours = ((np.float64(v[i]) - np.float64(beta[i]) * price) + np.float64(deal[i]) * discount + 0.0) \
            - np.float64((np.float32(1.0) - trust[i]) * np.float32(0.0))
        row0 = np.float32(ours)
        row1 = ((v[i] + np.float32(rival_appeal)) + loyalty[i]) - beta[i] * np.float32(rival_price)
        wait = np.float32(-np.inf)
        for k in range(later_price.shape[0]):
            wait = max(wait, patience[i] ** np.float32(later_days[k])
                       * (v[i] - beta[i] * np.float32(later_price[k]) * member[i]))
        row2 = wait if strategic[i] else np.float32(-np.inf)
        row3 = np.float32(0.0)
        if not knows_ours[i]:
            row0 = np.float32(-np.inf)
            row2 = np.float32(-np.inf)
        if not knows_rival[i]:
            row1 = np.float32(-np.inf)
        best = max(max(max(row0, row1), row2), row3)
        z[0, i] = (row0 - best) / np.float32(scale)
        z[1, i] = (row1 - best) / np.float32(scale)
        z[n_rows - 2, i] = (row2 - best) / np.float32(scale)
        z[n_rows - 1, i] = (row3 - best) / np.float32(scale)


@numba.njit(cache=True)
def _draw(z, u, out):
    """The logit draw from ``exp`` of the scaled utilities: the first row whose running sum passes ``u``·total."""
    n_rows = z.shape[0]
    for i in range(z.shape[1]):
        total = z[0, i]
        for k in range(1, n_rows):
            total = total + z[k, i]
        threshold = np.float32(u[i]) * total
        running = z[0, i]
        passed = 1 if running <= threshold else 0
        for k in range(1, n_rows):
            running = running + z[k, i]
            if running <= threshold:
                passed += 1
        out[i] = min(passed, n_rows - 1)


@numba.njit(cache=True)
def _expf(x, out):
    for i in range(x.shape[0]):
        out[i] = math.exp(x[i])


def compiled_block(s: Shoppers, u: np.ndarray, later) -> np.ndarray:
    """The block compiled: two loops, NumPy's ``exp`` between them."""
    n = s.valuation.shape[0]
    z = np.empty((4, n), dtype=np.float32)
    _scaled_utilities(s.valuation, s.price_sensitivity, s.deal_proneness, s.patience, s.trust, s.loyalty,
                      s.is_strategic, s.member_factor, s.knows_ours, np.ascontiguousarray(s.knows_rivals[:, 0]),
                      BASE, RIVAL[0], RIVAL[1], np.array([p for p, _ in later], dtype=np.float64),
                      np.array([d for _, d in later], dtype=np.int64), SCALE, z)
    np.exp(z, out=z)
    out = np.empty(n, dtype=np.int8)
    _draw(z, u, out)
    return out


def best_time_us(fn, *args, reps: int, rounds: int = 7) -> float:
    best = math.inf
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(reps):
            fn(*args)
        best = min(best, (time.perf_counter() - start) / reps)
    return best * 1e6


def probe(sizes=(600, 1500, 90_000)) -> list[dict]:
    """Equality and best-of-7 times of both blocks, with and without announced later prices."""
    rows = []
    for later in (LATER, ()):
        for n in sizes:
            s = shoppers(n)
            u = np.random.default_rng(1).random(n).astype(np.float32)
            plain, compiled = numpy_block(s, u, later), compiled_block(s, u, later)
            reps = max(20, 1_000_000 // n)
            t_numpy = best_time_us(numpy_block, s, u, later, reps=reps)
            t_compiled = best_time_us(compiled_block, s, u, later, reps=reps)
            rows.append({"shoppers": n, "later_prices": len(later), "same_choices": int((plain == compiled).sum()),
                         "numpy_us": t_numpy, "compiled_us": t_compiled, "speed_up": t_numpy / t_compiled})
    return rows


def expf_agreement(n: int = 1_000_000) -> float:
    """Share of float32 inputs of the logit's range on which a compiled ``expf`` equals NumPy's ``exp``."""
    x = -np.random.default_rng(2).exponential(3.0, n).astype(np.float32)
    mine = np.empty_like(x)
    _expf(x, mine)
    return float(np.mean(mine == np.exp(x)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[600, 1500, 90_000], help="shoppers")
    args = parser.parse_args(argv)
    compiled_block(shoppers(10), np.zeros(10, dtype=np.float32), LATER)      # compile before timing
    print(f"{'shoppers':>9} {'later':>5} {'same choices':>13} {'NumPy us':>10} {'compiled us':>12} {'speed-up':>9}")
    for r in probe(tuple(args.sizes)):
        print(f"{r['shoppers']:>9,} {r['later_prices']:>5} {r['same_choices']:>13,} {r['numpy_us']:>10.0f} "
              f"{r['compiled_us']:>12.0f} {r['speed_up']:>8.1f}x")
    print(f"a compiled float32 exp equals NumPy's on {100 * expf_agreement():.1f} % of the logit's inputs")


if __name__ == "__main__":
    main()
