"""``presale run``: one replication of one strategy, its trajectory and outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import EXIT_INPUT, app, err, load_all, override, parse_sets


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    strategy: Annotated[Optional[str], typer.Option(help="Strategy to run (default: the baseline).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Override the scenario's seed.")] = None,
    replication: Annotated[int, typer.Option(min=0, help="Replication index.")] = 0,
    population: Annotated[Optional[int], typer.Option(min=1, help="Simulated consumers (default: the scenario's).")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default: results/runs/<file>/<strategy>, apart from the folders of presale compare).")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="A quick what-if: PATH=VALUE, e.g. strategies.base.pricing.presale_price=799 (repeatable; values read as YAML; checked like the file).")] = None,
) -> None:
    """Run one replication of one strategy; write its daily trajectory and outcomes."""
    (sc,) = load_all([file])
    sc = override(sc, seed=seed, population=population, sets=parse_sets(set_))
    name = strategy or sc.baseline_name
    if name not in sc.strategies:
        from ..scenario.problems import did_you_mean

        hint = did_you_mean(name, list(sc.strategies))
        err(f"{file}: unknown strategy '{name}'" + (f"; did you mean '{hint}'?" if hint else "")
             + f" strategies: {', '.join(sc.strategies)}")
        raise typer.Exit(EXIT_INPUT)
    from ..runs.runner import simulate
    from ..runs.export import write_table

    result = simulate(sc, name, replication)
    out = out or Path("results") / "runs" / file.stem / name
    out.mkdir(parents=True, exist_ok=True)
    for stem, frame in (("trajectory", result.trajectory), ("outcome", result.outcome)):
        write_table(frame, out / f"{stem}.csv")
        write_table(frame, out / f"{stem}.json")
    typer.echo(_run_summary(sc, name, replication, result.outcome.iloc[0]))
    typer.echo(f"wrote {out}/trajectory.csv|json and {out}/outcome.csv|json")


def _run_summary(sc, name: str, replication: int, o) -> str:
    cur = sc.currency
    money = lambda v: f"{'-' if v < 0 else ''}{cur}{abs(v):,.0f}"  # noqa: E731
    stockout = "none" if o["first_stockout_day"] != o["first_stockout_day"] else f"day {o['first_stockout_day']:.0f}"
    rows = [
        ("profit", money(o["profit"])), ("revenue (net)", money(o["revenue_net"])),
        ("refunds", money(o["refunds"])), ("units sold", f"{o['units_sold']:,.0f} of {o['units_available']:,.0f}"),
        ("sell-through", f"{o['sell_through']:.1%}"), ("presale orders", f"{o['units_presold']:,.0f}"),
        ("deposit → balance", f"{o['deposit_conversion_rate']:.1%}" if o["n_deposits"] else "no deposits"),
        ("first stockout", stockout), ("lost sales", f"{o['lost_sales']:,.0f}"),
        ("cancellations", f"{o['n_cancellations']:,.0f}"), ("returns", f"{o['n_returns']:,.0f}"),
        ("cash low point", money(o["cash_low_point"])), ("market share", f"{o['market_share']:.1%}"),
    ]
    width = max(len(k) for k, _ in rows)
    head = f"{sc.name} · strategy '{name}' · seed {sc.run.seed} · replication {replication}"
    return "\n".join([head, *(f"  {k:<{width}}  {v}" for k, v in rows)])
