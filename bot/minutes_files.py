"""The minutes' files: the Word and PDF drafts of an acta, and the signed PDF (R14).

A draft is rendered twice from one :class:`~domain.minutes.MinutesRecord`: an editable
``.docx`` (docxtpl, from ``templates/minutes/acta.docx``) for a facilitator who wants to
correct the wording, and a ``.pdf`` (WeasyPrint, from ``templates/minutes/acta.html.j2``)
that people read and sign. Both templates are fed the same view (:func:`_acta_view`), built
from the sentences of :mod:`domain.minutes`, so the two files cannot say different things;
the templates only lay the view out.

The signed file (:func:`signed_pdf`) is the electronic form of an acta "rubricada en cada
hoja y firmada al calce": every sheet of the approved PDF gets a stamp in its bottom margin
("Hoja X de N · Versión v · SHA-256 …") and a signature page is appended. A Word version
travels untouched as an attachment of a PDF whose cover states its SHA-256. With an
institutional seal (a PKCS#12 file, :func:`load_seal`) the result is also PAdES-signed, so
any later change to it shows in a PDF reader.

Everything here is CPU-bound and synchronous: callers run it in a worker thread
(``asyncio.to_thread``). WeasyPrint and pyHanko are imported on first use, not with the
module: together they take over a second to import, WeasyPrint needs Pango from the system,
and the bot must start (and answer everything else) without paying for either.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from docxtpl import DocxTemplate
from jinja2 import Environment, PackageLoader, StrictUndefined
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.constants import PageAttributes
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from domain.minutes import (
    FileKind,
    MinutesRecord,
    SignatureLine,
    VoteRecord,
    closing_sentence,
    long_date,
    opening_sentence,
    quorum_sentence,
    vote_sentence,
)
from storage.files import sha256_hex

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner

__all__ = [
    "SEAL_FIELD",
    "SEAL_REASON",
    "Seal",
    "SealError",
    "html_to_pdf",
    "issue_signed",
    "load_seal",
    "render_docx",
    "render_pdf",
    "sha256_hex",
    "signed_pdf",
]

#: The signature field the institutional seal goes in.
SEAL_FIELD = "SelloSTM"
#: The reason a PDF reader shows for the seal.
SEAL_REASON = "Acta firmada electrónicamente por sus firmantes (R14)"

_TEMPLATES = "templates/minutes"
_ROLES = {"titular": "Titular", "suplente": "Suplente", "facilitador": "Facilitador(a)"}
_NONE = "—"
# Characters XML 1.0 forbids (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/F):
# a note pasted from elsewhere may carry one, and either file would then be unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HEX = re.compile("[0-9a-f]{64}")

_ENV = Environment(
    loader=PackageLoader("bot", _TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


# ---------------------------------------------------------------- the view both drafts share


@dataclass(frozen=True)
class _AttendanceRow:
    seat: str
    person: str
    role: str


@dataclass(frozen=True)
class _BallotRow:
    seat: str
    choice: str
    voter: str
    role: str


@dataclass(frozen=True)
class _VoteView:
    heading: str
    sentence: str
    ballots: tuple[_BallotRow, ...]


@dataclass(frozen=True)
class _ItemView:
    heading: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _PersonRow:
    name: str
    role: str
    seat: str


@dataclass(frozen=True)
class _ActaView:
    secretariat_line: str
    heading: str
    session_line: str
    date_line: str
    place_line: str
    footer: str
    created: str
    opening: str
    attendance: tuple[_AttendanceRow, ...]
    facilitator_line: str
    observers_line: str
    quorum: str
    items: tuple[_ItemView, ...]
    no_items: str
    general_notes_heading: str
    general_notes: tuple[str, ...]
    vote_notices: tuple[str, ...]
    votes: tuple[_VoteView, ...]
    agreements: tuple[str, ...]
    no_agreements: str
    closing: str
    signatories: tuple[_PersonRow, ...]


def _clean(text: str) -> str:
    """User text as both files can hold it: line ends unified, XML-forbidden chars dropped."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _role(role: str | None) -> str:
    return _ROLES.get(role, role.capitalize()) if role else _NONE


