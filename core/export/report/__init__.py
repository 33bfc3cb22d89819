"""The analyst's report (PDF or HTML) of a ``Results``: see :func:`write_report`.

The figures are drawn once (:mod:`.figures`), the content is assembled once
(:mod:`.content`), and :mod:`.pdf` / :mod:`.html` lay it out.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core.export._files import ExportError, atomic_write_bytes, atomic_write_text

if TYPE_CHECKING:
    from core.analysis.pipeline import Results

REPORT_SUFFIXES = (".pdf", ".html", ".htm")


def report_kind(path: str | Path) -> str:
    """``"pdf"`` or ``"html"`` from the file name, or :class:`ExportError`."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix in (".html", ".htm"):
        return "html"
    raise ExportError(f"{path}: a report file must end in .pdf or .html")


def write_report(results: Results, path: str | Path) -> Path:
    """Write the report of ``results`` to ``path`` (PDF or HTML by suffix), atomically."""
    from core.export.report.content import report_content

    kind = report_kind(path)
    report = report_content(results)
    if kind == "pdf":
        from core.export.report.pdf import pdf_bytes

        atomic_write_bytes(path, pdf_bytes(report))
    else:
        from core.export.report.html import html_text

        atomic_write_text(path, html_text(report))
    return Path(path)


__all__ = ["REPORT_SUFFIXES", "report_kind", "write_report"]
