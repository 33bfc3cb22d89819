"""A small table type that every analysis result hands to the CLI summary and the report.

>>> t = Table("Coverage", ["metric", "value"], [["mean", "87.5 %"], ["max gap", "16.0 h"]])
>>> print(t.render())
Coverage
metric   value
-------  ------
mean     87.5 %
max gap  16.0 h
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    """A titled table: column headings and rows of cells (numbers or text)."""

    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)

    def render(self) -> str:
        """Plain-text rendering with left-aligned, space-padded columns."""
        cells = [[str(c) for c in self.columns]] + [[cell_text(v) for v in row] for row in self.rows]
        widths = [max(len(r[k]) for r in cells if k < len(r)) for k in range(len(self.columns))]
        lines = [self.title]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells[0], widths)).rstrip())
        lines.append("  ".join("-" * w for w in widths))
        lines.extend("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells[1:])
        return "\n".join(lines)


def cell_text(value) -> str:
    """How a table cell prints: four significant digits, whole numbers from 10,000 up, '-' for NaN."""
    if isinstance(value, float):
        if value != value:
            return "-"
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def print_tables(tables, console=None) -> None:
    """Print tables on the terminal with rich (the first column left-aligned, numbers right)."""
    from rich.console import Console
    from rich.table import Table as RichTable

    console = console or Console()
    for table in tables:
        view = RichTable(title=table.title, title_justify="left", header_style="bold")
        for column in table.columns:
            view.add_column(str(column), justify="right" if column != table.columns[0] else "left")
        for row in table.rows:
            view.add_row(*[cell_text(v) for v in row])
        console.print(view)
