"""A single self-contained HTML report: inline CSS, figures embedded as base64 PNG."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from .decision_box import DecisionText
from .figures import FIGURE_CAPTIONS, FIGURE_TITLES
from .formatting import KEY_METRICS, baseline_of, currency_of, scenario_name, strategy_order
from .incomplete import incomplete_note
from .markdown import HEADLINE_NOTE, REGRET_NOTE
from .style import DPI
from .tables import (
    Table, comparison_table, failed_gates, gates_status, gates_table, headline, meta_items, risk_table,
    summary_table, warning_items,
)

__all__ = ["figure_png", "html_table", "html_report", "decision_html"]

_CSS = """
body{font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,'PingFang SC','Microsoft YaHei',
'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei',sans-serif;color:#222;
max-width:1100px;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.7rem;border-bottom:2px solid #ddd;padding-bottom:.3rem}
h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:1px solid #eee;padding-bottom:.2rem}
h3{font-size:1.05rem;margin-top:1.6rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem;display:block;overflow-x:auto}
th,td{padding:.35rem .7rem;border-bottom:1px solid #e3e3e3;white-space:nowrap}
th{background:#f3f5f7;text-align:left;border-bottom:2px solid #cfd6dd}
td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}
td.wrap{white-space:normal;min-width:18rem}
tbody tr:nth-child(even){background:#fafbfc}tbody tr:hover{background:#eef4fb}
.good{color:#1e7b46;font-weight:600}.bad{color:#b3261e;font-weight:600}
.note{color:#555;font-size:.88rem}
.alert{background:#fdecea;border-left:4px solid #b3261e;padding:.5rem .9rem}
.ok{background:#eaf6ee;border-left:4px solid #1e7b46;padding:.5rem .9rem}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.2rem 1.2rem}
dl.meta dt{font-weight:600}dl.meta dd{margin:0}
figure{margin:1rem 0 2rem}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#444;font-size:.9rem;margin-top:.3rem}
code{background:#f3f3f3;padding:0 .25rem;border-radius:3px}
.decision{background:#eef4fb;border:2px solid #2b6cb0;border-radius:6px;padding:.7rem 1.1rem;margin:1rem 0}
.decision p.pick{font-size:1.15rem;font-weight:700;margin:.2rem 0 .5rem}
.decision ul{margin:.2rem 0;padding-left:1.2rem}.decision li{margin:.15rem 0}
"""


def figure_png(figure: Figure | bytes, *, dpi: int = DPI) -> bytes:
    """PNG bytes of a figure (bytes are passed through unchanged)."""
    if isinstance(figure, (bytes, bytearray)):
        return bytes(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _cell_class(text: str, align: str) -> str:
    classes = ["r"] if align == "r" else []
    low = text.lower()
    if low.startswith(("better", "pass")):
        classes.append("good")
    elif low.startswith(("worse", "fail")):
        classes.append("bad")
    if len(text) > 60:
        classes.append("wrap")
    return f' class="{" ".join(classes)}"' if classes else ""


def html_table(table: Table) -> str:
    """An HTML ``<table>`` with numeric columns right-aligned."""
    right = ' class="r"'
    head = "".join(f"<th{right if a == 'r' else ''}>{escape(c)}</th>"
                   for c, a in zip(table.columns, table.align))
    body = "".join(
        "<tr>" + "".join(f"<td{_cell_class(c, a)}>{escape(c)}</td>"
                         for c, a in zip(row, table.align)) + "</tr>"
        for row in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _warnings_html(warnings: Iterable[Any] | None) -> str:
    items = warning_items(warnings)
    if not items:
        return "<p>No compliance warnings.</p>"
    lis = "".join(f"<li><strong>{escape(s)}</strong>: {escape(m)}"
                  + (f" (×{c})" if c > 1 else "") + "</li>" for s, m, c in items)
    return f"<ul>{lis}</ul>"


def _gates_banner(gates: pd.DataFrame | None) -> str:
    failed = failed_gates(gates)
    if gates is None or gates.empty:
        return f"<p>{gates_status(gates)}</p>"
    if failed.empty:
        return f'<p class="ok">{gates_status(gates)}</p>'
    lis = "".join(f"<li><strong>{escape(str(r.get('gate', 'gate')))}</strong>: "
                  f"{escape(str(r.get('message', '')))}</li>" for _, r in failed.iterrows())
    return (f'<div class="alert"><strong>{gates_status(gates)}</strong>'
            f"<ul>{lis}</ul></div>")


def decision_html(decision: DecisionText) -> str:
    """The decision box as an HTML block."""
    items = "".join(f"<li><b>{escape(label)}:</b> {escape(text)}</li>" for label, text in decision.lines)
    return (f'<div class="decision"><p class="pick">{escape(decision.headline)}</p>'
            f"<ul>{items}</ul></div>")


def html_report(risk: pd.DataFrame, comparison: pd.DataFrame | None, *,
                meta: Mapping[str, Any] | None = None,
                warnings: Iterable[Any] | None = None,
                gates: pd.DataFrame | None = None,
                summary: pd.DataFrame | None = None,
                figures: Mapping[str, Figure | bytes] | None = None,
                metrics: Sequence[str] | None = KEY_METRICS,
                decision: DecisionText | None = None,
                regret: Table | None = None) -> str:
    """The full report as one self-contained HTML document.

    Same content as :func:`markdown.markdown_report`; no external assets, no scripts.

    Parameters
    ----------
    risk, comparison, meta, warnings, gates, summary, metrics, decision, regret
        As for :func:`markdown.markdown_report`.
    figures
        Figure name to :class:`~matplotlib.figure.Figure` or PNG bytes; each is
        embedded once as a ``data:`` URI.

    Returns
    -------
    str
        The HTML document.
    """
    meta = dict(meta or {})
    currency = currency_of(meta)
    units = str(meta.get("money_units") or "auto")
    baseline = baseline_of(meta, comparison, strategy_order(risk))
    order = strategy_order(risk, baseline=baseline)
    title = f"Presale what-if report: {scenario_name(meta)}"
    out = [f"<h1>{escape(title)}</h1>"]
    if note := incomplete_note(meta):
        out.append(f'<div class="alert"><strong>{escape(note)}</strong></div>')
    if decision is not None:
        out.append(decision_html(decision))
    if meta.get("description"):
        out.append(f"<p>{escape(str(meta['description']).strip())}</p>")
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in meta_items(meta))
    out += ["<h2>Scenario</h2>",
            f'<dl class="meta">{items}</dl>' if items else "<p>No metadata.</p>"]
    out += ["<h2>Headline</h2>", _gates_banner(gates),
            html_table(headline(risk, comparison, baseline=baseline, currency=currency, units=units)),
            f'<p class="note">{escape(HEADLINE_NOTE)}</p>']
    out += ["<h2>Risk</h2>", html_table(risk_table(risk, order=order, currency=currency, units=units))]
    out.append(f"<h2>Comparison with the baseline <code>{escape(str(baseline))}</code></h2>")
    comp = comparison_table(comparison, metrics=metrics, order=order, currency=currency, units=units)
    out.append(html_table(comp) if comp.rows
               else "<p>No other strategy to compare with the baseline.</p>")
    if regret is not None and regret.rows:
        out += ["<h2>Regret</h2>", f'<p class="note">{escape(REGRET_NOTE)}</p>', html_table(regret)]
    out += ["<h2>Compliance warnings</h2>", _warnings_html(warnings)]
    gt = gates_table(gates)
    out += ["<h2>Gates</h2>", html_table(gt) if gt.rows else "<p>No gates defined.</p>"]
    if figures:
        out.append("<h2>Figures</h2>")
        for name, fig in figures.items():
            label = FIGURE_TITLES.get(name, name.replace("_", " ").capitalize())
            data = base64.b64encode(figure_png(fig)).decode("ascii")
            out += [f"<h3>{escape(label)}</h3>",
                    f'<figure><img alt="{escape(label)}" src="data:image/png;base64,{data}">'
                    f"<figcaption>{escape(FIGURE_CAPTIONS.get(name, ''))}</figcaption></figure>"]
    key = summary_table(summary, metrics=metrics, order=order, currency=currency, units=units)
    if key.rows:
        out += ["<h2>Key metrics per strategy</h2>",
                '<p class="note">Mean over replications, with the 5th to 95th percentile '
                "in parentheses.</p>", html_table(key)]
    body = "\n".join(out)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head>\n"
            f"<body>\n{body}\n</body></html>\n")