def _secretariat_line(secretariat: str) -> str:
    return _clean(f"Secretariado Técnico Municipal de Gobierno Abierto de {secretariat}")


def _heading(title: str) -> str:
    return _clean(f"Acta circunstanciada de la {title}")


def _footer(version: int, fingerprint: str) -> str:
    return f"Versión {version} · Huella del registro: {fingerprint[:12]}"


def _vote_view(vote: VoteRecord, heading: str) -> _VoteView:
    return _VoteView(
        heading=heading,
        sentence=_clean(vote_sentence(vote)),
        ballots=tuple(
            _BallotRow(
                seat=_clean(line.seat),
                choice=line.choice or "No votó",
                voter=_clean(line.voter) if line.voter else _NONE,
                role=_role(line.voter_role),
            )
            for line in vote.seats
        ),
    )


def _check_version(version: int, fingerprint: str) -> None:
    if version < 1:
        raise ValueError(f"versions are numbered from 1, not {version}")
    if not _HEX.fullmatch(fingerprint):
        raise ValueError("fingerprint must be a lowercase hex SHA-256")


def _acta_view(record: MinutesRecord, version: int, fingerprint: str) -> _ActaView:
    """Every text of the acta, in order; the sentences are domain.minutes', never re-worded."""
    _check_version(version, fingerprint)
    if record.facilitator is None:
        facilitator_line = "Facilitación: no hay persona facilitadora registrada."
    else:
        state = "presente" if record.facilitator_present else "ausente"
        facilitator_line = f"Facilitador(a): {record.facilitator} ({state})."
    observers = ", ".join(record.observers) if record.observers else "ninguna"
    votes: list[_VoteView] = []
    notices: list[str] = []
    if record.agenda_vote is not None:
        votes.append(
            _vote_view(
                record.agenda_vote,
                f"Aprobación del orden del día (Votación #{record.agenda_vote.number})",
            )
        )
    else:
        notices.append("El orden del día no se sometió a votación.")
    votes += [_vote_view(vote, f"Votación #{vote.number}") for vote in record.votes]
    if not record.votes:
        notices.append("No se sometieron otros asuntos a votación.")
    kind = f" ({record.kind})" if record.kind else ""
    return _ActaView(
        secretariat_line=_secretariat_line(record.secretariat),
        heading=_heading(record.title),
        session_line=f"Sesión #{record.number}{kind}",
        date_line=(
            f"Fecha: {long_date(record.day)} · Instalación: {record.installed_at:%H:%M} horas "
            f"(hora local, {record.time_zone})"
        ),
        place_line=_clean(f"Lugar: {record.place}"),
        footer=_footer(version, fingerprint),
        created=record.day.isoformat(),
        opening=_clean(opening_sentence(record)),
        attendance=tuple(
            _AttendanceRow(
                seat=_clean(seat.seat),
                person=_clean(seat.person or "sin nombre") if seat.present else "Ausente",
                role=_role(seat.role) if seat.present else _NONE,
            )
            for seat in record.attendance
        ),
        facilitator_line=_clean(facilitator_line),
        observers_line=_clean(f"Personas observadoras presentes: {observers}."),
        quorum=_clean(quorum_sentence(record)),
        items=tuple(
            _ItemView(
                heading=_clean(f"{item.number}. {item.text}"),
                notes=tuple(_clean(note) for note in item.notes),
            )
            for item in record.agenda
        ),
        no_items="El orden del día no registró asuntos.",
        general_notes_heading="Notas generales de la sesión",
        general_notes=tuple(_clean(note) for note in record.general_notes),
        vote_notices=tuple(notices),
        votes=tuple(votes),
        agreements=tuple(
            _clean(f"{i}. {agreement}") for i, agreement in enumerate(record.agreements, 1)
        ),
        no_agreements="No se adoptaron acuerdos.",
        closing=_clean(closing_sentence(record)),
        signatories=tuple(
            _PersonRow(
                name=_clean(person.name),
                role=_role(person.role),
                seat=_clean(person.seat) if person.seat else _NONE,
            )
            for person in record.signatories
        ),
    )


