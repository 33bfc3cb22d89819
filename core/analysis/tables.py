"""A small table type that every analysis result hands to the CLI summary and the report.

Tables never cut a cell: when they are wider than the terminal, the columns that do not fit go
into a continuation table that repeats the first (key) column; headings wrap between words
(or after ``.``, ``_`` and ``/`` in names such as ``coverage.mean_percent``), text cells wrap
between words, and a number is never broken.

>>> t = Table("Coverage", ["metric", "value"], [["mean", "87.5 %"], ["max gap", "16.0 h"]])
>>> print(t.render())
Coverage
metric    value
-------  ------
mean     87.5 %
max gap  16.0 h
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PLAIN_GAP = 2  # spaces between plain-text columns
RICH_GAP, RICH_EDGE = 3, 4  # rich's " │ " between columns and "│ " + " │" at the edges
MAX_HEADER_LINES = 3
WHOLE_WORD = 12  # heading words up to this long never break
_PIECE = re.compile(r"[^._/]*[._/]|[^._/]+")  # a name breaks after '.', '_' or '/'


@dataclass(frozen=True)
class Table:
    """A titled table: column headings and rows of cells (numbers or text)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]] = field(default_factory=list)

    def render(self, width_chars: int | None = None) -> str:
        """Plain aligned text; wider than ``width_chars`` it continues in further tables."""
        return "\n\n".join(_plain(part) for part in layout(self, width_chars, PLAIN_GAP, 0))


def cell_text(value) -> str:
    """How a table cell prints: four significant digits, whole numbers from 10,000 up, '-' for missing."""
    if value is None:
        return "-"
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        value = float(value)
        if not math.isfinite(value):
            return "-" if value != value else ("unbounded" if value > 0 else "-unbounded")
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


# ----------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class TablePart:
    """One printable piece of a :class:`Table`: its title, and per column the width, the
    heading's lines and every cell's lines (already wrapped to the width)."""

    title: str
    widths: list[int]
    headers: list[list[str]]
    cells: list[list[list[str]]]  # rows x columns x lines


def _header_floor(text: str) -> int:
    """The narrowest a heading may get: its longest word, or for a long name such as
    ``coverage.mean_percent`` its longest piece between '.', '_' and '/'."""
    return max([len(w) if len(w) <= WHOLE_WORD else max(len(p) for p in _PIECE.findall(w)) for w in text.split()],
               default=0)


