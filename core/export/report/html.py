"""The report as one self-contained HTML file: inline CSS, figures embedded as base64 PNG.

Nothing is fetched when the page opens (no scripts, fonts, style sheets or images from
elsewhere), so the file can be mailed or archived as it is; it prints with page breaks
between sections.
"""

from __future__ import annotations

import base64
from html import escape

from core.analysis.tables import Table
from core.export.report.content import FigureBlock, Para, Report, TableBlock, fmt, is_number

CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1d2733;max-width:980px;margin:0 auto;padding:24px 28px 60px;line-height:1.45}
h1.title{color:#1f4e79;font-size:28px;margin:0 0 4px}
p.subtitle{color:#555;margin:0 0 18px}
nav{background:#f1f5f9;border:1px solid #c8d3df;border-radius:6px;padding:8px 14px;font-size:14px;margin-bottom:18px}
nav a{color:#1f4e79;text-decoration:none;margin-right:14px;white-space:nowrap}
section{border-top:2px solid #1f4e79;margin-top:30px;padding-top:6px}
h2{color:#1f4e79;font-size:21px;margin:4px 0 10px}
h3{font-size:15px;margin:16px 0 6px}
div.table{overflow-x:auto;margin-bottom:4px}
table{border-collapse:collapse;width:100%;font-size:13px;table-layout:auto}
th{background:#1f4e79;color:#fff;text-align:left;padding:5px 7px;font-weight:600;vertical-align:bottom}
th,td{overflow-wrap:normal;word-break:normal;hyphens:manual}
td{padding:4px 7px;border-bottom:1px solid #dde4ec;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:nth-child(even) td{background:#f6f9fb}
p.note{color:#555;font-size:12.5px;margin:4px 0 10px}
figure{margin:16px 0;text-align:center}
figure img{max-width:100%;height:auto;border:1px solid #e3e8ee}
figcaption{font-size:12.5px;color:#444;margin-top:4px}
ul{padding-left:22px}
footer{margin-top:40px;font-size:12px;color:#777;border-top:1px solid #c8d3df;padding-top:8px}
@media print{section{page-break-before:always}section:first-of-type{page-break-before:avoid}nav{display:none}}
"""


def _numeric_columns(t: Table) -> list[bool]:
    """Columns (after the first) whose every filled cell is a number: right-aligned, never wrapped."""
    out = []
    for k in range(len(t.columns)):
        filled = [(r[k], fmt(r[k])) for r in t.rows if k < len(r) and fmt(r[k]) not in ("", "-")]
        out.append(k > 0 and bool(filled) and all(is_number(v, text) for v, text in filled))
    return out


def _table(block: TableBlock) -> str:
    t = block.table
    numeric = _numeric_columns(t)
    head = "".join(f'<th class="num">{escape(str(c))}</th>' if numeric[k] else f"<th>{escape(str(c))}</th>"
                   for k, c in enumerate(t.columns))
    rows = []
    for row in t.rows:
        cells = "".join(f'<td class="num">{escape(fmt(v))}</td>' if k < len(numeric) and numeric[k] else f"<td>{escape(fmt(v))}</td>"
                        for k, v in enumerate(row))
        rows.append(f"<tr>{cells}</tr>")
    note = f'<p class="note">{escape(block.note)}</p>' if block.note else ""
    return (f'<h3>{escape(t.title)}</h3><div class="table"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>{note}")


def _figure(block: FigureBlock, report: Report) -> str:
    img = report.figures[block.name]
    data = base64.b64encode(img.png).decode("ascii")
    return (f'<figure id="fig-{escape(block.name)}"><img alt="{escape(img.caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{escape(img.caption)}</figcaption></figure>")


def html_text(report: Report) -> str:
    """Render the report to one HTML document."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>StarNet Studio report: {escape(report.title)}</title>", f"<style>{CSS}</style></head><body>",
             f'<h1 class="title">{escape(report.title)}</h1>', f'<p class="subtitle">{escape(report.subtitle)}</p>']
    nav = "".join(f'<a href="#{s.anchor or k}">{k + 1}. {escape(s.title)}</a>' for k, s in enumerate(report.sections))
    parts.append(f"<nav>{nav}</nav>")
    for k, section in enumerate(report.sections):
        parts.append(f'<section id="{section.anchor or k}"><h2>{k + 1}. {escape(section.title)}</h2>')
        bullets: list[str] = []
        for block in section.blocks:
            if isinstance(block, Para) and block.style == "bullet":
                bullets.append(f"<li>{escape(block.text)}</li>")
                continue
            if bullets:
                parts.append("<ul>" + "".join(bullets) + "</ul>")
                bullets = []
            if isinstance(block, Para):
                cls = ' class="note"' if block.style == "note" else ""
                parts.append(f"<p{cls}>{escape(block.text)}</p>")
            elif isinstance(block, TableBlock):
                parts.append(_table(block))
            elif isinstance(block, FigureBlock):
                parts.append(_figure(block, report))
        if bullets:
            parts.append("<ul>" + "".join(bullets) + "</ul>")
        parts.append("</section>")
    parts.append(f"<footer>StarNet Studio · generated {escape(report.generated_utc)} · all times UTC</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
