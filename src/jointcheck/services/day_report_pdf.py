"""The printable day report of a street (R6): one A4 PDF with its charts, drawn with fpdf2.

The document has a title (the street's name and code, the day, the time zone, when it was
generated: an instant the caller passes in), the totals, a bar chart of the checks by outcome,
a stacked bar chart of the checks per venue category by outcome, the table of venues with their
counts, and the venues that reported no checks. Figures only: no person appears in it.

The charts are drawn with fpdf2's own primitives (rectangles and text) rather than rendered by
matplotlib: they are a few bars, so a plotting library (and numpy under it, tens of megabytes,
and a font cache of its own) would add much and give little; vector bars stay sharp in print;
the labels use the same embedded font as the text, so Chinese category and venue names need
no second font setup; and the output depends on nothing but its arguments.

Chinese names need a CJK font. ``find_cjk_font`` looks for a known one on the machine
(``fonts-noto-cjk``'s ``NotoSansCJK-Regular.ttc``, whose face 2 is Simplified Chinese; fpdf2
embeds a face of a ``.ttc`` collection, subset to the glyphs used), or the settings name one
(``JOINTCHECK_REPORT_FONT``, ``JOINTCHECK_REPORT_FONT_FACE``). Without one, or when the font
cannot be read, the report is written in the PDF's built-in Helvetica: characters outside
Latin-1 print as ``?`` and the first page says so.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.fonts import FontFace

from jointcheck.config import Settings
from jointcheck.reporting.daily import OUTCOMES, DayReport

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
"""Where ``find_cjk_font`` looks (recursively)."""
KNOWN_CJK_FONTS = (
    ("NotoSansCJK-Regular.ttc", 2),  # faces JP, KR, SC, TC, HK: 2 is Simplified Chinese
    ("NotoSansCJKsc-Regular.otf", 0),
    ("NotoSansSC-Regular.otf", 0),
    ("NotoSansSC-Regular.ttf", 0),
    ("wqy-microhei.ttc", 0),
    ("wqy-zenhei.ttc", 0),
    ("DroidSansFallbackFull.ttf", 0),
)
"""CJK fonts by file name, most wanted first, with the face to use in a collection."""
OUTCOME_COLOURS = {"admit": (46, 139, 87), "register": (70, 130, 180),
                   "persuade": (230, 159, 0), "restrict": (213, 94, 0),
                   "deny": (178, 34, 34)}
NO_FONT_NOTE = ("No CJK font was found or could be read: the report uses the built-in font, "
                "and characters outside Latin-1 are shown as '?'.")
FAMILY = "report"
MARGIN = 15.0
BAR_HEIGHT = 6.0
LABEL_WIDTH = 48.0


@dataclass(frozen=True, slots=True)
class ReportFont:
    """A font file to embed, and the face to use when it is a collection (``.ttc``)."""

    path: Path
    face: int = 0


def find_cjk_font(dirs: tuple[Path, ...] = FONT_DIRS) -> ReportFont | None:
    """Return the first known CJK font found under ``dirs``, or None."""
    found: dict[str, Path] = {}
    for folder in dirs:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                found.setdefault(path.name, path)
    for name, face in KNOWN_CJK_FONTS:
        if name in found:
            return ReportFont(found[name], face)
    return None


def report_font(settings: Settings) -> ReportFont | None:
    """Return the font the settings name, else a CJK font found on the machine, else None."""
    if settings.report_font is not None:
        return ReportFont(settings.report_font, settings.report_font_face)
    return _installed_cjk_font()


@functools.lru_cache(maxsize=1)
def _installed_cjk_font() -> ReportFont | None:
    # Looked for once per process: fonts are installed with the system, not while it runs.
    return find_cjk_font(FONT_DIRS)


class _Document(FPDF):
    """An A4 page with a footer that numbers the pages and says what the report holds."""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(size=8)
        self.set_text_color(100)
        self.cell(0, 5, f"Counts only; no person appears in this report.   "
                  f"Page {self.page_no()} of {{nb}}", align="C")


def render_day_report_pdf(report: DayReport, street_name: str, generated_at: datetime,
                          font: ReportFont | None) -> bytes:
    """Return a street's day as a printable A4 PDF with its charts."""
    pdf = _Document(format="A4", unit="mm")
    pdf.set_creation_date(generated_at)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_creator("jointcheck")
    write = _use_font(pdf, font)
    pdf.set_title(write(f"{street_name} ({report.street}) {report.day.isoformat()}"))
    pdf.alias_nb_pages()
    pdf.add_page()
    _title(pdf, report, write(street_name), generated_at, embedded=write is _as_is)
    _totals(pdf, report)
    _outcome_chart(pdf, report)
    _category_chart(pdf, report, write)
    _venue_table(pdf, report, write)
    _silent_venues(pdf, report, write)
    return bytes(pdf.output())


