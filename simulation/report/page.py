"""A plain report page for exploration results (sweeps, sensitivity, discovery):
Markdown and a self-contained HTML page from headed sections of prose, tables and figures."""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from .html import figure_png

__all__ = ["Section", "write_page", "format_cell"]

_CSS = ("body{font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#222;"
        "max-width:1100px;margin:2rem auto;padding:0 1rem;line-height:1.45}"
        "table{border-collapse:collapse;margin:.8rem 0;font-size:.88rem;display:block;overflow-x:auto}"
        "th,td{padding:.3rem .6rem;border-bottom:1px solid #e3e3e3;white-space:nowrap;text-align:right}"
        "th{background:#f3f5f7}figure img{max-width:100%;border:1px solid #eee}"
        "figcaption{color:#444;font-size:.9rem}dl{display:grid;grid-template-columns:max-content auto;"
        "gap:.2rem 1.2rem}dt{font-weight:600}dd{margin:0}")


@dataclass
class Section:
    """One headed part of a page: prose, then an optional table, then figures.

    ``figures`` maps a file stem to ``(figure, caption)``.
    """

    heading: str
    text: str = ""
    table: pd.DataFrame | None = None
    figures: Mapping[str, tuple[Figure, str]] = field(default_factory=dict)


def format_cell(value: Any) -> str:
    """A table cell: numbers with four significant digits, thousands separated."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "–"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _md_table(table: pd.DataFrame) -> str:
    head = [str(c) for c in table.columns]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    rows += ["| " + " | ".join(format_cell(v).replace("|", "\\|") for v in row) + " |"
             for row in table.itertuples(index=False)]
    return "\n".join(rows)


def _html_table(table: pd.DataFrame) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(format_cell(v))}</td>" for v in row) + "</tr>"
                   for row in table.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_page(out_dir: Path | str, *, title: str, meta: Mapping[str, Any],
               sections: Sequence[Section]) -> dict[str, Path]:
    """Write ``report.md``, ``report.html`` and ``figures/*.png`` into ``out_dir``.

    Returns
    -------
    dict
        ``"markdown"``, ``"html"`` and one path per figure, keyed by its stem.
    """
    out = Path(out_dir)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    items = [(str(k), str(v)) for k, v in meta.items() if v is not None]
    md = [f"# {title}", "", *(f"- **{k}**: {v}" for k, v in items), ""]
    html = [f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{_CSS}</style></head><body><h1>{escape(title)}</h1><dl>",
            *(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items), "</dl>"]
    for section in sections:
        md += [f"## {section.heading}", ""]
        html.append(f"<h2>{escape(section.heading)}</h2>")
        if section.text:
            md += [section.text, ""]
            html.append(f"<p>{escape(section.text)}</p>")
        if section.table is not None and len(section.table):
            md += [_md_table(section.table), ""]
            html.append(_html_table(section.table))
        for stem, (figure, caption) in section.figures.items():
            png = figure_png(figure)
            paths[stem] = out / "figures" / f"{stem}.png"
            paths[stem].write_bytes(png)
            md += [f"![{caption}](figures/{stem}.png)", "", f"*{caption}*", ""]
            data = base64.b64encode(png).decode("ascii")
            html.append(f"<figure><img alt='{escape(stem)}' src='data:image/png;base64,{data}'>"
                        f"<figcaption>{escape(caption)}</figcaption></figure>")
    html.append("</body></html>")
    paths["markdown"] = out / "report.md"
    paths["markdown"].write_text("\n".join(md) + "\n", encoding="utf-8")
    paths["html"] = out / "report.html"
    paths["html"].write_text("\n".join(html) + "\n", encoding="utf-8")
    return paths
