"""Build ``acta.docx``, the Word template ``bot.minutes_files.render_docx`` fills in.

The template is generated rather than drawn in Word so that its docxtpl tags stay exactly
where the renderer expects them (Word splits a typed ``{{ tag }}`` into several runs as it
autocorrects or spell-checks) and so that a change to it is a reviewable diff of this
script. Every value comes from the view ``bot.minutes_files._acta_view`` builds, the one
``acta.html.j2`` lays out for the PDF, under the name ``acta``; no sentence is worded here.

docxtpl's tags: ``{%p … %}`` on a paragraph of its own and ``{%tr … %}`` on a table row of
its own are replaced by the bare Jinja tag, so the paragraphs or rows between repeat.
Header rows are marked to repeat on every page a table spans. The footer carries the
version and fingerprint, and Word's PAGE and NUMPAGES fields.

Regenerate after editing this script (the output is committed)::

    .venv/bin/python bot/templates/minutes/make_acta_docx.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

OUTPUT = Path(__file__).with_name("acta.docx")
FONT = "Times New Roman"  # the serif every Word installation has


def tag(document: WordDocument, text: str) -> None:
    """A paragraph that holds only a docxtpl ``{%p … %}`` tag (it vanishes on render)."""
    document.add_paragraph(text)


def centred(document: WordDocument, text: str, *, bold: bool = False, size: int = 11) -> None:
    """A centred header line."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def body(document: WordDocument, text: str, *, indent: bool = False) -> None:
    """A justified paragraph of the acta's text."""
    paragraph = document.add_paragraph(text)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        paragraph.paragraph_format.left_indent = Mm(6)


def repeat_header(table: Table) -> None:
    """Mark the first row as a header row, repeated on each page the table spans."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def loop_table(
    document: WordDocument, headers: tuple[str, ...], loop: str, cells: tuple[str, ...]
) -> None:
    """A table: a bold header row, then one row per element of ``loop`` (``x in xs``)."""
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    table.rows[1].cells[0].text = f"{{%tr for {loop} %}}"
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    repeat_header(table)


def field(paragraph: Paragraph, instruction: str) -> None:
    """A simple Word field (PAGE, NUMPAGES) Word computes when it lays the pages out."""
    element = OxmlElement("w:fldSimple")
    element.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    element.append(run)
    paragraph._p.append(element)


def build() -> WordDocument:
    """The template document."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    for name in ("Heading 1", "Heading 2", "Title"):
        document.styles[name].font.name = FONT
    section = document.sections[0]
    section.page_width, section.page_height = Mm(215.9), Mm(279.4)  # letter
    section.top_margin, section.bottom_margin = Mm(22), Mm(25)
    section.left_margin, section.right_margin = Mm(20), Mm(20)

    centred(document, "{{ acta.secretariat_line }}", size=10)
    centred(document, "{{ acta.heading }}", bold=True, size=13)
    centred(document, "{{ acta.session_line }}")
    centred(document, "{{ acta.date_line }}")
    centred(document, "{{ acta.place_line }}")
    body(document, "{{ acta.opening }}")

    document.add_heading("Lista de asistencia", level=1)
    loop_table(
        document,
        ("Asiento", "Representado por", "Carácter"),
        "row in acta.attendance",
        ("{{ row.seat }}", "{{ row.person }}", "{{ row.role }}"),
    )
    body(document, "{{ acta.facilitator_line }}")
    body(document, "{{ acta.observers_line }}")
    body(document, "{{ acta.quorum }}")

    document.add_heading("Orden del día", level=1)
    tag(document, "{%p for item in acta.items %}")
    document.add_heading("{{ item.heading }}", level=2)
    tag(document, "{%p for note in item.notes %}")
    body(document, "{{ note }}", indent=True)
    tag(document, "{%p endfor %}")
    tag(document, "{%p else %}")
    body(document, "{{ acta.no_items }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if acta.general_notes %}")
    document.add_heading("{{ acta.general_notes_heading }}", level=2)
    tag(document, "{%p for note in acta.general_notes %}")
    body(document, "{{ note }}", indent=True)
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")

    document.add_heading("Votaciones", level=1)
    tag(document, "{%p for notice in acta.vote_notices %}")
    body(document, "{{ notice }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p for vote in acta.votes %}")
    document.add_heading("{{ vote.heading }}", level=2)
    body(document, "{{ vote.sentence }}")
    tag(document, "{%p if vote.ballots %}")
    loop_table(
        document,
        ("Asiento", "Voto", "Emitido por", "Carácter"),
        "ballot in vote.ballots",
        ("{{ ballot.seat }}", "{{ ballot.choice }}", "{{ ballot.voter }}", "{{ ballot.role }}"),
    )
    tag(document, "{%p endif %}")
    tag(document, "{%p endfor %}")

    document.add_heading("Acuerdos", level=1)
    tag(document, "{%p for agreement in acta.agreements %}")
    body(document, "{{ agreement }}")
    tag(document, "{%p else %}")
    body(document, "{{ acta.no_agreements }}")
    tag(document, "{%p endfor %}")

    document.add_heading("Cierre", level=1)
    body(document, "{{ acta.closing }}")

    document.add_heading("Firmas", level=1)
    loop_table(
        document,
        ("Nombre", "Carácter", "Asiento"),
        "person in acta.signatories",
        ("{{ person.name }}", "{{ person.role }}", "{{ person.seat }}"),
    )

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("{{ acta.footer }} · Página ").font.size = Pt(8)
    field(footer, "PAGE")
    footer.add_run(" de ").font.size = Pt(8)
    field(footer, "NUMPAGES")

    properties = document.core_properties
    properties.author = "stm-bot"
    properties.title = "Acta circunstanciada (plantilla)"
    properties.comments = "Generado por bot/templates/minutes/make_acta_docx.py"
    return document


if __name__ == "__main__":
    build().save(OUTPUT)
    print(f"escrito {OUTPUT}")
