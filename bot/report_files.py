"""The follow-up report's PDF (R16a, II.6): HTML + inline SVG charts → WeasyPrint.

Made with the minutes' toolchain (``bot.minutes_files``): a Jinja2 template with
autoescape (``templates/report/informe.html.j2``) laid out by WeasyPrint, letter size,
DejaVu fonts installed with the bot, nothing fetched (no protocol allowed, ``file://``
included). The charts are SVG text drawn here from :mod:`domain.report_chart`'s geometry
by a template of their own, so a commitment titled ``<b>Agua & "drenaje"</b>`` is text
in the chart as in the tables, never markup; the SVG goes into the page inline, and the
PDF keeps its labels as text (a reader can search them, a test can read them).

Everything here is CPU-bound and synchronous: the handler runs :func:`render_pdf` in the
bot's rendering process (``bot.minutes_flow.render``). WeasyPrint is imported on first
use, as in ``bot.minutes_files``.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from bot.minutes_files import html_to_pdf
from domain import report_chart
from domain.action_plan import Level
from domain.follow_up_report import Report
from domain.minutes import long_date

__all__ = ["LEVEL_COLOURS", "chart_svgs", "render_html", "render_pdf"]

#: Fill of a level's bars: grey, amber, teal, dark blue — told apart in grey print too,
#: and every bar also says its level in words.
LEVEL_COLOURS = {
    Level.NO_INICIADO: "#b0b0b0",
    Level.LIMITADO: "#e9a23b",
    Level.SUSTANCIAL: "#2a9d8f",
    Level.COMPLETO: "#264653",
}

_ENV = Environment(
    loader=PackageLoader("bot", "templates/report"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["long_date"] = long_date
_ENV.globals["colours"] = LEVEL_COLOURS


def chart_svgs(report: Report) -> tuple[Markup, tuple[Markup, ...]]:
    """The levels chart and the progress charts (one per :data:`report_chart.PER_CHART`
    commitments) as SVG documents; every string in them is escaped by the template."""
    template = _ENV.get_template("chart.svg.j2")
    levels = template.render(
        chart=report_chart.level_chart(report.level_counts),
        title=f"Compromisos por nivel al cierre de {report.month.label}",
    )
    rows = [(c.code, c.title, c.share, c.level) for c in report.commitments]
    charts = report_chart.progress_charts(rows)
    progress = tuple(
        Markup(
            template.render(
                chart=chart,
                title=f"Avance ponderado de los compromisos ({index} de {len(charts)})",
            )
        )
        for index, chart in enumerate(charts, 1)
    )
    return Markup(levels), progress


def render_html(report: Report) -> str:
    """The report as one HTML document (the PDF's source; tests read it too)."""
    levels, progress = chart_svgs(report)
    return _ENV.get_template("informe.html.j2").render(
        r=report, levels_chart=levels, progress_charts=progress
    )


def render_pdf(report: Report) -> bytes:
    """The follow-up report as PDF bytes (letter size, pages numbered "Página X de N"),
    laid out like the minutes (``bot.minutes_files.html_to_pdf``: one layout at a time in
    the rendering process, nothing fetched)."""
    return html_to_pdf(render_html(report))
