"""The analyst's report: the PDF opens and has the expected pages (pdftoppm renders them), the HTML
is self-contained, and bad targets fail cleanly."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from core import api
from core.export._files import ExportError

MISSION = """
schema_version: 1
name: Report test
description: A small shell for the report tests.
sources: ["A made-up source for the test"]
epoch: "2026-03-20T00:00:00Z"
analysis: {duration_s: 3600, step_s: 60, coverage_grid_deg: 5}
constellations:
  - {name: ring, altitude_km: 550, inclination_deg: 53, planes: 2, sats_per_plane: 10, phasing: 1, isl: plus-grid}
ground_stations:
  - {name: Svalbard, lat_deg: 78.23, lon_deg: 15.41, alt_m: 450, min_elevation_deg: 5}
  - {name: Hartebeesthoek, lat_deg: -25.89, lon_deg: 27.69, alt_m: 1415, min_elevation_deg: 5}
latency_pairs:
  - [London, New York]
"""

SECTIONS = ["Mission summary", "Constellation", "Coverage", "Ground-station access", "Latency",
            "Power, heat, compute and cost budgets", "Time to insight", "Assumptions and model notes", "Sources"]


@pytest.fixture(scope="module")
def results():
    return api.analyze(api.loads_mission(MISSION))


@pytest.fixture(scope="module")
def report(results):
    from core.export.report.content import report_content

    return report_content(results)


def test_content_has_every_section_and_figure(report):
    titles = [s.title for s in report.sections]
    for want in SECTIONS:
        assert any(t.startswith(want) for t in titles), want
    for name in ("constellation_3d", "ground_tracks", "coverage_map", "coverage_time", "access_timeline", "latency",
                 "power", "insight"):
        assert report.figures[name].png.startswith(b"\x89PNG"), name


def test_pdf_opens_and_renders(results, tmp_path):
    assert shutil.which("pdftoppm") and shutil.which("pdfinfo"), "poppler-utils is installed by `make test`"
    from core.export.report import write_report

    path = write_report(results, tmp_path / "report.pdf")
    assert path.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= len(SECTIONS)  # one section per page at least
    assert "Report test" in info  # the document title
    pages_dir = Path(__file__).parents[2] / "build" / "report-pages"  # kept for a person to look at (CI artefact)
    pages_dir.mkdir(parents=True, exist_ok=True)
    for old in pages_dir.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", str(pages), str(path), str(pages_dir / "page")],
                   check=True)
    rendered = sorted(pages_dir.glob("page-*.png"))
    assert len(rendered) == pages
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
        for want in SECTIONS:
            assert want in text.replace("\n", " "), want
        assert f"page 1 of {pages}" in text and f"page {pages} of {pages}" in text
        assert "A made-up source for the test" in text
        raw = " ".join(subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                                      check=True).stdout.split())
        for unit in ("altitude km", "inclination deg", "contact h", "median ms", "battery Wh"):
            assert unit in raw, unit


def test_html_is_self_contained(results, tmp_path):
    from core.export.report import write_report

    path = write_report(results, tmp_path / "report.html")
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(script|link|iframe|object|embed)\b", text, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:|//|file:)""", text, re.I)
    assert "@import" not in text and "url(" not in text
    images = re.findall(r'<img[^>]+src="([^"]+)"', text)
    assert len(images) >= 8
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG")
    for want in SECTIONS:
        assert want in text, want
    anchors = set(re.findall(r'<section id="([^"]+)"', text))
    assert set(re.findall(r'<a href="#([^"]+)"', text)) == anchors


def test_bad_report_targets(results, tmp_path):
    from core.export.commands import check_report_target, run_report

    with pytest.raises(ExportError, match=r"\.pdf or \.html"):
        check_report_target(tmp_path / "report.docx")
    with pytest.raises(ExportError, match="does not exist"):
        run_report(results, tmp_path / "missing" / "report.pdf")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- what a reader sees


def _text_boxes(fig):
    """Window boxes of every drawn, non-empty text of a matplotlib figure."""
    from matplotlib.text import Text

    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    hidden = set()  # labels of ticks outside the view: matplotlib keeps but does not draw them
    for ax in fig.axes:
        for axis in ax._axis_map.values():
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                loc = tick.get_loc()
                if loc is None or not (lo - 1e-9 * abs(hi - lo) <= loc <= hi + 1e-9 * abs(hi - lo)):
                    hidden.update(t for t in (getattr(tick, "label1", None), getattr(tick, "label2", None)) if t is not None)
    boxes = []
    for text in fig.findobj(Text):
        if text in hidden or not text.get_visible() or not text.get_text().strip():
            continue
        box = text.get_window_extent(renderer)
        if box.width < 1 or box.x1 < page.x0 or box.x0 > page.x1 or box.y1 < page.y0 or box.y0 > page.y1:
            continue
        boxes.append((text.get_text(), box))
    return boxes


