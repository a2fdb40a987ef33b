"""The end-of-term report's files (R5): PDF (HTML + inline SVG → WeasyPrint) and DOCX.

One :class:`~domain.term_report.TermReport`, two layouts that say the same thing:

* the PDF is laid out like the follow-up report (``bot.report_files``): a Jinja2 template
  with autoescape (``templates/term/informe.html.j2``), the follow-up report's page style
  and chart template, the charts drawn as SVG text from :func:`domain.term_report.charts`'s
  geometry, so a seat or commitment named ``<b>&</b>`` stays text;
* the DOCX is written with python-docx (the library docxtpl, which the minutes use, is
  built on): headings, tables, and each chart as a PNG that Pillow (WeasyPrint's own
  image library, so nothing new is installed) draws from the *same* geometry — Word does
  not render SVG everywhere, a PNG it does.

Both are deterministic: the PDF is dated with the report's cut (the record's latest
change), the DOCX's properties and ZIP entries too, so the same record gives the same
bytes and the package that carries them the same SHA-256 (R5). Everything here is
CPU-bound and synchronous: callers run it in the rendering process
(``bot.minutes_flow.render``), like the minutes and the follow-up report.
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from bot.minutes_files import _fixed_zip, html_to_pdf
from bot.report_files import LEVEL_COLOURS
from domain import report_chart
from domain import term_report as rules
from domain.follow_up_report import percent
from domain.minutes import long_date
from domain.term_report import SENDING_LABELS, TermReport

__all__ = ["chart_png", "chart_svgs", "render_docx", "render_html", "render_pdf"]

_ENV = Environment(
    loader=PackageLoader("bot", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["long_date"] = long_date
_ENV.globals["colours"] = LEVEL_COLOURS
_ENV.globals["sending_labels"] = SENDING_LABELS
_ENV.globals["pct"] = percent

#: PNG pixels per SVG user unit: 640 units → 1,280 px, sharp at 16 cm wide in Word.
_SCALE = 2


def _cut(report: TermReport) -> datetime:
    """The report's cut as an aware local datetime (``as_of`` is ``AAAA-MM-DD HH:MM``)."""
    return datetime.strptime(report.as_of, "%Y-%m-%d %H:%M").replace(
        tzinfo=ZoneInfo(report.time_zone)
    )


def chart_svgs(report: TermReport) -> tuple[tuple[str, Markup], ...]:
    """Each chart's title and SVG document; every string in them escaped by the template."""
    template = _ENV.get_template("report/chart.svg.j2")
    return tuple(
        (title, Markup(template.render(chart=chart, title=title)))
        for title, chart in rules.charts(report).items
    )


def render_html(report: TermReport) -> str:
    """The report as one HTML document (the PDF's source; tests read it too)."""
    return _ENV.get_template("term/informe.html.j2").render(
        r=report,
        charts=chart_svgs(report),
        created=_cut(report).date().isoformat(),
        summary=_summary,
    )


def render_pdf(report: TermReport) -> bytes:
    """The term report as PDF bytes, letter size, laid out like the follow-up report."""
    return html_to_pdf(render_html(report))


