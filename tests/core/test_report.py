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
from tests.core.factories import ground_station, mission_data, mission_from, walker_shell

MISSION = mission_data(
    dict(name="ring", altitude_km=550, inclination_deg=53, planes=2, sats_per_plane=10, phasing=1, isl="plus-grid"),
    name="Report test",
    description="A small shell for the report tests.",
    sources=["A made-up source for the test"],
    analysis=dict(duration_s=3600, step_s=60, coverage_grid_deg=5),
    ground_stations=[ground_station("Svalbard", 78.23, 15.41, alt_m=450, min_elevation_deg=5),
                     ground_station("Hartebeesthoek", -25.89, 27.69, alt_m=1415, min_elevation_deg=5)],
    latency_pairs=[["London", "New York"]],
)

SECTIONS = ["Mission summary", "Constellation", "Coverage", "Ground-station access", "Latency",
            "Power, heat, compute and cost budgets", "Time to insight", "Assumptions and model notes", "Sources"]


@pytest.fixture(scope="module")
def results():
    return api.analyze(mission_from(MISSION))


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
    assert insight_phrase(unstable) == ("in orbit: 1.2 s median; traditional: the downlink cannot keep up: "
                                        "the backlog grows by 1.23 Tbit a day")
    table = insight_table(unstable)
    cells = " ".join(str(c) for row in table.rows for c in row)
    assert "None" not in cells and "nan" not in cells and "no: the backlog grows by 1.23 Tbit/day" in cells
    # the analysis' own words win: they say which part falls behind (here the on-board compute)
    words = "the on-board compute cannot keep up: the backlog grows by 660 Tbit a day (79 of 81 satellites fall behind)"
    compute_bound = {**unstable, "in_orbit": {"stable": False, "backlog_growth_gbit_per_day": 660050.3, "reason": words}}
    assert insight_phrase(compute_bound).startswith(f"in orbit: {words}; traditional: the downlink cannot keep up")
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
    old["traditional"]["reason"] = "the queues keep up in the long run but have not reached a steady state within 16 repetitions"
    assert insight_phrase(old).endswith("traditional: the queues keep up in the long run but have not reached a steady state "
                                        "within 16 repetitions")


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


# ----------------------------------------------------------------------------- the analyses that came later

TRAFFIC_MISSION = mission_data(
    walker_shell("53:400/20/5", altitude_km=550, isl="plus-grid"),
    name="Traffic report test",
    description="A Walker shell carrying two demands, for the report's traffic page.",
    analysis=dict(duration_s=600, step_s=120, min_elevation_deg=25, coverage_grid_deg=10),
    buses={"default": {"isl_gbps": 20, "downlink_mbps": 5000}},
    traffic={"demands": [{"from": "New York", "to": "London", "gbps": 30}, {"from": "London", "to": "New York", "gbps": 1}],
             "routing": "k-shortest", "paths": 3},
)


def _section(report, anchor):
    return next((s for s in report.sections if s.anchor == anchor), None)


def _tables(section) -> dict:
    return {b.table.title: b.table for b in section.blocks if hasattr(b, "table")}


@pytest.fixture(scope="module")
def traffic_results():
    return api.analyze(mission_from(TRAFFIC_MISSION))


@pytest.fixture(scope="module")
def traffic_report(traffic_results):
    from core.export.report.content import report_content

    return report_content(traffic_results)


def test_traffic_page_shows_served_against_offered(traffic_results, traffic_report, tmp_path):
    from core.export.report.content import Para
    from core.export.report.pdf import pdf_bytes

    doc = traffic_results.traffic.to_json()
    page = _section(traffic_report, "traffic")
    assert page is not None and page.title == "Traffic and throughput"
    method = page.blocks[0]
    assert isinstance(method, Para) and method.text.startswith("Method:") and "Bertsekas and Gallager" in method.text
    tables = _tables(page)
    summary = dict(map(tuple, tables["Served against offered"].rows))
    assert summary["offered, all demands"] == "31 Gbit/s"
    assert summary["served, median over the window"] == f"{doc['served_gbps_median']:.4g} Gbit/s " \
                                                        f"({100 * doc['served_fraction_median']:.1f} %)"
    demands = tables["Demands, least served first"].rows
    assert [r[0] for r in demands] == ["New York - London", "London - New York"]  # the least served first
    ny = doc["demands"][0]
    assert demands[0][1:5] == [30.0, ny["served_gbps_min"], ny["served_gbps_median"], round(100 * ny["served_fraction_mean"], 1)]
    assert demands[0][6] == ", ".join(ny["bottleneck_links"])  # a 5 Gbit/s ground link stops the 30 Gbit/s demand
    assert demands[1][4] == 100.0 and demands[1][6] == "-"
    assert tables["Most loaded links"].rows[0][0] == doc["links"][0]["link"]
    assert "traffic" in traffic_report.figures and any(getattr(b, "name", "") == "traffic" for b in page.blocks)
    rows = dict(map(tuple, traffic_report.sections[0].blocks[-1].table.rows))
    assert rows["traffic served"].startswith(f"{doc['served_gbps_median']:.3g} Gbit/s median of 31 Gbit/s offered")
    notes = [b.text for b in _section(traffic_report, "assumptions").blocks if isinstance(b, Para)]
    assert sum(t.startswith("Traffic:") for t in notes) == 1
    sources = " ".join(b.text for b in _section(traffic_report, "sources").blocks)
    assert "Bertsekas" in sources
    for absent in ("cluster", "optical", "training"):  # no cluster, no optical budget, no training section
        assert _section(traffic_report, absent) is None, absent
    path = tmp_path / "traffic.pdf"
    path.write_bytes(pdf_bytes(traffic_report))
    _assert_pdf_reads_cleanly(path, traffic_report)