# ---------------------------------------------------------------- the drafts


@cache
def _docx_template() -> bytes:
    return resources.files("bot").joinpath(_TEMPLATES, "acta.docx").read_bytes()


def _docx_env() -> Environment:
    # docxtpl compiles the document's XML as one template; autoescape makes every value
    # XML-safe (a name like ``<b>Ana & "Sol"</b>`` stays text), StrictUndefined catches a
    # tag in acta.docx that the view lacks instead of printing nothing.
    return Environment(autoescape=True, undefined=StrictUndefined)


def _fixed_zip(data: bytes, when: datetime) -> bytes:
    """The same .docx with every entry dated ``when``: one record, one file, byte for byte."""
    stamp = when.timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, source.read(entry))
    return out.getvalue()


def _installed(record: MinutesRecord) -> datetime:
    """When the session was installed, in UTC: the drafts' creation date (deterministic)."""
    local = datetime.combine(record.day, record.installed_at, tzinfo=ZoneInfo(record.time_zone))
    return local.astimezone(UTC)


def render_docx(record: MinutesRecord, *, version: int, fingerprint: str) -> bytes:
    """The editable Word draft of the acta: ``acta.docx`` filled in with the record's view.

    Args:
        record: what the minutes say, as stored.
        version: the version number the footer prints (from 1).
        fingerprint: :func:`domain.minutes.fingerprint` of ``record``; its first 12 hex
            characters go in the footer, as in the PDF draft.

    Returns:
        The ``.docx`` bytes; the same record, version and fingerprint give the same bytes.

    Raises:
        ValueError: ``version`` below 1 or ``fingerprint`` not a hex SHA-256.
    """
    view = _acta_view(record, version, fingerprint)
    template = DocxTemplate(io.BytesIO(_docx_template()))
    template.render({"acta": view}, jinja_env=_docx_env(), autoescape=True)
    created = _installed(record)
    properties = template.docx.core_properties
    properties.title = view.heading[:255]  # python-docx refuses longer properties
    properties.subject = view.secretariat_line[:255]
    properties.author = "stm-bot"
    properties.last_modified_by = "stm-bot"
    properties.revision = version
    properties.created = created
    properties.modified = created
    out = io.BytesIO()
    template.save(out)
    return _fixed_zip(out.getvalue(), created)


def render_pdf(record: MinutesRecord, *, version: int, fingerprint: str) -> bytes:
    """The PDF draft of the acta, letter size, each page footed with its number and version.

    Args:
        record: what the minutes say, as stored.
        version: the version number every page footer prints (from 1).
        fingerprint: :func:`domain.minutes.fingerprint` of ``record``; every page footer
            prints its first 12 hex characters, which the ``.docx`` footer shares.

    Returns:
        The PDF bytes, dated with the record's day, not with the moment of rendering.

    Raises:
        ValueError: ``version`` below 1 or ``fingerprint`` not a hex SHA-256.
    """
    view = _acta_view(record, version, fingerprint)
    return html_to_pdf(_ENV.get_template("acta.html.j2").render(acta=view))


# WeasyPrint lays out through Pango and fontconfig, whose thread safety WeasyPrint does not
# promise; renders are rare (a draft, a signed file), so they take turns.
_LAYOUT = threading.Lock()


def html_to_pdf(html: str) -> bytes:
    """HTML laid out by WeasyPrint, one render at a time per process, loading nothing
    (the minutes and the follow-up report, ``bot.report_files``)."""
    from weasyprint import HTML, URLFetcher  # imported on first use: see the module docstring

    # The templates load nothing, and no user text can make them load anything: a fetcher
    # that allows no protocol at all (file:// included) makes sure of it.
    fetcher = URLFetcher(allowed_protocols=frozenset())
    with _LAYOUT:
        return HTML(string=html, url_fetcher=fetcher).write_pdf()


# ---------------------------------------------------------------- the signed file


@dataclass(frozen=True)
class _SignerRow:
    name: str
    role: str
    seat: str
    signed_at: str