Write = Callable[[str], str]


def _as_is(value: str) -> str:
    return value


def _latin(value: str) -> str:
    return value.encode("latin-1", "replace").decode("latin-1")


def _use_font(pdf: FPDF, font: ReportFont | None) -> Write:
    """Select the report's font; return how a text is written with it (as is, or Latin-1)."""
    if font is not None:
        try:
            pdf.add_font(FAMILY, "", str(font.path), collection_font_number=font.face)
        except Exception:  # a missing, damaged or unsupported font file: fall back, never crash
            pass
        else:
            pdf.set_font(FAMILY, size=10)
            return _as_is
    pdf.set_font("helvetica", size=10)
    return _latin


def _heading(pdf: FPDF, text: str, room: float) -> None:
    """Write a section heading, on a new page when ``room`` mm would not fit under it."""
    if pdf.get_y() + 10 + room > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(size=12)
    pdf.set_text_color(0)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(size=9)


def _title(pdf: FPDF, report: DayReport, name: str, generated_at: datetime,
           embedded: bool) -> None:
    pdf.set_font(size=18)
    pdf.multi_cell(0, 9, f"{name} ({report.street})", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(size=11)
    local = generated_at.astimezone(ZoneInfo(report.timezone))
    pdf.cell(0, 6, f"Daily street summary for {report.day.isoformat()} "
             f"(time zone {report.timezone})", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(90)
    pdf.set_font(size=9)
    pdf.cell(0, 5, f"Generated at {local.isoformat(timespec='seconds')}",
             new_x="LMARGIN", new_y="NEXT")
    if not embedded:
        pdf.set_text_color(178, 34, 34)
        pdf.multi_cell(0, 5, NO_FONT_NOTE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)


def _totals(pdf: FPDF, report: DayReport) -> None:
    _heading(pdf, "Totals", 14)
    figures = (("Checks", report.checks), ("Registrations", report.registrations),
               ("New vaccinations", report.new_vaccinations),
               ("Venues with checks", len(report.venues)),
               ("Venues with no checks", len(report.silent_venues)))
    width = (pdf.w - 2 * MARGIN) / len(figures)
    top = pdf.get_y()
    for index, (label, value) in enumerate(figures):
        left = MARGIN + index * width
        pdf.set_fill_color(240, 240, 240)
        pdf.rect(left + 0.5, top, width - 1, 14, style="F")
        pdf.set_xy(left, top + 1)
        pdf.set_font(size=14)
        pdf.cell(width, 7, f"{value:,}", align="C")
        pdf.set_xy(left, top + 8)
        pdf.set_font(size=8)
        pdf.cell(width, 5, label, align="C")
    pdf.set_xy(MARGIN, top + 16)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Return ``text``, shortened with an ellipsis to fit ``width`` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def _bar_row(pdf: FPDF, label: str, parts: list[tuple[str, int]], scale: float,
             total: int) -> None:
    """Draw one horizontal bar of ``parts`` (outcome, count) under its label, then its total."""
    top = pdf.get_y()
    pdf.set_xy(MARGIN, top)
    pdf.cell(LABEL_WIDTH - 2, BAR_HEIGHT, _fit(pdf, label, LABEL_WIDTH - 3), align="R")
    left = MARGIN + LABEL_WIDTH
    for outcome, count in parts:
        if count <= 0:
            continue
        pdf.set_fill_color(*OUTCOME_COLOURS[outcome])
        pdf.rect(left, top + 0.8, count * scale, BAR_HEIGHT - 1.6, style="F")
        left += count * scale
    pdf.set_xy(left + 1, top)
    pdf.cell(20, BAR_HEIGHT, f"{total:,}")
    pdf.set_xy(MARGIN, top + BAR_HEIGHT)


def _scale(pdf: FPDF, largest: int) -> float:
    room = pdf.w - 2 * MARGIN - LABEL_WIDTH - 20
    return room / largest if largest > 0 else 0.0


def _outcome_chart(pdf: FPDF, report: DayReport) -> None:
    totals = {outcome: 0 for outcome in OUTCOMES}
    for line in report.venues:
        for outcome in OUTCOMES:
            totals[outcome] += int(line.counts.get(outcome, 0))
    _heading(pdf, "Checks by outcome", BAR_HEIGHT * len(OUTCOMES))
    scale = _scale(pdf, max(totals.values()))
    for outcome, count in totals.items():
        _bar_row(pdf, outcome, [(outcome, count)], scale, count)


def _legend(pdf: FPDF) -> None:
    top, left = pdf.get_y() + 1, MARGIN + LABEL_WIDTH
    for outcome in OUTCOMES:
        pdf.set_fill_color(*OUTCOME_COLOURS[outcome])
        pdf.rect(left, top + 1, 3, 3, style="F")
        pdf.set_xy(left + 4, top)
        pdf.cell(22, 5, outcome)
        left += 26
    pdf.set_xy(MARGIN, top + 6)


def _category_chart(pdf: FPDF, report: DayReport, write: Write) -> None:
    categories = report.by_category()
    _heading(pdf, "Checks by venue category, by outcome",
             BAR_HEIGHT * max(len(categories), 1) + 7)
    if not categories:
        pdf.cell(0, 6, "No venue reported checks on this day.", new_x="LMARGIN", new_y="NEXT")
        return
    scale = _scale(pdf, max(sum(counts.values()) for counts in categories.values()))
    for category, counts in categories.items():
        if pdf.get_y() + BAR_HEIGHT > pdf.page_break_trigger:
            pdf.add_page()
        _bar_row(pdf, write(category), list(counts.items()), scale, sum(counts.values()))
    _legend(pdf)


def _venue_table(pdf: FPDF, report: DayReport, write: Write) -> None:
    _heading(pdf, "Venues", 20)
    if not report.venues:
        pdf.cell(0, 6, "No venue reported checks on this day.", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font(size=8)
    plain = FontFace(emphasis="NONE", fill_color=(225, 225, 225))
    widths = (24, 40, 30, *(15,) * len(OUTCOMES), 11)
    pdf.set_fill_color(255)
    with pdf.table(col_widths=widths, headings_style=plain, line_height=5,
                   cell_fill_mode="NONE", padding=(0.5, 1),
                   text_align=("LEFT", "LEFT", "LEFT", *("RIGHT",) * (len(OUTCOMES) + 1)),
                   first_row_as_headings=True) as table:
        table.row(["venue", "name", "category", *OUTCOMES, "total"])
        for line in report.venues:
            counts = [f"{int(line.counts.get(outcome, 0)):,}" for outcome in OUTCOMES]
            table.row([write(line.venue), write(line.name), write(line.category), *counts,
                       f"{line.total:,}"])
    pdf.set_font(size=9)


def _silent_venues(pdf: FPDF, report: DayReport, write: Write) -> None:
    _heading(pdf, f"Venues that reported no checks ({len(report.silent_venues)})", 6)
    text = ", ".join(write(code) for code in report.silent_venues) or "none"
    pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