def test_traffic_figure_is_clean(traffic_results):
    from core.export.report.figures import fig_traffic

    fig = fig_traffic(traffic_results)
    boxes = _text_boxes(fig)
    clashes = [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1:] if _overlap(ba, bb)]
    assert not clashes, clashes[:5]
    renderer = fig.canvas.get_renderer()
    (ax,) = fig.axes
    assert fig.legends and not _overlap(fig.legends[0].get_window_extent(renderer), ax.get_window_extent(renderer), 1.0)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[:2] == ["served, all demands", "offered, all demands"] and "New York - London (offered 30 Gbit/s)" in labels
    served = ax.get_lines()[0].get_ydata()
    assert list(served) == list(traffic_results.traffic.total_served_gbps())


@pytest.fixture(scope="module")
def suncatcher():
    """The Suncatcher preset over half an hour: its cluster, optical links, training and radiation."""
    from core.resources import resource_path

    mission = api.load_mission(resource_path("missions/suncatcher.yaml"))
    short = mission.analysis.model_copy(update={"duration_s": 1800, "step_s": 120, "coverage_grid_deg": 10})
    results = api.analyze(mission.model_copy(update={"analysis": short}))
    from core.export.report.content import report_content

    return results, report_content(results)


def test_suncatcher_report_shows_cluster_links_training_and_radiation(suncatcher, tmp_path):
    from core.export.report.content import Para
    from core.export.report.pdf import pdf_bytes

    results, report = suncatcher
    sources = {"cluster": ("Cluster formation and station-keeping", "Schaub and Alfriend"),
               "optical": ("Optical inter-satellite links", "Friis"),
               "training": ("Distributed training", "Patarasuk and Yuan"),
               "radiation": ("Radiation: total ionising dose", "Pfandzelter and Bermbach")}
    for anchor, (title, cited) in sources.items():
        page = _section(report, anchor)
        assert page is not None and page.title == title, anchor
        assert page.blocks[0].text.startswith("Method:") and cited in page.blocks[0].text, anchor
    assert _section(report, "traffic") is None  # the preset has no traffic section

    cluster = results.cluster.to_json()[0]
    geometry = _tables(_section(report, "cluster"))["Cluster geometry"].rows[0]
    assert geometry[2:4] == [cluster["nominal_min_separation_m"], cluster["min_separation_m"]]
    keeping = _tables(_section(report, "cluster"))["Station-keeping delta-v"]
    assert keeping.rows[0][1] == cluster["stationkeeping_dv_m_s_per_year"]
    assert 40 < keeping.rows[0][1] < 50  # 45.9 m/s a year (i20's figure for this preset)

    radiation = results.radiation.to_json()[0]
    dose = _tables(_section(report, "radiation"))["Dose per shell"].rows[0]
    assert dose[1] == 10.0 and dose[2] == round(1000 * radiation["tid_krad_per_year"]) and dose[7] == 2.0
    assert dose[8] == pytest.approx(2.0 / radiation["tid_krad_per_year"])
    assert any(isinstance(b, Para) and "2 krad(Si)" in b.text for b in _section(report, "radiation").blocks)

    training = results.training.to_json()
    steps = dict(map(tuple, _tables(_section(report, "training"))["Training step"].rows))
    assert steps["step, median / 95th percentile"] == f"{training['step_s_median']:.3g} s / {training['step_s_p95']:.3g} s"
    assert steps["scaling efficiency"] == f"{100 * training['scaling_efficiency']:.1f} %"
    assert steps["compute basis"].startswith("nameplate: 2,937.6 TFLOP/s per satellite")  # 8 x 918 x 40 %
    assert "suncatcher-cluster-" in steps["bottleneck link (worst epoch)"]

    budget = _tables(_section(report, "optical"))["Terminal budget"].rows[0]
    # far field: 1 W x 0.5 x 10^-0.3 x (pi 0.1^2 / (4 1.55e-6 R))^2 = 800 x 1.28e-8 W at R = 792.7 km (by hand)
    assert budget[-1] == pytest.approx(792.7, abs=0.1)
    from core.analysis.optical import capacity_gbps
    bus = results.mission.bus_for(results.mission.constellations[results.ephemeris.shells[0].index])
    assert capacity_gbps(bus, bus, [791e3])[0] == 800.0 and capacity_gbps(bus, bus, [795e3])[0] < 800.0

    key = dict(map(tuple, report.sections[0].blocks[-1].table.rows))
    assert key["formation suncatcher-cluster"].startswith(f"closest {cluster['min_separation_m']:,.1f} m")
    assert f"{1000 * radiation['tid_krad_per_year']:,.0f} rad(Si) a year behind 10 mm Al" in key["radiation suncatcher-cluster"]
    assert f"scaling efficiency {100 * training['scaling_efficiency']:.0f} %" in key["distributed training"]
    assert key["optical links"].startswith(f"{results.optical.to_json()['links']} links")
    insight = results.insight.to_json()["traditional"]
    assert insight["stable"] is False and insight["reason"] in key["time to insight"]  # the analysis' own words

    notes = [b.text for b in _section(report, "assumptions").blocks if isinstance(b, Para)]
    for model in ("Clusters:", "Optical links:", "Training:", "Radiation:"):
        assert sum(t.startswith(model) for t in notes) == 1, model
    path = tmp_path / "suncatcher.pdf"
    path.write_bytes(pdf_bytes(report))
    _assert_pdf_reads_cleanly(path, report)
    from core.export.report.html import html_text

    html = html_text(report)
    for anchor in sources:
        assert f'<section id="{anchor}">' in html and f'<a href="#{anchor}">' in html, anchor
    assert '<th class="num">worst m/s/yr</th>' in html and '<th class="num">dose rad(Si)/yr</th>' in html
