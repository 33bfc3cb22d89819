"""The report as PDF, laid out with reportlab platypus: A4, numbered pages, real tables.

Every page carries the mission name in the header and "page N of M" in the footer; each
section starts on a new page after the summary.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from core.export.report.content import FigureBlock, Para, Report, TableBlock, fmt, is_number

ACCENT = "#1f4e79"


def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontSize=22, leading=27, textColor=colors.HexColor(ACCENT),
                                alignment=0, spaceAfter=4),
        "subtitle": ParagraphStyle("st", parent=base["Normal"], fontSize=10, leading=13, textColor=colors.HexColor("#555555"),
                                   spaceAfter=12),
        "h1": ParagraphStyle("h1", parent=base["Heading1"], fontSize=15, leading=19, textColor=colors.HexColor(ACCENT),
                             spaceBefore=2, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base["Heading3"], fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("b", parent=base["Normal"], fontSize=9.5, leading=13, spaceAfter=6),
        "note": ParagraphStyle("n", parent=base["Normal"], fontSize=8, leading=10.5, textColor=colors.HexColor("#555555"),
                               spaceAfter=6),
        "bullet": ParagraphStyle("bl", parent=base["Normal"], fontSize=9, leading=12, leftIndent=12, bulletIndent=2,
                                 spaceAfter=4),
        "caption": ParagraphStyle("c", parent=base["Normal"], fontSize=8, leading=10, textColor=colors.HexColor("#444444"),
                                  spaceBefore=2, spaceAfter=10),
        "cell": ParagraphStyle("cell", parent=base["Normal"], fontSize=7.5, leading=9),
        "head": ParagraphStyle("head", parent=base["Normal"], fontSize=7.5, leading=9, fontName="Helvetica-Bold",
                               textColor=colors.white),
    }


CELL_PAD_PT = 6.0  # reportlab's default left and right cell padding
FONT_SIZES_PT = (7.5, 6.5)  # a wide table first tries the smaller font, then continues in a second table
def _text_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


def _fit_columns(headers: list[str], cells: list[list[str]], width: float) -> tuple[float, list[float]] | None:
    """``(font size, column widths)`` from the content, or ``None`` when even the narrowest
    widths (every column as wide as its longest word) do not fit ``width`` at the smallest font.

    A column gets the width of its longest cell and heading on one line when the table allows
    it; otherwise headings wrap between words while every cell stays on one line; otherwise
    every column keeps at least its longest word (no word is ever broken). What is left over
    goes to the columns in proportion to what they need for the next step.
    """
    for size in FONT_SIZES_PT:
        natural, body, minimum = [], [], []
        for k, head in enumerate(headers):
            column = [(row[k], "Helvetica") for row in cells]
            head_word = max(_text_width(w, "Helvetica-Bold", size) for w in head.split() or [""])
            natural.append(max([_text_width(head, "Helvetica-Bold", size)] + [_text_width(t, f, size) for t, f in column]))
            body.append(max([head_word] + [_text_width(t, f, size) for t, f in column]))
            minimum.append(max([head_word] + [_text_width(w, f, size) for t, f in column for w in t.split() or [""]]))
        pad = 2 * CELL_PAD_PT + 2
        natural, body, minimum = ([v + pad for v in x] for x in (natural, body, minimum))
        if sum(natural) <= width:
            return size, [n * width / sum(natural) for n in natural]
        for low, high in ((body, natural), (minimum, body)):  # first every cell on one line, then only whole words
            if sum(low) <= width:
                room = [h - lo for h, lo in zip(high, low)]
                spare = width - sum(low)
                return size, [lo + spare * r / sum(room) for lo, r in zip(low, room)]
    return None


def _column_groups(headers: list[str], cells: list[list[str]], width: float) -> list[list[int]]:
    """Columns that fit side by side, each group led by the first (key) column."""
    size = FONT_SIZES_PT[-1]
    minimum = [max(_text_width(w, f, size) for t, f in [(h, "Helvetica-Bold")] + [(row[k], "Helvetica") for row in cells]
                   for w in t.split() or [""]) + 2 * CELL_PAD_PT + 2 for k, h in enumerate(headers)]
    groups: list[list[int]] = []
    for k in range(1, len(headers)):
        if groups and sum(minimum[j] for j in groups[-1]) + minimum[k] <= width:
            groups[-1].append(k)
        else:
            groups.append([0, k])
    return groups or [[0]]


def _table(block: TableBlock, styles: dict[str, Any], width: float) -> list[Any]:
    t = block.table
    ncol = len(t.columns)
    headers = [str(c) for c in t.columns]
    rows = [list(r) + [""] * (ncol - len(r)) for r in t.rows]
    cells = [[fmt(v) for v in r[:ncol]] for r in rows]
    if _fit_columns(headers, cells, width) is not None:
        return _table_part(t.title, block.note, headers, rows, cells, styles, width)
    parts = []
    for n, group in enumerate(_column_groups(headers, cells, width)):
        title = t.title if n == 0 else f"{t.title} (continued)"
        parts += _table_part(title, block.note if n == 0 else "", [headers[k] for k in group],
                             [[r[k] for k in group] for r in rows], [[c[k] for k in group] for c in cells], styles, width)
    return parts


def _table_part(title: str, note: str, headers: list[str], rows: list[list], cells: list[list[str]], styles: dict[str, Any],
                width: float) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

    size, widths = _fit_columns(headers, cells, width) or (FONT_SIZES_PT[-1], [width / len(headers)] * len(headers))
    numeric = [k > 0 and all(is_number(r[k], c[k]) for r, c in zip(rows, cells) if c[k] not in ("", "-"))
               and any(c[k] not in ("", "-") for c in cells) for k in range(len(headers))]

    def style(name: str, right: bool) -> ParagraphStyle:
        return ParagraphStyle(f"{name}{size}{right}", parent=styles[name], fontSize=size, leading=size + 1.5,
                              alignment=TA_RIGHT if right else 0)

    head = [Paragraph(escape(h), style("head", numeric[k])) for k, h in enumerate(headers)]
    body = [[Paragraph(escape(c), style("cell", numeric[k])) for k, c in enumerate(row)] for row in cells]
    table = Table([head] + body, colWidths=widths, repeatRows=1, hAlign="LEFT")
    spec = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(ACCENT)),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8d3df")),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for r in range(2, len(body) + 1, 2):
        spec.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f1f5f9")))
    table.setStyle(spec)
    parts = [Paragraph(escape(title), styles["h2"]), table]
    if note:
        parts.append(Paragraph(escape(note), styles["note"]))
    parts.append(Spacer(1, 6))
    if len(rows) <= 25:
        return [KeepTogether(parts)]
    return parts


def _figure(block: FigureBlock, report: Report, styles: dict[str, Any], width: float) -> Any:
    from reportlab.platypus import Image, KeepTogether, Paragraph

    img = report.figures[block.name]
    w = min(width, img.width_in * 72.0)
    h = w * img.height_in / img.width_in
    max_h = 560.0
    if h > max_h:
        w, h = w * max_h / h, max_h
    flow = Image(io.BytesIO(img.png), width=w, height=h)
    flow.hAlign = "CENTER"
    return [KeepTogether([flow, Paragraph(f"<i>Figure.</i> {escape(img.caption)}", styles["caption"])])]


def _numbered_canvas(title: str, generated: str) -> type:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    class NumberedCanvas(canvas.Canvas):
        """Two passes: the page count is known when the footers are drawn."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            w, h = self._pagesize
            self.saveState()
            self.setStrokeColor(colors.HexColor("#c8d3df"))
            self.setLineWidth(0.5)
            self.line(18 * mm, h - 13 * mm, w - 18 * mm, h - 13 * mm)
            self.line(18 * mm, 13 * mm, w - 18 * mm, 13 * mm)
            self.setFont("Helvetica", 7.5)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(18 * mm, h - 11 * mm, f"StarNet Studio report: {title}"[:110])
            self.drawRightString(w - 18 * mm, h - 11 * mm, generated)
            self.drawString(18 * mm, 9 * mm, "All times UTC")
            self.drawRightString(w - 18 * mm, 9 * mm, f"page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def pdf_bytes(report: Report) -> bytes:
    """Render the report to PDF bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    styles = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"StarNet Studio report: {report.title}", author="StarNet Studio",
                            subject="Computing-constellation analysis", creator="StarNet Studio")
    width = doc.width
    story = [Paragraph(escape(report.title), styles["title"]), Paragraph(escape(report.subtitle), styles["subtitle"])]
    contents = ", ".join(f"{k + 1}. {s.title}" for k, s in enumerate(report.sections))
    story.append(Paragraph(f"<b>Contents:</b> {escape(contents)}", styles["note"]))
    story.append(Spacer(1, 6))
    for k, section in enumerate(report.sections):
        if k > 0:
            story.append(PageBreak())
        story.append(Paragraph(f"{k + 1}. {escape(section.title)}", styles["h1"]))
        for block in section.blocks:
            if isinstance(block, Para):
                if block.style == "bullet":
                    story.append(Paragraph(escape(block.text), styles["bullet"], bulletText="•"))
                else:
                    story.append(Paragraph(escape(block.text), styles[block.style]))
            elif isinstance(block, TableBlock):
                story += _table(block, styles, width)
            elif isinstance(block, FigureBlock):
                story += _figure(block, report, styles, width)
    doc.build(story, canvasmaker=_numbered_canvas(report.title, report.generated_utc))
    return buf.getvalue()