@cache
def _font(size: int):  # type: ignore[no-untyped-def]  # PIL's font types vary by build
    from PIL import ImageFont

    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:  # no DejaVu on this system: Pillow's own scalable face
        return ImageFont.load_default(size)


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def chart_png(chart: report_chart.Chart) -> bytes:
    """The chart drawn by Pillow from the SVG's geometry, at :data:`_SCALE` px a unit."""
    from PIL import Image, ImageDraw

    s = _SCALE
    image = Image.new("RGB", (int(chart.width * s), int(chart.height * s)), "white")
    draw = ImageDraw.Draw(image)
    text, small = _font(9 * s), _font(7 * s)
    for tick in chart.ticks:
        x = tick.x * s
        draw.line([(x, chart.top * s), (x, chart.bottom * s)], fill=(119, 119, 119), width=1)
        draw.text((x, (chart.top - 2) * s), tick.label, fill=(68, 68, 68), font=small, anchor="ms")
    for bar in chart.bars:
        draw.text(
            (bar.label_x * s, bar.text_y * s), bar.label, fill="black", font=text, anchor="ls"
        )
        box = (bar.x * s, bar.y * s)
        if chart.tracks:
            draw.rectangle(
                [box, ((bar.x + bar.track_width) * s, (bar.y + bar.height) * s)],
                fill=(236, 236, 236),
            )
        if bar.width > 0:
            draw.rectangle(
                [box, ((bar.x + bar.width) * s, (bar.y + bar.height) * s)],
                fill=_hex(LEVEL_COLOURS[bar.level]),
            )
        draw.text(
            (bar.value_x * s, bar.text_y * s), bar.value, fill="black", font=text, anchor="ls"
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _table(document, header: list[str], rows: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(title).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value


def render_docx(report: TermReport) -> bytes:
    """The term report as an editable Word document with the same figures as the PDF."""
    from docx import Document
    from docx.shared import Cm

    r = report
    document = Document()
    properties = document.core_properties
    title = f"Informe de actividades del periodo {r.term.label}"
    properties.title = title
    properties.subject = f"Secretariado Técnico Municipal de Gobierno Abierto de {r.secretariat}"[
        :255
    ]
    properties.author = "stm-bot"
    properties.last_modified_by = "stm-bot"
    properties.revision = 1
    cut = _cut(r)
    properties.created = cut
    properties.modified = cut
    document.add_paragraph(
        f"Secretariado Técnico Municipal de Gobierno Abierto de {r.secretariat}"
    )
    document.add_heading(title, level=0)
    document.add_paragraph(
        f"Periodo: del {long_date(r.term.start)} al {long_date(r.term.end)}. "
        f"Datos del registro al {r.as_of} ({r.time_zone})."
    )
    document.add_heading("Resumen", level=1)
    for line in _summary(r):
        document.add_paragraph(line, style="List Bullet")
    for heading, chart in rules.charts(r).items:
        document.add_paragraph(heading).runs[0].bold = True
        document.add_picture(io.BytesIO(chart_png(chart)), width=Cm(16))
    document.add_heading("Sesiones celebradas por mes", level=1)
    _table(
        document,
        ["Mes", "Ordinarias", "Extraordinarias", "Total", "Observación"],
        [
            [
                m.month.label,
                str(m.ordinary),
                str(m.extraordinary),
                str(m.total),
                "sin sesión ordinaria (R6)" if m.short else ("en curso" if not m.closed else ""),
            ]
            for m in r.months
        ],
    )
    document.add_heading("Asistencia por asiento", level=1)
    _table(
        document,
        ["Asiento", "Sesiones", "Titular", "Suplente", "Ausente", "Asistencia"],
        [
            [
                s.seat,
                str(s.sessions),
                str(s.titular),
                str(s.substitute),
                str(s.absent),
                f"{s.percent} %",
            ]
            for s in r.seats
        ],
    )
    document.add_heading("Votaciones y resultados", level=1)
    _table(
        document,
        [
            "Votación",
            "Sesión",
            "Asunto",
            "A favor",
            "En contra",
            "Abstención",
            "Sin voto",
            "Resultado",
        ],
        [
            [
                f"#{v.number}",
                f"#{v.session}" if v.session else "electrónica",
                v.subject,
                str(v.a_favor),
                str(v.en_contra),
                str(v.abstencion),
                str(v.sin_voto),
                v.outcome,
            ]
            for v in r.votes
        ],
    )
    document.add_heading("Acuerdos por estado", level=1)
    _table(
        document,
        ["Código", "Acuerdo", "Estado"],
        [[a.code, a.text, a.status.label] for a in r.agreements],
    )
    document.add_heading("Compromisos por nivel de cumplimiento", level=1)
    _table(
        document,
        ["Clave", "Compromiso", "Nivel", "Avance"],
        [[c.code, c.title, c.level.label, f"{percent(c.share)} %"] for c in r.commitments],
    )
    document.add_heading("Actas y envío al organismo garante", level=1)
    _table(
        document,
        ["Sesión", "Fecha", "Envío", "Firmada"],
        [
            [
                f"#{m.session}",
                m.day.isoformat(),
                SENDING_LABELS[m.sending],
                "sí" if m.signed else "no",
            ]
            for m in r.minutes
        ],
    )
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue(), cut)


def _summary(r: TermReport) -> list[str]:
    """The summary's lines, shared by the DOCX (the PDF's template says the same)."""
    outcomes = "; ".join(f"{k}: {n}" for k, n in r.outcome_counts.items()) or "ninguna"
    statuses = "; ".join(f"{s.label}: {n}" for s, n in r.status_counts.items())
    levels = "; ".join(f"{lv.label}: {n}" for lv, n in r.level_counts.items())
    sending = "; ".join(f"{SENDING_LABELS[k]}: {n}" for k, n in r.sending_counts.items())
    short = ", ".join(m.label for m in r.short_months) or "ninguno"
    return [
        f"Sesiones celebradas: {r.held} ({r.ordinary} ordinarias, {r.extraordinary} "
        f"extraordinarias; {r.without_quorum} sin quórum)",
        f"Meses sin sesión ordinaria (R6): {short}",
        f"Votaciones: {len(r.votes)} ({outcomes})",
        f"Acuerdos: {len(r.agreements)} ({statuses})",
        f"Compromisos: {len(r.commitments)} ({levels})",
        f"Actas: {len(r.minutes)} ({sending}); firmadas: {r.signed_minutes}",
    ]
