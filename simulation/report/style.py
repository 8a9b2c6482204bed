"""Figure conventions: size, resolution, strategy colours and axis formatters."""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import matplotlib
from matplotlib import font_manager

from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

__all__ = [
    "FIG_SIZE", "DPI", "GAIN", "LOSS", "NEUTRAL", "strategy_colors", "resolve_colors", "new_figure",
    "money_axis", "count_axis", "compact", "CJK_FAMILIES", "font_families", "report_style",
]

#: Fonts with Chinese glyphs tried after the Latin font, first found wins. The first is
#: installed with the package (the ``mplfonts`` dependency ships it); the others are
#: common system fonts.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "SimHei", "Heiti SC",
)
_PACKAGED_FONT = "NotoSansCJKsc-Regular.otf"

_F = TypeVar("_F", bound=Callable)


@functools.cache
def font_families() -> tuple[str, ...]:
    """The font family list of report figures: DejaVu Sans, then one font with CJK glyphs.

    Matplotlib falls back glyph by glyph along this list, so Latin text keeps its usual
    look and Chinese, Japanese or Korean strategy names render. The packaged Noto Sans
    CJK SC is registered with matplotlib's font manager on first use.
    """
    spec = importlib.util.find_spec("mplfonts")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / _PACKAGED_FONT
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
    names = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [name for name in CJK_FAMILIES if name in names][:1]
    if cjk:
        logging.getLogger("matplotlib.font_manager").addFilter(_RegularOnly(cjk[0]))
    return ("DejaVu Sans", *cjk)


class _RegularOnly(logging.Filter):
    """Drops the font manager's notice that ``family`` has no bold face (it draws regular)."""

    def __init__(self, family: str) -> None:
        super().__init__()
        self.family = family

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return not (text.startswith("findfont: Failed to find font weight") and text.endswith(
            f" for {self.family}, now using 400."))


def report_style(func: _F) -> _F:
    """Build the figure of ``func`` with the report's fonts (see :func:`font_families`)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context({"font.family": list(font_families())}):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]

FIG_SIZE: tuple[float, float] = (9.0, 5.0)
DPI = 110
GAIN = "#2e8b57"
LOSS = "#c0392b"
NEUTRAL = "0.45"


def strategy_colors(strategies: Sequence[str]) -> dict[str, str]:
    """One stable colour per strategy, in the given order (``tab10``, then ``tab20``).

    Parameters
    ----------
    strategies
        Strategy names in display order; the same order gives the same colours.

    Returns
    -------
    dict
        Strategy name to hex colour.
    """
    palette = colormaps["tab10" if len(strategies) <= 10 else "tab20"]
    n = palette.N
    return {name: to_hex(palette(i % n)) for i, name in enumerate(strategies)}


def resolve_colors(strategies: Sequence[str],
                   colors: Mapping[str, str] | None) -> dict[str, str]:
    """Display order and colours of ``strategies``.

    Strategies named in ``colors`` come first, in its order and with its colours;
    the others follow in their given order with default colours.

    Returns
    -------
    dict
        Strategy name to hex colour, in display order.
    """
    present = [str(s) for s in strategies]
    order = [s for s in (colors or {}) if s in present]
    order += [s for s in present if s not in order]
    resolved = strategy_colors(order)
    resolved.update({k: v for k, v in (colors or {}).items() if k in resolved})
    return resolved


def new_figure(*, size: tuple[float, float] = FIG_SIZE) -> Figure:
    """A detached figure (no pyplot state) with constrained layout."""
    return Figure(figsize=size, dpi=DPI, layout="constrained")


def compact(value: float) -> str:
    """Short money label for annotations, e.g. ``1.2M``, ``-35.0k``, ``820``."""
    a = abs(value)
    if a >= 1e9:
        return f"{value / 1e9:,.1f}B"
    if a >= 1e6:
        return f"{value / 1e6:,.1f}M"
    if a >= 1e4:
        return f"{value / 1e3:,.0f}k"
    if a >= 1e3:
        return f"{value / 1e3:,.1f}k"
    return f"{value:,.0f}"


def money_axis(ax: Axes, axis: str = "y") -> None:
    """Short money ticks on a money axis (``1.2M``, ``-35k``, ``820``; see :func:`compact`)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _: compact(v)))


def count_axis(ax: Axes, axis: str = "y") -> None:
    """Integer ticks with thousands separators on a count axis."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(integer=True))
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