def _wrap_header(text: str, width: int) -> list[str]:
    """A heading on lines of ``width``: between words, and inside a word only after '.', '_' or '/'
    when the whole word does not fit on a line of its own."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
            continue
        if len(word) <= width:
            lines.append(word)
            continue
        for n, piece in enumerate(_PIECE.findall(word)):
            joined = (lines[-1] + (" " if n == 0 else "") + piece) if lines else piece
            if lines and len(joined) <= width:
                lines[-1] = joined
            else:
                lines.append(piece)
    return lines or [""]


def _widen_headings(group: list[int], widths: list[int], headers: list[str], slack: int) -> list[int]:
    """Spend ``slack`` spare characters where they save a heading line at the least cost."""
    widths = list(widths)
    while slack > 0:
        best = None  # (-lines, cost, i)
        for i, k in enumerate(group):
            lines = len(_wrap_header(headers[k], widths[i]))
            if lines <= 1:
                continue
            cost = next((c for c in range(1, slack + 1) if len(_wrap_header(headers[k], widths[i] + c)) < lines), None)
            if cost is not None and (best is None or (-lines, cost) < best[:2]):
                best = (-lines, cost, i)
        if best is None:
            break
        widths[best[2]] += best[1]
        slack -= best[1]
    return widths


def _wrap_cell(text: str, width: int) -> list[str]:
    """A cell on lines of ``width``, broken between words only (a number is one word)."""
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def _longest_word(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)


def layout(table: Table, width_chars: int | None, gap: int, edge: int) -> list[TablePart]:
    """Split ``table`` into parts no wider than ``width_chars`` (``None``: one part).

    ``gap`` is the space between two columns and ``edge`` the borders' width, so the same
    layout serves plain text (2, 0) and rich's boxed tables (3, 4). Every part repeats the
    first column. A column keeps its widest cell on one line when it can; headings wrap to at
    most three lines first, text cells wrap between words only when a column alone would not
    fit, and numbers (one word) are never broken.
    """
    ncol = len(table.columns)
    headers = [str(c) for c in table.columns]
    texts = [[cell_text(row[k]) if k < len(row) else "" for k in range(ncol)] for row in table.rows]
    natural = [max([len(headers[k])] + [len(r[k]) for r in texts]) for k in range(ncol)]
    if width_chars is None or sum(natural) + gap * (ncol - 1) + edge <= width_chars:
        return [_part(table.title, list(range(ncol)), natural, headers, texts)]

    def compact(k: int) -> int:
        """The narrowest width that keeps every cell on one line and the heading within its line limit."""
        cells = max([len(r[k]) for r in texts], default=0)
        w = max(cells, _header_floor(headers[k]))
        while len(_wrap_header(headers[k], w)) > MAX_HEADER_LINES and w < len(headers[k]):
            w += 1
        return w

    widths = [compact(k) for k in range(ncol)]
    floor = [max([_longest_word(r[k]) for r in texts] + [_header_floor(headers[k])]) for k in range(ncol)]
    # the key column and any one other column must fit side by side: wrap text between words
    room = width_chars - edge - gap
    key_cap = max(floor[0], room // 3)
    widths[0] = min(widths[0], max(key_cap, room - max(widths[1:], default=0)))
    for k in range(1, ncol):
        widths[k] = max(floor[k], min(widths[k], room - widths[0]))
    groups: list[list[int]] = []
    for k in range(1, ncol):
        if groups and sum(widths[j] for j in groups[-1]) + widths[k] + gap * len(groups[-1]) + edge <= width_chars:
            groups[-1].append(k)
        else:
            groups.append([0, k])
    groups = groups or [[0]]
    parts = []
    for n, group in enumerate(groups):
        used = sum(widths[k] for k in group) + gap * (len(group) - 1) + edge
        w = _widen_headings(group, [widths[k] for k in group], headers, width_chars - used)
        title = table.title if n == 0 else f"{table.title} (continued)"
        parts.append(_part(title, group, w, headers, texts))
    return parts


def _part(title: str, group: list[int], widths: list[int], headers: list[str], texts: list[list[str]]) -> TablePart:
    return TablePart(title, widths, [_wrap_header(headers[k], w) for k, w in zip(group, widths)],
                     [[_wrap_cell(row[k], w) for k, w in zip(group, widths)] for row in texts])


def _plain(part: TablePart) -> str:
    """A part as plain aligned text: the first column left-aligned, the others right-aligned."""

    def block(columns: list[list[str]], bottom: bool) -> list[str]:
        height = max(len(c) for c in columns)
        out = []
        for i in range(height):
            line = []
            for k, (lines, w) in enumerate(zip(columns, part.widths)):
                pad = height - len(lines) if bottom else 0
                text = lines[i - pad] if 0 <= i - pad < len(lines) else ""
                line.append(text.ljust(w) if k == 0 else text.rjust(w))
            out.append((" " * PLAIN_GAP).join(line).rstrip())
        return out

    lines = textwrap.wrap(part.title, max(sum(part.widths) + PLAIN_GAP * (len(part.widths) - 1), 40)) or [""]
    lines += block(part.headers, bottom=True)
    lines.append((" " * PLAIN_GAP).join("-" * w for w in part.widths))
    for row in part.cells:
        lines += block(row, bottom=False)
    return "\n".join(lines)


def print_tables(tables, console=None) -> None:
    """Print tables on the terminal: boxed with rich on a terminal, plain aligned text otherwise.

    Both fit the console's width (``COLUMNS`` when set), continuing in further tables rather
    than cutting a number.
    """
    from rich.console import Console
    from rich.table import Table as RichTable

    console = console or Console()
    width = console.width
    for table in tables:
        if not console.is_terminal:
            console.file.write("\n\n".join(_plain(p) for p in layout(table, width, PLAIN_GAP, 0)) + "\n\n")
            continue
        for part in layout(table, width, RICH_GAP, RICH_EDGE):
            height = max(len(h) for h in part.headers)
            view = RichTable(title=part.title, title_justify="left", header_style="bold")
            for k, (w, head) in enumerate(zip(part.widths, part.headers)):
                view.add_column("\n".join([""] * (height - len(head)) + head), justify="left" if k == 0 else "right", width=w, overflow="fold")
            for row in part.cells:
                view.add_row(*["\n".join(lines) for lines in row])
            console.print(view)
