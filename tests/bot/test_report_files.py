"""The follow-up report's PDF (R16a, II.6): the SVG charts and the pages, read back.

The SVG is checked as text before rendering (well-formed XML, user strings escaped, one
bar per commitment); the PDF is read back with pypdf like a person's software would, and
must carry the sections, the levels, the period's changes and the chart's own labels
(WeasyPrint keeps SVG text as text).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date
from fractions import Fraction

import pytest
from pypdf import PdfReader

from bot import report_files
from domain.action_plan import Level
from domain.agreements import Status
from domain.follow_up_report import (
    AgreementChangeLine,
    AgreementLine,
    CommitmentChangeLine,
    CommitmentLine,
    Month,
    Report,
    SessionLine,
)
from domain.report_chart import PER_CHART
from tests.e2e.test_minutes import flat, pdf_text

# WeasyPrint warns once, when first imported, that the system lacks libharfbuzz-subset:
# about the machine, not about our code (as in test_minutes_files).
pytestmark = pytest.mark.filterwarnings(
    "ignore:HarfBuzz-Subset will be required:DeprecationWarning"
)

SVG = "{http://www.w3.org/2000/svg}"
TRICKY = '<b>Agua & "drenaje"</b>'


def _report(**changes: object) -> Report:
    fields: dict[str, object] = {
        "secretariat": "Zamora <&>",
        "month": Month(2027, 1),
        "time_zone": "America/Mexico_City",
        "generated_at": "2027-02-01 09:00",
        "in_progress": False,
        "commitments": (
            CommitmentLine("C-1", TRICKY, Level.SUSTANCIAL, False, Fraction(1, 2), 1, 2),
            CommitmentLine("C-2", "Parques <script>", Level.NO_INICIADO, False, Fraction(0), 0, 3),
            CommitmentLine("C-3", "Datos abiertos", Level.COMPLETO, True, Fraction(1, 3), 1, 3),
            CommitmentLine("C-4", "Presupuesto", Level.LIMITADO, False, Fraction(1, 4), 1, 4),
        ),
        "commitment_changes": (
            CommitmentChangeLine("2027-01-05 10:00", "C-1", "registro", Level.NO_INICIADO, None),
            CommitmentChangeLine(
                "2027-01-12 11:30", "C-1.1", "avance", Level.SUSTANCIAL, "https://x.mx/<1>"
            ),
            CommitmentChangeLine(
                "2027-01-20 09:15", "C-3", "nivel", Level.COMPLETO, "Concluido & publicado"
            ),
        ),
        "agreements": (
            AgreementLine(
                "ACU-2027-001",
                "Publicar el <calendario>",
                "Academia (Lorenza Capiz)",
                date(2027, 1, 20),
                Status.PENDIENTE,
                True,
            ),
            AgreementLine("ACU-2027-002", "Informe", None, None, Status.CUMPLIDO, False),
        ),
        "agreement_changes": (
            AgreementChangeLine(
                "2027-01-18 12:00", "ACU-2027-002", "estado", Status.CUMPLIDO, "Oficio 7"
            ),
        ),
        "sessions": (
            SessionLine(
                2, "Primera Sesión Ordinaria 2027", "ordinaria", date(2027, 1, 14), "10:00",
                True, 4, 5, 2,
            ),
            SessionLine(
                3, "Primera Sesión Extraordinaria 2027", "extraordinaria", date(2027, 1, 28),
                "17:00", False, 2, 5, 0,
            ),
        ),
    }  # fmt: skip
    fields.update(changes)
    return Report(**fields)  # type: ignore[arg-type]


def _pdf(report: Report) -> tuple[str, int]:
    data = report_files.render_pdf(report)
    assert data.startswith(b"%PDF-")
    return flat(pdf_text(data)), len(PdfReader(io.BytesIO(data)).pages)


def test_the_svg_charts_escape_every_string_and_draw_one_bar_per_commitment() -> None:
    report = _report()
    levels, progress = report_files.chart_svgs(report)
    assert len(progress) == 1
    svg = str(progress[0])
    assert "<b>" not in svg
    assert "<script>" not in svg
    assert "&lt;b&gt;Agua &amp; &#34;drenaje&#34;&lt;/b&gt;" in svg
    root = ET.fromstring(svg)  # well-formed, whatever the titles
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert f"C-1 {TRICKY}" in texts  # the title as text, not markup
    assert "50 % · sustancial" in texts
    assert "33 % · completo" in texts  # set by hand: the share it has, the level it was given
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert report_files.LEVEL_COLOURS[Level.SUSTANCIAL] in fills
    assert report_files.LEVEL_COLOURS[Level.NO_INICIADO] not in fills  # 0 %: no bar drawn
    counts = ET.fromstring(str(levels))
    assert ["".join(t.itertext()) for t in counts.iter(f"{SVG}text")] == [
        "no iniciado", "1", "limitado", "1", "sustancial", "1", "completo", "1",
    ]  # fmt: skip


def test_the_pdf_has_every_section_level_change_and_the_charts_labels() -> None:
    text, _ = _pdf(_report())
    for part in (
        "Secretariado Técnico Municipal de Gobierno Abierto de Zamora <&>",
        "Informe de seguimiento del Plan de Acción Municipal — enero de 2027",
        "Periodo: del 1 de enero de 2027 al 31 de enero de 2027",
        "Generado: 2027-02-01 09:00",
        "Compromisos y nivel de cumplimiento",
        "Cambios del periodo en los compromisos",
        "Acuerdos",
        "Sesiones celebradas en el periodo",
        # the table
        f"C-1 {TRICKY} sustancial 50 % 1 de 2",
        "C-3 Datos abiertos completo (fijado) 33 % 1 de 3",
        # the chart's labels, drawn in the SVG
        f"C-1 {TRICKY} 50 % · sustancial",
        "C-2 Parques <script> 0 % · no iniciado",
        "C-4 Presupuesto 25 % · limitado",
        # the period's changes
        "2027-01-12 11:30 C-1.1 avance de hito sustancial https://x.mx/<1>",
        "2027-01-20 09:15 C-3 nivel fijado completo Concluido & publicado",
        # agreements: counts, the list, the changes
        "pendiente: 1; en proceso: 0; cumplido: 1; cancelado: 0",
        "Vencidos (abiertos con plazo pasado): 1",
        "ACU-2027-001 Publicar el <calendario> Academia (Lorenza Capiz) 2027-01-20 "
        "pendiente (vencido)",
        "ACU-2027-002 Informe sin responsable sin plazo cumplido",
        "2027-01-18 12:00 ACU-2027-002 seguimiento cumplido Oficio 7",
        # sessions
        "#2 (ordinaria) Primera Sesión Ordinaria 2027 14 de enero de 2027, 10:00 "
        "4 de 5 asientos 2",
        "2 de 5 asientos; sin quórum",
        "Página 1 de",
    ):  # fmt: skip
        assert part in text, part
    assert "No hubo nada que informar" not in text


def test_an_empty_month_still_makes_a_pdf_that_says_so() -> None:
    text, pages = _pdf(
        _report(commitments=(), commitment_changes=(), agreements=(), agreement_changes=(),
                sessions=(), in_progress=True)
    )  # fmt: skip
    assert pages == 1
    for part in (
        "No hubo nada que informar en el periodo",
        "mes en curso",
        "No hay compromisos registrados al cierre del periodo.",
        "No hubo cambios en los compromisos durante el periodo.",
        "No hay acuerdos registrados al cierre del periodo.",
        "No hubo cambios en los acuerdos durante el periodo.",
        "No se celebraron sesiones en el periodo.",
    ):
        assert part in text, part
    assert "0 % 50 % 100 %" not in text  # no chart at all


def test_a_plan_of_200_commitments_is_charted_in_page_sized_parts() -> None:
    commitments = tuple(
        CommitmentLine(
            f"C-{n}", f"Compromiso número {n}", list(Level)[n % 4], False, Fraction(n % 4, 3),
            n % 4, 3,
        )
        for n in range(1, 201)
    )  # fmt: skip
    report = _report(commitments=commitments)
    _, progress = report_files.chart_svgs(report)
    assert len(progress) == -(-200 // PER_CHART)
    text, pages = _pdf(report)
    assert "C-199 Compromiso número 199 100 % · completo" in text
    assert f"({len(progress)} de {len(progress)})" in text
    assert pages < 25
