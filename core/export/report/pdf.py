"""The report as PDF, laid out with reportlab platypus: A4, numbered pages, real tables.

Every page carries the mission name in the header and "page N of M" in the footer; each
section starts on a new page after the summary.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from core.export.report.content import FigureBlock, Para, Report, TableBlock, fmt

ACCENT = "#1f4e79"


def _styles():
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


def _table(block: TableBlock, styles, width: float):
    from reportlab.lib import colors
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

    t = block.table
    ncol = len(t.columns)
    data = [[Paragraph(escape(str(c)), styles["head"]) for c in t.columns]]
    for row in t.rows:
        cells = list(row) + [""] * (ncol - len(row))
        data.append([Paragraph(escape(fmt(v)), styles["cell"]) for v in cells[:ncol]])
    # column widths: proportional to the longest text, within bounds
    lengths = []
    for k in range(ncol):
        word = max((len(w) for w in str(t.columns[k]).split()), default=1) * 1.4
        cells = [len(fmt(r[k])) for r in t.rows if k < len(r)]
        lengths.append(min(max([word, *[c * 1.1 for c in cells]]), 45) + 3)
    total = sum(lengths)
    widths = [width * n / total for n in lengths]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(ACCENT)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8d3df")),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for r in range(1, len(data)):
        if r % 2 == 0:
            style.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f1f5f9")))
    table.setStyle(style)
    parts = [Paragraph(escape(t.title), styles["h2"]), table]
    if block.note:
        parts.append(Paragraph(escape(block.note), styles["note"]))
    parts.append(Spacer(1, 6))
    if len(t.rows) <= 25:
        return [KeepTogether(parts)]
    return parts


def _figure(block: FigureBlock, report: Report, styles, width: float):
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


def _numbered_canvas(title: str, generated: str):
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    class NumberedCanvas(canvas.Canvas):
        """Two passes: the page count is known when the footers are drawn."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved = []

        def showPage(self):
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int):
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