@dataclass(frozen=True)
class _SignaturePage:
    secretariat_line: str
    heading: str
    title_line: str
    session_line: str
    version_line: str
    statement: str
    sha256: str
    signers_intro: str
    rows: tuple[_SignerRow, ...]
    issued_line: str


# Helvetica's advance widths (AFM, 1/1000 em) for what a stamp holds; it is one of the 14
# fonts every PDF reader has, so the stamp embeds no font, and WinAnsi covers "ó" and "·".
_HELVETICA = {
    " ": 278, "-": 333, "·": 278, "A": 667, "H": 722, "S": 667, "V": 667,
    "a": 556, "b": 556, "c": 500, "d": 556, "e": 556, "f": 278, "i": 222, "j": 222,
    "n": 556, "o": 556, "r": 333, "s": 500, "ó": 556,
}  # fmt: skip
_STAMP_SIZE = 6.5  # pt
_STAMP_BASELINE = 14.0  # pt above the sheet's bottom edge, below any footer of ours
_STAMP_FONT = "/STMHoja"


def _stamp_text(sheet: int, sheets: int, version: int, sha: str) -> str:
    return f"Hoja {sheet} de {sheets} · Versión {version} · SHA-256 {sha[:16]}"


def _stamp(page: PageObject, text: str) -> None:
    """Draw ``text`` centred in the bottom margin of ``page`` as it is displayed.

    The page's content is kept as it was, wrapped in ``q … Q`` so the stamp is drawn in
    the default coordinates whatever the content left set, and the stamp follows it. The
    result is a new stream with its own resources dictionary: an uploaded PDF may share
    one content stream or one resources dictionary among pages, and stamping one sheet
    must not write on another. A page turned by ``/Rotate`` is displayed with another
    edge at the bottom, so the text is placed and turned in user space to read upright
    along the displayed bottom. The box is the crop box, what readers show (pypdf gives
    the media box for a page without one).
    """
    box = page.cropbox
    x0, y0, x1, y1 = float(box.left), float(box.bottom), float(box.right), float(box.top)
    turn = page.rotation
    rotation = int(turn) % 360 if turn % 90 == 0 else 0
    wide = x1 - x0 if rotation in (0, 180) else y1 - y0
    width = sum(_HELVETICA.get(ch, 556) for ch in text) * _STAMP_SIZE / 1000
    dx, dy = max((wide - width) / 2, 0.0), _STAMP_BASELINE
    # (text x axis, text y axis, origin) in user space for each displayed orientation.
    matrix = {
        0: (1, 0, 0, 1, x0 + dx, y0 + dy),
        90: (0, 1, -1, 0, x1 - dy, y0 + dx),
        180: (-1, 0, 0, -1, x1 - dx, y1 - dy),
        270: (0, -1, 1, 0, x0 + dy, y1 - dx),
    }[rotation]

    inherited = page.get_inherited(PageAttributes.RESOURCES, None)
    resources = DictionaryObject(inherited.get_object() if inherited is not None else {})
    fonts_entry = resources.get("/Font")
    fonts = DictionaryObject(fonts_entry.get_object() if fonts_entry is not None else {})
    font = _STAMP_FONT
    while font in fonts:  # never shadow a font of the page's own
        font += "x"
    fonts[NameObject(font)] = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    resources[NameObject("/Font")] = fonts
    page[NameObject(PageAttributes.RESOURCES)] = resources

    literal = text.encode("cp1252").replace(b"\\", b"\\\\")
    literal = literal.replace(b"(", b"\\(").replace(b")", b"\\)")
    stamp = (
        (
            f"q 0.25 g BT {font} {_STAMP_SIZE} Tf "
            + " ".join(f"{v:.3f}" for v in matrix)
            + " Tm ("
        ).encode("ascii")
        + literal
        + b") Tj ET Q\n"
    )
    original = page.get_contents()
    content = DecodedStreamObject()
    content.set_data(
        b"q\n" + (original.get_data() if original is not None else b"") + b"\nQ\n" + stamp
    )
    if PageAttributes.CONTENTS in page:
        del page[PageAttributes.CONTENTS]  # so that the new stream is a new object
    page.replace_contents(content)
    page.compress_content_streams()


