"""The analyst's report: the PDF opens and has the expected pages (pdftoppm renders them), the HTML
is self-contained, and bad targets fail cleanly."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess

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
    out = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", str(pages), str(path), str(out)], check=True)
    rendered = sorted(tmp_path.glob("page-*.png"))
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
