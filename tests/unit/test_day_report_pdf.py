"""The printable day report: what it says, its charts, its pages, and its font fallback."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from jointcheck.reporting.daily import (
    OUTCOMES,
    DayReport,
    StreetCheckFact,
    StreetVenue,
    shape_report,
)
from jointcheck.services.day_report_pdf import (
    NO_FONT_NOTE,
    OUTCOME_COLOURS,
    ReportFont,
    find_cjk_font,
    render_day_report_pdf,
)

DAY = date(2026, 11, 22)
GENERATED = datetime(2026, 11, 23, 1, 2, 3, tzinfo=UTC)  # 09:02:03 in Shanghai
BAR_POINTS = 4.4 * 72 / 25.4  # the drawn height of a bar (mm to points)
CJK = find_cjk_font()
needs_cjk = pytest.mark.skipif(CJK is None, reason="no CJK font installed (./dev setup)")


def _report(venues: int = 3) -> DayReport:
    categories = ("商场超市", "gym", "医院")
    places = [StreetVenue(f"v-{n:03d}", f"第{n}百货商店", categories[n % 3])
              for n in range(venues)]
    facts = [StreetCheckFact(DAY, "fz.s01", place.code, place.category, outcome, count)
             for n, place in enumerate(places)
             for outcome, count in (("admit", 40 + n), ("persuade", 5), ("deny", 2 + n % 2))]
    return shape_report("fz.s01", DAY, "Asia/Shanghai", facts,
                        [*places, StreetVenue("v-quiet", "安静健身房", "gym")], 7, 12)


def _read(document: bytes) -> tuple[PdfReader, str]:
    """Return the parsed document and its text without whitespace (pypdf spaces CJK out)."""
    assert document.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(document))
    text = "".join(_flat(page.extract_text()) for page in reader.pages)
    return reader, text


def _flat(text: str) -> str:
    """Return ``text`` without whitespace (and the NULs pypdf leaves between CJK glyphs)."""
    return "".join(text.replace("\x00", " ").split())


def _bars(reader: PdfReader) -> list[tuple[tuple[float, ...], float]]:
    """Return the (fill colour, width in points) of each chart bar on the first page."""
    page = reader.pages[0]
    colour: tuple[float, ...] = ()
    bars = []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"rg":
            colour = tuple(round(float(value) * 255) for value in operands)
        elif operator == b"re" and abs(abs(float(operands[3])) - BAR_POINTS) < 0.05:
            bars.append((colour, float(operands[2])))
    return bars


@needs_cjk
def test_the_report_names_the_street_day_and_every_figure() -> None:
    report = _report()
    reader, text = _read(render_day_report_pdf(report, "方子街道", GENERATED, CJK))
    assert len(reader.pages) == 1
    assert [float(v) for v in reader.pages[0].mediabox] == pytest.approx([0, 0, 595.28, 841.89])
    fonts = [font.get_object()["/BaseFont"]
             for font in reader.pages[0]["/Resources"]["/Font"].values()]
    assert any("NotoSansCJK" in str(name) for name in fonts)
    for expected in ("方子街道(fz.s01)", "2026-11-22", "Asia/Shanghai",
                     "Generatedat2026-11-23T09:02:03+08:00", "145Checks", "7Registrations",
                     "12Newvaccinations", "3Venueswithchecks", "1Venueswithnochecks",
                     "admit123", "persuade15", "deny7", "商场超市", "医院",
                     "v-000第0百货商店商场超市40050247", "v-001第1百货商店gym41050349",
                     "Venuesthatreportednochecks(1)v-quiet"):
        assert expected in text
    assert "?" not in text
    assert NO_FONT_NOTE.replace(" ", "") not in text


@needs_cjk
def test_the_bars_are_as_long_as_their_counts() -> None:
    report = _report()
    bars = _bars(PdfReader(io.BytesIO(render_day_report_pdf(report, "方子街道", GENERATED,
                                                             CJK))))
    totals = {outcome: sum(line.counts.get(outcome, 0) for line in report.venues)
              for outcome in OUTCOMES}
    drawn = [outcome for outcome in OUTCOMES if totals[outcome]]
    by_outcome, by_category = bars[:len(drawn)], bars[len(drawn):]
    assert [colour for colour, _ in by_outcome] == [OUTCOME_COLOURS[o] for o in drawn]
    longest = by_outcome[0][1] / totals[drawn[0]]
    for (_, width), outcome in zip(by_outcome, drawn, strict=True):
        assert width == pytest.approx(totals[outcome] * longest, abs=0.02)
    # One stacked bar per category, its segments in the order of the outcomes.
    segments = [(colour, width) for category, counts in report.by_category().items()
                for colour, width in [(OUTCOME_COLOURS[o], counts[o]) for o in OUTCOMES]
                if width]
    assert [colour for colour, _ in by_category] == [colour for colour, _ in segments]
    scale = by_category[0][1] / segments[0][1]
    assert [width for _, width in by_category] == pytest.approx(
        [count * scale for _, count in segments], abs=0.02)


@needs_cjk
def test_a_long_day_runs_over_pages_with_the_heading_repeated() -> None:
    report = _report(venues=60)
    reader, text = _read(render_day_report_pdf(report, "方子街道", GENERATED, CJK))
    pages = len(reader.pages)
    assert pages >= 2
    assert f"Page{pages}of{pages}" in text
    assert all(f"v-{n:03d}" in text for n in range(60))
    second = _flat(reader.pages[1].extract_text())
    assert second.startswith("venuenamecategoryadmitregisterpersuaderestrictdenytotal")


def test_without_a_cjk_font_it_falls_back_to_latin_and_says_so(tmp_path: Path) -> None:
    report = _report()
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    for font in (None, ReportFont(broken), ReportFont(tmp_path / "missing.ttc", 2)):
        reader, text = _read(render_day_report_pdf(report, "方子街道 Fangzi", GENERATED, font))
        assert len(reader.pages) == 1
        assert NO_FONT_NOTE.replace(" ", "") in text
        assert "????Fangzi(fz.s01)" in text
        assert "145Checks" in text and "v-quiet" in text


@needs_cjk
def test_an_empty_day_and_the_same_input_give_the_same_bytes() -> None:
    empty = shape_report("fz.s02", DAY, "Asia/Shanghai", [], [StreetVenue("v-1", "Gym", "gym")],
                         0, 0)
    document = render_day_report_pdf(empty, "Street Two", GENERATED, CJK)
    _, text = _read(document)
    assert text.count("Novenuereportedchecksonthisday.") == 2
    assert "Venuesthatreportednochecks(1)v-1" in text
    assert document == render_day_report_pdf(empty, "Street Two", GENERATED, CJK)


def test_the_known_cjk_font_is_found_by_name(tmp_path: Path) -> None:
    assert find_cjk_font((tmp_path,)) is None
    (tmp_path / "deep" / "noto").mkdir(parents=True)
    (tmp_path / "deep" / "noto" / "NotoSansCJK-Regular.ttc").write_bytes(b"")
    (tmp_path / "wqy-zenhei.ttc").write_bytes(b"")
    assert find_cjk_font((tmp_path,)) == ReportFont(
        tmp_path / "deep" / "noto" / "NotoSansCJK-Regular.ttc", 2)
