"""``presale sensitivity``: which uncertain inputs drive a strategy's outcomes (Morris, Sobol')."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import EXIT_INCOMPLETE, EXIT_OK, app, err, exploration_exits, explore_setup


class Method(str, Enum):
    """Sensitivity methods."""

    screen = "screen"
    morris = "morris"
    sobol = "sobol"


@app.command(name="sensitivity")
def sensitivity_cmd(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    strategy: Annotated[Optional[str], typer.Option(help="Strategy to study (default: the baseline).")] = None,
    method: Annotated[Method, typer.Option(case_sensitive=False, help="screen (Morris, then Sobol' on the inputs that matter; default), morris or sobol.")] = Method.screen,
    n: Annotated[int, typer.Option("--n", min=2, help="Morris trajectories (n·(d+1) points) or Sobol' base points (n·(d+2) points; a power of two).")] = 8,
    param: Annotated[Optional[list[str]], typer.Option("--param", help="PATH=low:high, repeatable: study these inputs over uniform ranges instead of the scenario's uncertainties.")] = None,
    replications: Annotated[int, typer.Option(min=1, help="Replications per design point (their noise is reported next to the indices).")] = 4,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Worker processes (default: all cores).")] = None,
    population: Annotated[Optional[int], typer.Option(min=1, help="Simulated consumers (default: the scenario's).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Override the scenario's seed.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default: results/<file>-sensitivity-<strategy>).")] = None,
    resume: Annotated[bool, typer.Option(help="Finish an interrupted analysis found in --out.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Rank the uncertain inputs (the scenario's uncertainties, or --param ranges) by their
    effect on profit, sell-through, CVaR 5 % of profit and P(stock-out), with SALib's Morris
    and Sobol' estimators and bootstrap CIs; the replication noise is reported beside them.

    Every design point runs through the sweep runner (store under --out/<method>, resume,
    common random numbers). Writes sensitivity_indices.csv, sensitivity_noise.csv,
    report.html, report.md and tornado figures. Exit codes: 0 ok, 2 bad input,
    3 some runs failed or interrupted.
    """
    import warnings

    from ..explore.sensitivity import sensitivity
    from ..report.sensitivity import write_sensitivity

    sc, out_dir, settings = explore_setup(file, command="sensitivity", strategy=strategy, params=param,
                                          replications=replications, workers=workers, population=population,
                                          seed=seed, out=out, resume=resume, quiet=quiet)
    name = settings.strategy
    with exploration_exits(file, out_dir), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)        # SALib: n not a power of two
        result = sensitivity(sc, settings, method=method.value, n=n, source=str(file))
    write_sensitivity(out_dir, result)
    if any(r.interrupted for r in result.runs):
        err(f"{file}: interrupted; finished runs are saved in {out_dir} (continue with --resume --out {out_dir})")
        raise typer.Exit(EXIT_INCOMPLETE)
    if result.indices.empty or not result.meta["complete"]:
        err(f"{file}: some runs failed; see the failures of the runs under {out_dir}")
        raise typer.Exit(EXIT_INCOMPLETE)
    shown = result.indices[result.indices["response"] == "profit"].drop(columns="response")
    typer.echo(f"\nsensitivity of {name} ({file}) · {method.value} · {result.meta['replications']} replications per point")
    typer.echo(shown.to_string(index=False, float_format=lambda v: f"{v:,.3g}"))
    typer.echo(result.noise.to_string(index=False, float_format=lambda v: f"{v:,.3g}"))
    typer.echo(f"  report: {out_dir / 'report.html'}")
    raise typer.Exit(EXIT_OK)
