"""Tests of the report package on a small synthetic presale run."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from simulation.report import headline_table, markdown_summary, write_report
from simulation.report.figures import (
    cash_position, make_figures, orders_and_stock, profit_distribution, profit_waterfall,
    risk_return, waterfall_steps,
)
from simulation.report.formatting import fmt_metric, is_money, is_rate
from simulation.report.style import strategy_colors
from simulation.report.timeseries import phase_starts

DAYS = 60
PHASES = [(0, "warmup"), (10, "presale"), (25, "balance"), (30, "launch"), (33, "after")]
STRATEGIES = {  # name: (price, units, demand multiplier)
    "baseline": (199.0, 420, 1.0),
    "deep_deposit": (189.0, 520, 1.25),
    "early_bird": (179.0, 360, 1.4),
}
MONEY = ["revenue_gross", "refunds", "salvage_revenue", "cogs", "marketing_cost",
         "channel_fees", "holding_cost", "gift_cost"]
FAILED_MESSAGE = "P(loss) of early_bird is 31% > 20% allowed"


def _phase(day: int) -> str:
    return [name for start, name in PHASES if day >= start][-1]


def _replication(name: str, rep: int, price: float, units: int, mult: float):
    rng = np.random.default_rng([rep, sum(map(ord, name))])
    rate = {"warmup": 0.0, "presale": 9.0, "balance": 1.0, "launch": 18.0, "after": 6.0}
    stock, backlog, cash, rows = 0, 0, 0.0, []
    first_stockout, lost_total, cancels = np.nan, 0, 0
    for day in range(DAYS):
        phase = _phase(day)
        orders = int(rng.poisson(rate[phase] * mult))
        produced = units if day == 25 else 0
        stock += produced
        cancel = int(rng.binomial(backlog, 0.01)) if day < 30 else 0
        shipped = lost = 0
        if day < 30:
            backlog += orders - cancel
            revenue = orders * price
        else:
            shipped = min(stock, orders + backlog)
            unfilled = max(backlog - shipped, 0)
            lost = orders - max(shipped - backlog, 0)
            revenue = (orders - lost) * price
            cancel += unfilled
            backlog = 0
            if lost > 0 and np.isnan(first_stockout):
                first_stockout = day
        stock -= shipped
        cost = (500.0 if day < 30 else 150.0) + produced * 95.0
        cash += revenue - cancel * price - cost
        cancels += cancel
        lost_total += lost
        rows.append({"strategy": name, "replication": rep, "day": day, "phase": phase,
                     "price": price, "orders": orders, "shipped": shipped, "stock": stock,
                     "produced": produced, "lost_sales": lost, "cancellations": cancel,
                     "revenue": revenue, "cash": cash,
                     "competitor_price.rival": 185.0, "competitor_sales.rival": 3})
    traj = pd.DataFrame(rows)
    sold = int(traj["shipped"].sum())
    gross = float(traj["revenue"].sum())
    out = {"strategy": name, "replication": rep, "revenue_gross": gross,
           "refunds": cancels * price, "salvage_revenue": stock * 40.0, "cogs": units * 95.0,
           "marketing_cost": 30 * 500.0 + 30 * 150.0, "channel_fees": 0.05 * gross,
           "holding_cost": 0.5 * stock * 30, "gift_cost": 3.0 * sold, "promotion_cost": 0.0,
           "units_sold": sold, "units_available": units, "sell_through": sold / units,
           "first_stockout_day": first_stockout, "lost_sales": lost_total,
           "leftover_units": stock, "fill_rate": sold / max(sold + lost_total, 1),
           "n_cancellations": cancels, "cancellation_rate": cancels / max(traj["orders"].sum(), 1),
           "n_returns": 0, "return_rate": 0.0, "cash_before_launch": float(traj["cash"].iloc[29]),
           "cash_low_point": float(traj["cash"].min()), "refund_liability_peak": 0.0,
           "market_share": 0.3}
    out["revenue_net"] = out["revenue_gross"] - out["refunds"]
    out["profit"] = out["revenue_net"] + out["salvage_revenue"] - sum(
        out[k] for k in MONEY[3:])
    return out, traj


def _summaries(outcomes: pd.DataFrame, baseline: str):
    metrics = [c for c in outcomes.columns if c not in ("strategy", "replication")]
    summary, risk, comparison = [], [], []
    for name, g in outcomes.groupby("strategy", sort=False):
        for m in metrics:
            x = g[m].dropna().to_numpy(float)
            n = len(x)
            mean = x.mean() if n else np.nan
            sd = x.std(ddof=1) if n > 1 else np.nan
            se = sd / np.sqrt(n) if n > 1 else np.nan
            q = np.percentile(x, [5, 50, 95]) if n else [np.nan] * 3
            summary.append({"strategy": name, "metric": m, "n": n, "mean": mean, "sd": sd,
                            "se": se, "ci_low": mean - 1.96 * se, "ci_high": mean + 1.96 * se,
                            "p5": q[0], "p50": q[1], "p95": q[2]})
        p = g["profit"].to_numpy(float)
        tail = np.sort(p)[: max(1, int(np.ceil(0.05 * len(p))))]
        se = p.std(ddof=1) / np.sqrt(len(p)) if len(p) > 1 else np.nan
        risk.append({"strategy": name, "profit_mean": p.mean(),
                     "profit_ci_low": p.mean() - 1.96 * se, "profit_ci_high": p.mean() + 1.96 * se,
                     "profit_p5": np.percentile(p, 5), "profit_p50": np.median(p),
                     "profit_p95": np.percentile(p, 95), "profit_cvar": tail.mean(),
                     "p_loss": (p < 0).mean(),
                     "p_stockout_early": g["first_stockout_day"].lt(40).mean(),
                     "p_leftover_high": g["leftover_units"].gt(100).mean(),
                     "refund_liability": g["refund_liability_peak"].mean(),
                     "cash_before_launch": g["cash_before_launch"].mean(),
                     "cash_low_point": g["cash_low_point"].mean(),
                     "sell_through": g["sell_through"].mean(), "lost_sales": g["lost_sales"].mean(),
                     "cancellation_rate": g["cancellation_rate"].mean(), "return_rate": 0.0})
    base = outcomes[outcomes["strategy"] == baseline].set_index("replication")
    for name, g in outcomes[outcomes["strategy"] != baseline].groupby("strategy", sort=False):
        g = g.set_index("replication")
        for m in metrics:
            d = (g[m] - base[m]).dropna()
            se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else np.nan
            lo, hi = d.mean() - 1.96 * se, d.mean() + 1.96 * se
            verdict = "same" if not (lo > 0 or hi < 0) else ("better" if lo > 0 else "worse")
            comparison.append({"strategy": name, "baseline": baseline, "metric": m,
                               "n_pairs": len(d), "baseline_mean": base[m].mean(),
                               "strategy_mean": g[m].mean(), "diff_mean": d.mean(),
                               "diff_se": se, "diff_ci_low": lo, "diff_ci_high": hi,
                               "rel_diff": d.mean() / base[m].mean() if base[m].mean() else np.nan,
                               "verdict": verdict})
    cols = ["strategy", "baseline", "metric", "n_pairs", "baseline_mean", "strategy_mean",
            "diff_mean", "diff_se", "diff_ci_low", "diff_ci_high", "rel_diff", "verdict"]
    return pd.DataFrame(summary), pd.DataFrame(risk), pd.DataFrame(comparison, columns=cols)


def make_run(strategies: dict = STRATEGIES, replications: int = 30) -> dict:
    """A complete synthetic run, shaped like the engine's and statistics' output."""
    outs, trajs = [], []
    for name, (price, units, mult) in strategies.items():
        for rep in range(replications):
            out, traj = _replication(name, rep, price, units, mult)
            outs.append(out)
            trajs.append(traj)
    outcomes = pd.DataFrame(outs)
    baseline = next(iter(strategies))
    summary, risk, comparison = _summaries(outcomes, baseline)
    gates = pd.DataFrame([
        {"gate": "max_p_loss", "strategy": "baseline", "metric": "p_loss", "status": "pass",
         "message": "P(loss) within limit"},
        {"gate": "max_p_loss", "strategy": "early_bird", "metric": "p_loss", "status": "fail",
         "message": FAILED_MESSAGE},
    ])
    return {"outcomes": outcomes, "trajectories": pd.concat(trajs, ignore_index=True),
            "summary": summary, "risk": risk, "comparison": comparison,
            "warnings": [("early_bird", "Reference price shown for fewer than 7 days"),
                         ("early_bird", "Reference price shown for fewer than 7 days")],
            "gates": gates,
            "meta": {"scenario": "demo-presale", "description": "Synthetic test campaign.",
                     "file": "scenarios/demo.yaml", "seed": 7, "replications": replications,
                     "population": 5000, "market_size": 200000, "launch_day": 30,
                     "baseline": baseline, "wall_time_s": 1.25,
                     "versions": {"numpy": np.__version__, "pandas": pd.__version__}}}


@pytest.fixture(scope="module")
def run() -> dict:
    return make_run()


@pytest.fixture(scope="module")
def written(run, tmp_path_factory) -> dict:
    return write_report(tmp_path_factory.mktemp("report"), **run)


# --------------------------------------------------------------------------- files


def test_write_report_writes_all_files(written):
    for key in ("markdown", "html", "summary"):
        assert written[key].is_file() and written[key].stat().st_size > 0
    pngs = sorted(p for k, p in written.items() if p.suffix == ".png")
    assert len(pngs) == 6
    for png in pngs:
        assert png.parent.name == "figures"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_is_self_contained(written):
    page = written["html"].read_text(encoding="utf-8")
    n_figures = sum(p.suffix == ".png" for p in written.values())
    assert 'src="http' not in page and 'href="http' not in page
    assert "<script" not in page and "<link" not in page
    assert page.count('src="data:image/png;base64,') == n_figures
    assert len(re.findall(r"<img ", page)) == n_figures


def test_markdown_names_strategies_gates_and_figures(written, run):
    md = written["markdown"].read_text(encoding="utf-8")
    for name in STRATEGIES:
        assert name in md
    assert FAILED_MESSAGE in md
    assert "Reference price shown for fewer than 7 days (×2)" in md
    gates = md[md.index("## Gates"):]
    assert gates.index("FAIL") < gates.index("pass")
    for png in (p for p in written.values() if p.suffix == ".png"):
        assert f"](figures/{png.name})" in md
    sections = ["## Scenario", "## Headline", "## Risk", "## Comparison", "## Compliance",
                "## Gates", "## Figures"]
    assert [md.index(s) for s in sections] == sorted(md.index(s) for s in sections)


def test_html_formats_numbers(written):
    page = written["html"].read_text(encoding="utf-8")
    assert re.search(r"\d{1,3},\d{3}", page)
    assert re.search(r"\d+\.\d%", page)
    assert "FAIL" in page and html.escape(FAILED_MESSAGE) in page


def test_summary_lists_failed_gate_before_table(run):
    text = markdown_summary(run["risk"], run["comparison"], meta=run["meta"],
                            warnings=run["warnings"], gates=run["gates"])
    assert text.index(FAILED_MESSAGE) < text.index("| Strategy")
    for name in STRATEGIES:
        assert name in text
    assert "baseline" in text and "Compliance warnings" in text


def test_headline_table_is_aligned(run):
    text = headline_table(run["risk"], run["comparison"], baseline="baseline")
    lines = text.splitlines()
    assert len(lines) == 2 + len(STRATEGIES)
    assert lines[2].startswith("baseline")
    assert "\x1b[" not in text
    header = lines[0]
    assert "Profit vs baseline" in header and "P(loss)" in header
    rule = lines[1].split("  ")
    assert all(set(r) == {"-"} for r in rule)
    assert any(v in text for v in ("better (", "worse (", "same ("))


# ------------------------------------------------------------------------- figures


def test_figures_have_expected_axes(run):
    figs = make_figures(run["outcomes"], run["trajectories"], risk=run["risk"], currency="$")
    expected = {"profit_distribution": 1, "risk_return": 1, "orders_stock": 2, "cash": 1,
                "waterfall": len(STRATEGIES), "paired_waterfall": len(STRATEGIES) - 1}
    assert list(figs) == list(expected)
    for name, fig in figs.items():
        assert isinstance(fig, Figure)
        assert len(fig.axes) == expected[name], name
    assert "$" in figs["profit_distribution"].axes[0].get_xlabel()
    rr = figs["risk_return"].axes[0]
    assert "CVaR" in rr.get_xlabel() and "$" in rr.get_ylabel()
    top, bottom = figs["orders_stock"].axes
    assert "orders" in top.get_ylabel().lower() and "stock" in bottom.get_ylabel().lower()
    assert bottom.get_xlabel() == "Campaign day"
    assert "$" in figs["cash"].axes[0].get_ylabel()


def test_colours_are_consistent_across_figures(run):
    colors = strategy_colors(list(STRATEGIES))
    cash = cash_position(run["trajectories"], colors=colors)
    lines = {l.get_label(): l.get_color() for l in cash.axes[0].lines}
    waterfall = profit_waterfall(run["outcomes"], colors=colors)
    for name, color in colors.items():
        assert lines[name] == color
    assert [a.get_title() for a in waterfall.axes] == list(colors)
    assert [a.title.get_color() for a in waterfall.axes] == list(colors.values())


def test_waterfall_bars_sum_to_profit(run):
    fig = profit_waterfall(run["outcomes"])
    profit = run["outcomes"].groupby("strategy")["profit"].mean()
    for ax in fig.axes:
        heights = [p.get_height() for p in ax.patches]
        assert heights[0] + sum(heights[1:-1]) == pytest.approx(heights[-1])
        assert heights[-1] == pytest.approx(profit[ax.get_title()])


def test_waterfall_shows_unexplained_remainder(run):
    outcomes = run["outcomes"].assign(profit=run["outcomes"]["profit"] - 1000.0)
    steps = waterfall_steps(outcomes)
    assert steps["Other"].to_numpy() == pytest.approx(-1000.0)
    assert steps.drop(columns="Profit").sum(axis=1).to_numpy() == pytest.approx(steps["Profit"])
    assert "Other" not in waterfall_steps(run["outcomes"])


def test_phase_starts_follow_phase_changes(run):
    starts = phase_starts(run["trajectories"])
    first = starts[starts["strategy"] == "baseline"].set_index("phase")["day"].to_dict()
    assert first == {name: start for start, name in PHASES[1:]}


def test_stockout_markers_only_where_stock_runs_out(run):
    fig = orders_and_stock(run["trajectories"], run["outcomes"])
    markers = [l for l in fig.axes[1].lines if l.get_marker() == "v"]
    assert len(markers) == 1  # only early_bird runs out of stock


def test_single_figures_accept_few_replications():
    small = make_run({"baseline": STRATEGIES["baseline"]}, replications=2)
    for fig in (profit_distribution(small["outcomes"]), risk_return(small["risk"])):
        assert len(fig.axes) == 1


# ----------------------------------------------------------------------- edge cases


def test_single_strategy_without_gates_or_stockouts(tmp_path):
    one = make_run({"solo": STRATEGIES["baseline"]}, replications=3)
    one["meta"].update(baseline="solo", currency="€")
    one["gates"] = one["gates"].iloc[0:0]
    one["warnings"] = []
    assert one["comparison"].empty and one["outcomes"]["first_stockout_day"].isna().all()
    paths = write_report(tmp_path, **one)
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "solo" in md and "No gates defined." in md and "No compliance warnings." in md
    assert "No other strategy to compare" in md and "€" in md
    page = paths["html"].read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 6


def test_metric_formatting_rules():
    assert is_rate("sell_through") and is_rate("p_loss") and is_rate("market_share")
    assert is_money("cash_low_point") and is_money("marketing_cost") and not is_money("units_sold")
    assert fmt_metric("cancellation_rate", 0.1234) == "12.3%"
    assert fmt_metric("profit", -1234567.4) == "-1,234,567"
    assert fmt_metric("leftover_units", float("nan")) == "—"


def test_gates_status_sentence():
    from simulation.report.tables import gates_status

    one = pd.DataFrame({"gate": ["g"], "strategy": ["a"], "status": ["pass"], "message": [""]})
    two = pd.DataFrame({"gate": ["g", "h"], "strategy": ["a", "a"], "status": ["pass", "fail"], "message": ["", ""]})
    assert gates_status(None) == "No gates defined."
    assert gates_status(one) == "The gate passed."
    assert gates_status(pd.concat([one, one])) == "All 2 gates passed."
    assert gates_status(two) == "1 of 2 gates failed."