def _signature_page(
    *,
    record_title: str,
    secretariat: str,
    number: int,
    version: int,
    version_sha256: str,
    signatures: Sequence[SignatureLine],
    issued_at: str,
    statement: str,
) -> bytes:
    page = _SignaturePage(
        secretariat_line=_secretariat_line(secretariat),
        heading="Hoja de firmas electrónicas",
        title_line=_heading(record_title),
        session_line=f"Sesión #{number}",
        version_line=f"Versión {version}",
        statement=_clean(statement),
        sha256=version_sha256,
        signers_intro="Firmaron electrónicamente esa versión las personas siguientes:",
        rows=tuple(
            _SignerRow(
                name=_clean(line.name),
                role=_role(line.role),
                seat=_clean(line.seat) if line.seat else _NONE,
                signed_at=_clean(line.signed_at),
            )
            for line in signatures
        ),
        issued_line=_clean(f"Documento firmado emitido el {issued_at}."),
    )
    return html_to_pdf(_ENV.get_template("acta_signature_page.html.j2").render(page=page))


def signed_pdf(
    version_file: bytes,
    kind: FileKind,
    *,
    record_title: str,
    secretariat: str,
    number: int,
    version: int,
    version_sha256: str,
    signatures: Sequence[SignatureLine],
    issued_at: str,
    seal: Seal | None = None,
) -> bytes:
    """The signed acta (R14): the approved version, stamped on every sheet, and its signatures.

    For a PDF version every page keeps its content and gets a stamp in its bottom margin,
    "Hoja X de N · Versión v · SHA-256 <16 hex>", the electronic "rubricada en cada hoja";
    a signature page (stamped too, and counted in N) follows. For a Word version the file
    is a cover and signature page stating the version's SHA-256, with the ``.docx``
    attached as it was uploaded, byte for byte.

    Args:
        version_file: the approved version's exact bytes.
        kind: whether those bytes are the PDF or the Word version.
        record_title: the session's title ("Primera Sesión Ordinaria 2026").
        secretariat: the municipality, as the secretariat is named.
        number: the session's running number.
        version: the approved version's number.
        version_sha256: :func:`sha256_hex` of ``version_file``, the name people signed.
        signatures: who signed, in the order the signature page lists them.
        issued_at: when the signed file is issued, local, as people read it.
        seal: the institutional seal (:func:`load_seal`); when given, the result is
            PAdES-signed with it, so any later change shows.

    Returns:
        The signed PDF.

    Raises:
        ValueError: ``version_sha256`` does not name ``version_file`` (the stamp would
            lie), or the PDF is encrypted (it cannot be stamped without its password).
        SealError: the seal could not sign.
    """
    sha = version_sha256.lower()
    if sha256_hex(version_file) != sha:
        raise ValueError("version_sha256 is not the SHA-256 of version_file")
    if kind is FileKind.PDF:
        reader = PdfReader(io.BytesIO(version_file))
        if reader.is_encrypted:
            raise ValueError("an encrypted PDF cannot be stamped")
        writer = PdfWriter(clone_from=reader)
        sheets = len(writer.pages)
        statement = (
            f"Las personas que se enlistan firmaron electrónicamente la versión {version} del "
            f"acta circunstanciada, que ocupa las hojas 1 a {sheets} de este documento y cuyo "
            f"archivo PDF aprobado se identifica por el SHA-256 siguiente:"
        )
        attachment = None
    else:
        writer = PdfWriter()
        name = f"acta-sesion-{number}-version-{version}.docx"
        statement = (
            f"La versión {version} del acta circunstanciada es el archivo de Word «{name}», "
            f"adjunto a este documento tal como se aprobó, sin modificación alguna, y se "
            f"identifica por el SHA-256 siguiente:"
        )
        attachment = (name, version_file)
    signature_page = _signature_page(
        record_title=record_title,
        secretariat=secretariat,
        number=number,
        version=version,
        version_sha256=sha,
        signatures=signatures,
        issued_at=issued_at,
        statement=statement,
    )
    for page in PdfReader(io.BytesIO(signature_page)).pages:
        writer.add_page(page)
    total = len(writer.pages)
    for sheet, page in enumerate(writer.pages, 1):
        _stamp(page, _stamp_text(sheet, total, version, sha))
    # The content streams the stamped pages replaced are left unreferenced: not written.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    if attachment is not None:
        writer.add_attachment(*attachment)
        writer.page_mode = "/UseAttachments"
    out = io.BytesIO()
    writer.write(out)
    if seal is None:
        return out.getvalue()
    return _apply_seal(out.getvalue(), seal, location=secretariat)