def _overlap(a, b, tolerance: float = 0.5) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance) and (min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance)


@pytest.fixture(scope="module")
def drawn(results):
    from core.export.report.figures import draw_figures

    return {name: fig for name, _, fig in draw_figures(results)}


def test_figure_labels_never_overlap(drawn):
    assert {"power", "latency", "insight", "coverage_time"} <= set(drawn)
    for name, fig in drawn.items():
        boxes = _text_boxes(fig)
        assert len(boxes) > 5, name
        clashes = [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1:] if _overlap(ba, bb)]
        assert not clashes, f"{name}: {clashes[:5]}"
        page = fig.bbox
        for text, box in boxes:  # nothing cut at the edge of the picture
            assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1 and page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, \
                f"{name}: {text!r} is cut"


def test_legends_stay_outside_the_data(drawn):
    for name, fig in drawn.items():
        renderer = fig.canvas.get_renderer()
        legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
        for legend in legends:
            box = legend.get_window_extent(renderer)
            for ax in fig.axes:
                if ax.name == "3d" or not ax.get_visible() or ax in getattr(fig, "_colorbar_axes", ()):
                    continue
                assert not _overlap(box, ax.get_window_extent(renderer), 1.0), f"{name}: a legend covers the data"
    assert drawn["latency"].legends, "the latency legend lives below the plot"


def test_insight_axis_is_in_the_units_people_read(drawn):
    fig = drawn["insight"]
    labels = {t.get_text() for ax in fig.axes for t in ax.get_xticklabels()}
    assert labels & {"1 s", "10 s", "1 min", "10 min", "1 h", "6 h", "1 day"}
    from core.export.report.figures import _duration_ticks

    assert [t for _, t in _duration_ticks(0.07, 4.5 * 86400)] == ["0.1 s", "1 s", "1 min", "1 h", "1 day"]
    assert [t for _, t in _duration_ticks(0.5, 7200)] == ["1 s", "10 s", "1 min", "10 min", "1 h"]
    assert not any("10^" in t or "$" in t for t in labels)


def test_key_results_read_as_sentences(report):
    rows = dict(map(tuple, report.sections[0].blocks[-1].table.rows))
    text = rows["time to insight"]
    assert text.startswith("in orbit: ") and "; traditional: " in text
    assert not re.search(r"\bnever\b|\bNone\b|\bnan\b|\binf\b|\d+\.\d+x", text)


def test_insight_phrase_when_a_model_cannot_keep_up():
    from core.export.report.content import insight_phrase, insight_summary, insight_table

    unstable = {"traditional": {"stable": False, "backlog_growth_gbit_per_day": 1234.5, "median_s": None, "p95_s": None,
                                "downlink_gbit_per_day": 9000.0, "undelivered_fraction": 0.4},
                "in_orbit": {"stable": True, "median_s": 1.2, "p95_s": 3.0, "downlink_gbit_per_day": 9.0,
                             "undelivered_fraction": 0.0},
                "speedup_median": None, "downlink_reduction": 1000.0, "downlink_capacity_gbit_per_day": 6000.0,
                "horizon_s": 86400.0}
    assert insight_phrase(unstable) == ("in orbit: 1.2 s median; traditional: the downlink cannot keep up "
                                        "(the backlog grows by 1,234 Gbit a day)")
    table = insight_table(unstable)
    cells = " ".join(str(c) for row in table.rows for c in row)
    assert "None" not in cells and "nan" not in cells and "no: the backlog grows by 1,234 Gbit/day" in cells
    assert "150 %" in insight_summary(unstable)  # raw data against what the stations can take
    from core.export.report.content import insight_gains_table

    gains = dict(map(tuple, insight_gains_table(unstable).rows))
    assert gains == {"results, median": "no median: the traditional downlink cannot keep up",
                     "data sent to the ground": "1,000 times less", "raw data against the stations' capacity": "150 %"}
    # an older results document (no `stable`): stable; a null median while stable: why, in words
    old = {"traditional": {"median_s": 32333.0, "p95_s": 59199.0}, "in_orbit": {"median_s": 1.2, "p95_s": 1.2},
           "speedup_median": 27635.3, "horizon_s": 86400.0}
    assert insight_phrase(old) == "in orbit: 1.2 s median; traditional: 9.0 h median; results arrive about 28,000 times sooner"
    old["traditional"]["median_s"] = None
    assert "traditional: most captures are not delivered within the analysis horizon (24.0 h)" in insight_phrase(old)