# ---------------------------------------------------------------- the institutional seal


class SealError(Exception):
    """The institutional seal cannot be loaded or used; the message is for the operator."""


@dataclass(frozen=True, eq=False)
class Seal:
    """The secretariat's signing key and certificate, loaded once from its PKCS#12 file."""

    signer: SimpleSigner
    holder: str  # the certificate's subject, for the operator's messages


def load_seal(p12_path: Path, password: bytes | None) -> Seal:
    """Load the institutional seal from a PKCS#12 (``.p12``/``.pfx``) file.

    ``SimpleSigner.load_pkcs12_data`` is used rather than ``load_pkcs12``: the latter
    returns ``None`` on any failure (logging a traceback), which leaves nothing to tell the
    operator.

    Raises:
        SealError: the file is missing or unreadable, the password is wrong, or it holds
            no private key and certificate (the message, in Spanish, says which).
    """
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign.signers import SimpleSigner

    try:
        data = p12_path.read_bytes()
    except FileNotFoundError as exc:
        raise SealError(f"No existe el archivo del sello electrónico: {p12_path}") from exc
    except OSError as exc:
        raise SealError(
            f"No se pudo leer el archivo del sello electrónico {p12_path}: {exc.strerror}"
        ) from exc
    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise SealError(
            f"No se pudo abrir el sello electrónico {p12_path.name}: la contraseña es "
            f"incorrecta o el archivo no es un PKCS#12 válido."
        ) from exc
    if key is None or certificate is None:
        raise SealError(
            f"El archivo {p12_path.name} no contiene la llave privada y el certificado del "
            f"sello electrónico."
        )
    try:
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=password)
    except (ValueError, TypeError) as exc:  # a key type pyHanko cannot sign with
        raise SealError(
            f"El sello electrónico {p12_path.name} no se puede usar para firmar: {exc}"
        ) from exc
    return Seal(signer=signer, holder=certificate.subject.rfc4514_string())


def _apply_seal(pdf: bytes, seal: Seal, *, location: str) -> bytes:
    """PAdES-sign ``pdf`` as an incremental update, in an invisible field.

    pyHanko's ``sign_pdf`` is the synchronous wrapper of its async API (it calls
    ``asyncio.run``), so this must run where no event loop is running: in the worker
    thread the caller uses, as everything here does.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError

    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        reason=SEAL_REASON,
        location=_clean(location),
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    try:
        out = signers.sign_pdf(writer, metadata, signer=seal.signer)
    except SigningError as exc:
        raise SealError(f"El sello electrónico no pudo firmar el acta: {exc}") from exc
    return out.getvalue()


# ---------------------------------------------------------------- in the rendering process

#: Seals loaded in this process, by file and password: a PKCS#12 is parsed once.
_SEALS: dict[tuple[str, bytes | None], Seal] = {}


def issue_signed(
    version_file: bytes,
    kind: FileKind,
    *,
    seal_p12: Path | None,
    seal_password: bytes | None,
    **fields: Any,
) -> bytes:
    """:func:`signed_pdf`, loading the deployment's seal here when one is configured.

    The bot renders in a separate process (``bot.minutes_flow``) and a loaded seal cannot
    be sent there, so the path and password travel instead and the seal is loaded (and
    kept) on the rendering side.
    """
    seal = None
    if seal_p12 is not None:
        key = (str(seal_p12), seal_password)
        if key not in _SEALS:
            _SEALS[key] = load_seal(seal_p12, seal_password)
        seal = _SEALS[key]
    return signed_pdf(version_file, kind, seal=seal, **fields)