def test_seconds_columns_read_in_minutes_or_hours():
    from core.analysis.tables import Table
    from core.export.report.content import readable_units

    t = readable_units(Table("Power", ["shell", "eclipse max s", "gap s", "step s"], [["a", 2117.0, 32400.0, 60.0]]))
    assert t.columns == ["shell", "eclipse max min", "gap h", "step s"]
    assert t.rows == [["a", 35.3, 9.0, 60.0]]


def _pdf_words(path):
    pdfplumber = pytest.importorskip("pdfplumber", reason="pdfplumber is in the test extra")
    with pdfplumber.open(path) as pdf:
        return [page.extract_words(keep_blank_chars=False, use_text_flow=False) for page in pdf.pages]


def _vocabulary(report) -> set[str]:
    """Every word the report writes as text (tables, paragraphs, titles, captions, page furniture)."""
    from core.export.report.content import FigureBlock, Para, TableBlock, fmt

    texts = [report.title, report.subtitle, report.generated_utc, "StarNet Studio report:", "All times UTC", "page of",
             "Contents:", "Figure.", "(continued)", "•", "(cid:127)"]  # the bullet, as pdfminer names its glyph
    for k, section in enumerate(report.sections):
        texts += [f"{k + 1}. {section.title}", f"{section.title},"]
        for block in section.blocks:
            if isinstance(block, Para):
                texts.append(block.text)
            elif isinstance(block, TableBlock):
                texts += [block.table.title, block.note] + [str(c) for c in block.table.columns]
                texts += [fmt(v) for row in block.table.rows for v in row]
            elif isinstance(block, FigureBlock):
                texts.append(report.figures[block.name].caption)
    return {w for t in texts for w in str(t).split()}


def _assert_pdf_reads_cleanly(path, report):
    pages = _pdf_words(path)
    vocabulary = _vocabulary(report)
    for n, words in enumerate(pages, 1):
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                inter_x = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
                inter_y = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                assert inter_x <= 0.5 or inter_y <= 0.5, f"page {n}: {a['text']!r} overlaps {b['text']!r}"
        strays = [w["text"] for w in words if w["text"] not in vocabulary and not w["text"].isdigit()
                  and not re.fullmatch(r"\d+\.|\d+,?", w["text"])]
        assert not strays, f"page {n}: words the report never wrote (a word broken across lines?): {strays[:8]}"
    printed = {w["text"] for words in pages for w in words}
    for section in report.sections:
        for block in section.blocks:
            if hasattr(block, "table"):
                t = block.table
                from core.export.report.content import fmt

                for text in [str(c) for c in t.columns] + [fmt(v) for row in t.rows for v in row]:
                    for word in text.split():
                        assert word in printed, f"{t.title}: {word!r} is not whole on the page"


def test_pdf_text_never_overlaps_and_table_words_stay_whole(report, tmp_path):
    from core.export.report.pdf import pdf_bytes

    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes(report))
    _assert_pdf_reads_cleanly(path, report)


def test_a_table_too_wide_for_the_page_continues(report, tmp_path):
    from dataclasses import replace

    from core.analysis.tables import Table
    from core.export.report.content import Section, TableBlock
    from core.export.report.pdf import pdf_bytes

    wide = Table("Twenty columns", ["design"] + [f"coverage.metric_number_{k} percent" for k in range(20)],
                 [[f"design-{r}"] + [f"{1234567.891 * (r + 1) * (k + 1):,.2f}" for k in range(20)] for r in range(3)])
    small = replace(report, sections=[Section("Wide", [TableBlock(wide)])], figures={})
    path = tmp_path / "wide.pdf"
    path.write_bytes(pdf_bytes(small))
    _assert_pdf_reads_cleanly(path, small)
    text = " ".join(w["text"] for words in _pdf_words(path) for w in words)
    assert text.count("design-0") >= 2  # the key column repeats in the continuation


def test_money_reads_in_one_scale():
    from core.export.report.content import _money

    assert _money(7_986_314.0) == "$8.0 million"
    assert _money(443_684.0, 7_986_314.0) == "$0.44 million"  # beside $8.0 million in one sentence
    assert _money(3.7e9) == "$3.7 billion" and _money(5_000.0) == "$5,000"


def test_html_numbers_are_right_aligned_and_never_wrap(report):
    from core.export.report.html import html_text

    text = html_text(report)
    assert "white-space:nowrap" in text and "overflow-wrap:normal" in text
    assert re.search(r'<th class="num">altitude km</th>', text)
    assert re.search(r'<td class="num">550(\.0)?</td>', text)
    assert '<td class="num">ring</td>' not in text
