"""Open data of a secretariat (R19 d, R21): datasets, their dictionary, CSV, JSON and the
Frictionless Data Package that describes them.

Nine datasets, one row per fact: ``sesiones``, ``asistencia`` (per seat and session),
``votaciones`` (per seat and vote: the ballot that counted), ``acuerdos``,
``compromisos``, ``hitos``, ``actas`` (with the SHA-256 of the signed file and the
sending to the garante), ``buzon`` and ``cadena`` (the hash chain of recorded
acts, issue 15: every entry, so anyone can recompute it). Each dataset's schema
lists every field with its
`Table Schema <https://specs.frictionlessdata.io/table-schema/>`_ type, a Spanish
description and an example; the schema *is* the contract: :func:`to_csv` and
:func:`to_json` refuse a row with a field the schema does not name, so nothing of R21's
never-published list (Telegram ids, usernames, phone numbers, e-mail, who wrote to the
inbox) can slip into a file by a careless query — ``buzon`` has only the form, category,
dates and status.

Formats, chosen for reuse without surprises:

- CSV: UTF-8 without BOM, a header row, comma separated, RFC 4180 quoting (``"`` doubled,
  cells with commas, quotes or line breaks quoted) and ``\\r\\n`` line ends. An empty cell
  is a missing value. Dates are ``AAAA-MM-DD``; moments are ISO 8601 with seconds and the
  secretariat's UTC offset (``2026-12-07T10:05:00-06:00``), which Frictionless' default
  ``datetime`` format reads (it needs the seconds); booleans are ``true``/``false``.
  Cells are written as stored, never prefixed against spreadsheet formulas: the data must
  round-trip exactly (a reader opening it in a spreadsheet should import it as text).
- JSON: one object with the dataset's metadata (name, title, description, secretariat,
  update date, licence, count) and ``registros``, the list of rows as objects keyed by the
  field names, with JSON numbers, booleans and ``null`` and the same date strings as the
  CSV. The metadata travels with the rows, so a downloaded file says what it is.
- ``datapackage.json``: a ``tabular-data-package`` whose resources are the CSV files, with
  schemas, primary keys and foreign keys; ``frictionless validate`` accepts it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from domain.action_plan import Level
from domain.agreements import Status
from domain.microsite import DEFAULT_LICENCE, slugify
from domain.outcomes import Outcome

__all__ = [
    "DATASETS",
    "DEFAULT_LICENCE_PATH",
    "Dataset",
    "Field",
    "FieldType",
    "ForeignKey",
    "Licence",
    "datapackage",
    "dataset",
    "datetime_text",
    "json_document",
    "latest",
    "licence_of",
    "read_csv",
    "to_csv",
    "to_json",
]

#: Where the default licence is published (R19 d).
DEFAULT_LICENCE_PATH = "https://datos.gob.mx/libreusomx"


class FieldType(StrEnum):
    """Table Schema types used here; the values are Frictionless' names."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"

    @property
    def label(self) -> str:
        """How the data dictionary names the type for readers."""
        return _TYPE_LABELS[self]


_TYPE_LABELS = {
    FieldType.STRING: "texto",
    FieldType.INTEGER: "número entero",
    FieldType.NUMBER: "número",
    FieldType.BOOLEAN: "booleano (true/false)",
    FieldType.DATE: "fecha (AAAA-MM-DD)",
    FieldType.DATETIME: "fecha y hora (ISO 8601 con desfase)",
}


@dataclass(frozen=True)
class Field:
    """One column: its name, type, Spanish description and an example value (as in the CSV).

    ``enum`` lists the only values the column takes (checked by ``frictionless
    validate``); ``required`` columns are never empty.
    """

    name: str
    type: FieldType
    description: str
    example: str
    enum: tuple[str, ...] = ()
    required: bool = False

    def descriptor(self) -> dict[str, Any]:
        """The Table Schema field descriptor."""
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type.value,
            "format": "default",
            "description": self.description,
            "example": self.example,
        }
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class ForeignKey:
    """``fields`` of this dataset refer to ``reference`` of dataset ``resource``."""

    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Dataset:
    """One dataset: its file name, title, description and schema."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def field_names(self) -> tuple[str, ...]:
        """The header row, in order."""
        return tuple(f.name for f in self.fields)

    def schema(self) -> dict[str, Any]:
        """The Table Schema: fields, missing values, primary and foreign keys."""
        out: dict[str, Any] = {
            "fields": [f.descriptor() for f in self.fields],
            "missingValues": [""],
        }
        if self.primary_key:
            out["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            out["foreignKeys"] = [
                {
                    "fields": list(fk.fields),
                    "reference": {"resource": fk.resource, "fields": list(fk.reference)},
                }
                for fk in self.foreign_keys
            ]
        return out


Row = Mapping[str, object]

_SEAT_KEY = Field(
    "asiento_clave",
    FieldType.STRING,
    "Clave del asiento (sector) en el Secretariado.",
    "sociedad_civil",
    required=True,
)
_SEAT = Field("asiento", FieldType.STRING, "Nombre del asiento (sector).", "Sociedad civil")
_ROLE = ("titular", "suplente")
_SESSION_REF = ForeignKey(("sesion",), "sesiones", ("numero",))
_MEETING_STATES = ("convocada", "cancelada", "en_curso", "instalada", "sin_quorum", "concluida")

SESIONES = Dataset(
    "sesiones",
    "Sesiones",
    "Sesiones ordinarias y extraordinarias convocadas por el Secretariado, con su estado, "
    "lugar, orden del día y quórum. Una fila por sesión.",
    (
        Field(
            "numero",
            FieldType.INTEGER,
            "Número consecutivo de la sesión en el Secretariado.",
            "1",
            required=True,
        ),
        Field("titulo", FieldType.STRING, "Título formal.", "Primera Sesión Ordinaria 2026"),
        Field(
            "tipo",
            FieldType.STRING,
            "Tipo de sesión.",
            "ordinaria",
            enum=("ordinaria", "extraordinaria"),
        ),
        Field(
            "estado",
            FieldType.STRING,
            "Estado de la sesión: convocada aún no se celebra; en_curso tiene el pase de "
            "lista abierto; instalada se celebra con quórum.",
            "concluida",
            enum=_MEETING_STATES,
        ),
        Field(
            "fecha",
            FieldType.DATE,
            "Fecha programada, en la zona horaria del Secretariado.",
            "2026-12-07",
        ),
        Field(
            "inicio",
            FieldType.DATETIME,
            "Fecha y hora programadas de inicio.",
            "2026-12-07T10:00:00-06:00",
        ),
        Field("lugar", FieldType.STRING, "Lugar de la sesión.", "Sala de Cabildo"),
        Field(
            "orden_del_dia",
            FieldType.STRING,
            "Puntos del orden del día, en orden, separados por « | ».",
            "Lista de asistencia y declaración de quórum | Seguimiento del PAM",
        ),
        Field(
            "dia_inhabil",
            FieldType.BOOLEAN,
            "Si la sesión se convocó en un día inhábil.",
            "false",
        ),
        Field(
            "convocada_en",
            FieldType.DATETIME,
            "Momento en que se envió la convocatoria.",
            "2026-11-27T10:00:00-06:00",
        ),
        Field(
            "pase_de_lista_en",
            FieldType.DATETIME,
            "Momento en que inició el pase de lista.",
            "2026-12-07T10:05:00-06:00",
        ),
        Field(
            "instalada_en",
            FieldType.DATETIME,
            "Momento en que se instaló la sesión con quórum.",
            "2026-12-07T10:10:00-06:00",
        ),
        Field(
            "concluida_en",
            FieldType.DATETIME,
            "Momento en que concluyó la sesión.",
            "2026-12-07T12:10:00-06:00",
        ),
        Field(
            "quorum_requerido",
            FieldType.INTEGER,
            "Asientos necesarios para instalar la sesión.",
            "3",
        ),
        Field(
            "asientos_presentes",
            FieldType.INTEGER,
            "Asientos representados en el pase de lista.",
            "4",
        ),
        Field(
            "asientos_totales",
            FieldType.INTEGER,
            "Asientos considerados para el quórum.",
            "5",
        ),
    ),
    primary_key=("numero",),
)

ASISTENCIA = Dataset(
    "asistencia",
    "Asistencia por asiento",
    "Asistencia de cada asiento a cada sesión celebrada, según el pase de lista: quién lo "
    "representó (titular o suplente). Una fila por sesión y asiento.",
    (
        Field("sesion", FieldType.INTEGER, "Número de la sesión.", "1", required=True),
        Field("fecha", FieldType.DATE, "Fecha de la sesión.", "2026-12-07"),
        _SEAT_KEY,
        _SEAT,
        Field(
            "asistio",
            FieldType.BOOLEAN,
            "Si el asiento estuvo representado en el pase de lista.",
            "true",
        ),
        Field(
            "asistente",
            FieldType.STRING,
            "Nombre de quien representó al asiento.",
            "Lorenza Capiz Hernández",
        ),
        Field(
            "calidad",
            FieldType.STRING,
            "Si asistió la persona titular o la suplente.",
            "titular",
            enum=_ROLE,
        ),
        Field(
            "registrada_en",
            FieldType.DATETIME,
            "Momento en que se registró la asistencia.",
            "2026-12-07T10:06:00-06:00",
        ),
    ),
    primary_key=("sesion", "asiento_clave"),
    foreign_keys=(_SESSION_REF,),
)

_CHOICES = ("a_favor", "en_contra", "abstencion", "sin_voto")
VOTACIONES = Dataset(
    "votaciones",
    "Votaciones por asiento",
    "Votaciones cerradas, en sesión o electrónicas, con el voto que contó para cada asiento "
    "con derecho a votar y el resultado. Una fila por votación y asiento.",
    (
        Field(
            "votacion",
            FieldType.INTEGER,
            "Número de la votación (el #n con que se anuncia).",
            "2",
            required=True,
        ),
        Field(
            "sesion",
            FieldType.INTEGER,
            "Número de la sesión en que se votó; vacío en una votación electrónica fuera de "
            "sesión.",
            "1",
        ),
        Field(
            "tipo",
            FieldType.STRING,
            "sesion (votan los asientos presentes) o electronica (con plazo).",
            "sesion",
            enum=("sesion", "electronica"),
        ),
        Field(
            "objeto",
            FieldType.STRING,
            "general (una propuesta), orden_del_dia (aprobación del orden del día) o "
            "remocion (una propuesta de remoción de un integrante, R4).",
            "general",
            enum=("general", "orden_del_dia", "remocion"),
        ),
        Field(
            "asunto",
            FieldType.STRING,
            "Texto sometido a votación.",
            "Aprobar el calendario de sesiones 2027",
        ),
        Field(
            "abierta_en",
            FieldType.DATETIME,
            "Momento en que se abrió la votación.",
            "2026-12-07T10:30:00-06:00",
        ),
        Field(
            "cerrada_en",
            FieldType.DATETIME,
            "Momento en que se cerró la votación.",
            "2026-12-07T10:40:00-06:00",
        ),
        Field(
            "resultado",
            FieldType.STRING,
            "Resultado de la votación: consenso primero, mayoría de los votos emitidos "
            "donde las posiciones difieren.",
            "Aprobado por mayoría",
            enum=tuple(o.value for o in Outcome),
        ),
        _SEAT_KEY,
        _SEAT,
        Field(
            "voto",
            FieldType.STRING,
            "Voto que contó para el asiento; sin_voto si podía votar y no votó.",
            "a_favor",
            enum=_CHOICES,
        ),
        Field(
            "votante",
            FieldType.STRING,
            "Nombre de quien emitió el voto que contó.",
            "José de Jesús Michel Sahagún",
        ),
        Field(
            "calidad",
            FieldType.STRING,
            "Si votó la persona titular o la suplente.",
            "titular",
            enum=_ROLE,
        ),
        Field(
            "emitido_en",
            FieldType.DATETIME,
            "Momento del voto que contó.",
            "2026-12-07T10:32:00-06:00",
        ),
    ),
    primary_key=("votacion", "asiento_clave"),
    foreign_keys=(_SESSION_REF,),
)

ACUERDOS = Dataset(
    "acuerdos",
    "Acuerdos",
    "Registro de acuerdos adoptados en sesión, con responsable, plazo y estado de "
    "cumplimiento. Una fila por acuerdo.",
    (
        Field(
            "codigo",
            FieldType.STRING,
            "Código único del acuerdo (año y número).",
            "ACU-2026-001",
            required=True,
        ),
        Field("anio", FieldType.INTEGER, "Año del acuerdo.", "2026"),
        Field("numero", FieldType.INTEGER, "Número consecutivo en el año.", "1"),
        Field("sesion", FieldType.INTEGER, "Número de la sesión que lo adoptó.", "1"),
        Field(
            "votacion",
            FieldType.INTEGER,
            "Número de la votación que lo aprobó, si la hubo.",
            "2",
        ),
        Field(
            "texto",
            FieldType.STRING,
            "Texto del acuerdo.",
            "Aprobar el calendario de sesiones 2027",
        ),
        Field(
            "responsable_asiento",
            FieldType.STRING,
            "Clave del asiento responsable, si el responsable es un asiento.",
            "academia",
        ),
        Field(
            "responsable",
            FieldType.STRING,
            "Asiento o persona responsable del cumplimiento.",
            "Academia",
        ),
        Field("plazo", FieldType.DATE, "Fecha límite de cumplimiento.", "2027-01-29"),
        Field(
            "estado",
            FieldType.STRING,
            "Estado de cumplimiento.",
            "en_proceso",
            enum=tuple(s.value for s in Status),
        ),
        Field(
            "registrado_en",
            FieldType.DATETIME,
            "Momento en que se registró.",
            "2026-12-07T11:00:00-06:00",
        ),
        Field(
            "actualizado_en",
            FieldType.DATETIME,
            "Último cambio registrado (responsable, plazo o estado).",
            "2026-12-15T09:30:00-06:00",
        ),
    ),
    primary_key=("codigo",),
    foreign_keys=(_SESSION_REF,),
)

COMPROMISOS = Dataset(
    "compromisos",
    "Compromisos del plan de acción",
    "Compromisos del Plan de Acción Municipal con su nivel de cumplimiento y el avance "
    "ponderado de sus hitos. Una fila por compromiso.",
    (
        Field("clave", FieldType.STRING, "Clave del compromiso.", "C-1", required=True),
        Field("numero", FieldType.INTEGER, "Número del compromiso.", "1"),
        Field("titulo", FieldType.STRING, "Título.", "Presupuesto abierto"),
        Field(
            "problema",
            FieldType.STRING,
            "Problema público que atiende.",
            "La ciudadanía no conoce el gasto municipal",
        ),
        Field(
            "objetivo",
            FieldType.STRING,
            "Qué busca el compromiso.",
            "Publicar el presupuesto en datos abiertos",
        ),
        Field(
            "institucion",
            FieldType.STRING,
            "Institución responsable.",
            "Tesorería municipal",
        ),
        Field(
            "responsable_asiento",
            FieldType.STRING,
            "Clave del asiento responsable en el Secretariado.",
            "gobierno",
        ),
        Field(
            "responsable",
            FieldType.STRING,
            "Nombre del asiento responsable.",
            "Gobierno municipal",
        ),
        Field("apoyos", FieldType.STRING, "Actores que apoyan.", "Academia; sociedad civil"),
        Field("inicio", FieldType.DATE, "Fecha de inicio.", "2027-01-01"),
        Field("fin", FieldType.DATE, "Fecha de término.", "2027-12-31"),
        Field(
            "valores",
            FieldType.STRING,
            "Valores de Gobierno Abierto que atiende, separados por comas.",
            "transparencia, rendición de cuentas",
        ),
        Field(
            "nivel",
            FieldType.STRING,
            "Nivel de cumplimiento.",
            "sustancial",
            enum=tuple(level.value for level in Level),
        ),
        Field(
            "nivel_manual",
            FieldType.BOOLEAN,
            "Si el nivel lo fijó la facilitación con un motivo en lugar de calcularse de "
            "los hitos.",
            "false",
        ),
        Field(
            "motivo_nivel",
            FieldType.STRING,
            "Motivo del nivel fijado a mano.",
            "El hito 2 se cumplió sin evidencia publicada",
        ),
        Field("hitos", FieldType.INTEGER, "Número de hitos.", "3"),
        Field("hitos_cumplidos", FieldType.INTEGER, "Hitos cumplidos.", "2"),
        Field(
            "avance",
            FieldType.NUMBER,
            "Porcentaje ponderado de hitos cumplidos (0 a 100, un decimal).",
            "66.7",
        ),
        Field(
            "registrado_en",
            FieldType.DATETIME,
            "Momento en que se registró.",
            "2026-12-01T09:00:00-06:00",
        ),
        Field(
            "actualizado_en",
            FieldType.DATETIME,
            "Último cambio registrado (hitos, avance o nivel).",
            "2027-02-01T12:00:00-06:00",
        ),
    ),
    primary_key=("clave",),
)

HITOS = Dataset(
    "hitos",
    "Hitos de los compromisos",
    "Hitos verificables de cada compromiso, con su peso, fecha y evidencia de "
    "cumplimiento. Una fila por hito.",
    (
        Field("clave", FieldType.STRING, "Clave del hito.", "C-1.2", required=True),
        Field("compromiso", FieldType.STRING, "Clave del compromiso.", "C-1", required=True),
        Field("numero", FieldType.INTEGER, "Número del hito en su compromiso.", "2"),
        Field(
            "descripcion",
            FieldType.STRING,
            "Qué se entrega.",
            "Publicar el presupuesto 2027",
        ),
        Field("fecha_compromiso", FieldType.DATE, "Fecha comprometida.", "2027-01-31"),
        Field("peso", FieldType.INTEGER, "Peso en el avance del compromiso (1 a 100).", "2"),
        Field("cumplido", FieldType.BOOLEAN, "Si el hito se cumplió.", "true"),
        Field(
            "cumplido_en",
            FieldType.DATETIME,
            "Momento en que se marcó cumplido.",
            "2027-01-30T13:00:00-06:00",
        ),
        Field(
            "evidencia",
            FieldType.STRING,
            "Evidencia de verificación.",
            "https://zamora.gob.mx/presupuesto",
        ),
        Field(
            "registrado_en",
            FieldType.DATETIME,
            "Momento en que se registró.",
            "2026-12-01T09:05:00-06:00",
        ),
    ),
    primary_key=("clave",),
    foreign_keys=(ForeignKey(("compromiso",), "compromisos", ("clave",)),),
)

_MINUTES_STAGES = ("sin_borrador", "borrador", "en_firma", "firmada")
_SENDING = ("pendiente", "vencida", "enviada_a_tiempo", "enviada_fuera_de_plazo")
ACTAS = Dataset(
    "actas",
    "Actas",
    "Actas de las sesiones celebradas: estado del acta, huella SHA-256 del archivo "
    "firmado y envío al organismo garante. Una fila por sesión celebrada.",
    (
        Field("sesion", FieldType.INTEGER, "Número de la sesión.", "1", required=True),
        Field("titulo", FieldType.STRING, "Título de la sesión.", "Primera Sesión Ordinaria 2026"),
        Field("fecha", FieldType.DATE, "Fecha en que se celebró.", "2026-12-07"),
        Field(
            "estado_acta",
            FieldType.STRING,
            "sin_borrador, borrador, en_firma (circulada para firma) o firmada.",
            "firmada",
            enum=_MINUTES_STAGES,
        ),
        Field(
            "version",
            FieldType.INTEGER,
            "Versión vigente del acta (la que se firmó, si está firmada).",
            "1",
        ),
        Field(
            "sha256",
            FieldType.STRING,
            "Huella SHA-256 (hexadecimal) del archivo firmado: permite comprobar que una "
            "copia es idéntica.",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ),
        Field(
            "archivo",
            FieldType.STRING,
            "Dirección de descarga del archivo firmado en este micrositio (ruta desde la "
            "raíz del sitio).",
            "/zamora/archivos/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08/"
            "acta-sesion-1-firmada.pdf",
        ),
        Field(
            "firmada_en",
            FieldType.DATETIME,
            "Momento de la última firma.",
            "2026-12-09T17:20:00-06:00",
        ),
        Field(
            "sellada",
            FieldType.BOOLEAN,
            "Si el archivo lleva sello electrónico (PAdES).",
            "false",
        ),
        Field(
            "plazo_envio",
            FieldType.DATE,
            "Fecha límite para enviar el acta al organismo garante.",
            "2026-12-31",
        ),
        Field(
            "estado_envio",
            FieldType.STRING,
            "Envío al organismo garante: pendiente, vencida (sin enviar tras el plazo), "
            "enviada_a_tiempo o enviada_fuera_de_plazo.",
            "enviada_a_tiempo",
            enum=_SENDING,
        ),
        Field(
            "enviada_en",
            FieldType.DATETIME,
            "Momento del envío al organismo garante.",
            "2026-12-10T09:00:00-06:00",
        ),
        Field(
            "via_envio",
            FieldType.STRING,
            "Cómo consta el envío: correo (aceptado por el servidor de correo) o manual "
            "(declarado por la facilitación).",
            "correo",
            enum=("manual", "correo"),
        ),
    ),
    primary_key=("sesion",),
    foreign_keys=(_SESSION_REF,),
)

BUZON = Dataset(
    "buzon",
    "Buzón ciudadano",
    "Mensajes recibidos por el buzón (dudas, quejas y sugerencias) y por el formulario "
    "para participar: solo categoría, fechas y estado. Nunca se publica el texto ni quién "
    "escribió. Una fila por mensaje.",
    (
        Field(
            "formulario",
            FieldType.STRING,
            "buzon (dudas, quejas y sugerencias) o participa (interés en participar).",
            "buzon",
            enum=("buzon", "participa"),
            required=True,
        ),
        Field(
            "categoria",
            FieldType.STRING,
            "Categoría del mensaje.",
            "queja",
            enum=("duda", "queja", "sugerencia", "participa"),
            required=True,
        ),
        Field("recibido_el", FieldType.DATE, "Fecha de recepción.", "2026-12-01", required=True),
        Field(
            "estado",
            FieldType.STRING,
            "recibido o atendido.",
            "atendido",
            enum=("recibido", "atendido"),
        ),
        Field("atendido_el", FieldType.DATE, "Fecha en que se atendió.", "2026-12-03"),
    ),
)

CADENA = Dataset(
    "cadena",
    "Cadena de actos",
    "Prueba contra alteraciones: cada acto registrado (convocatoria enviada, respuesta de "
    "asistencia, pase de lista, voto, resultado, cancelación, firma del acta, acta enviada "
    "al garante, cambio de un acuerdo) es una entrada cuyo hash SHA-256 cubre el hash de la "
    "anterior y el acto en JSON canónico. El hash de una entrada es el SHA-256 del JSON "
    "canónico (claves ordenadas, sin espacios, UTF-8) de {acto, anterior, fecha, posicion, "
    "tipo}. Solo números internos y datos públicos: nunca identificadores de Telegram ni "
    "datos personales; los textos no públicos entran como su SHA-256. Una fila por entrada.",
    (
        Field(
            "posicion", FieldType.INTEGER, "Número de la entrada, desde 1.", "42", required=True
        ),
        Field(
            "tipo",
            FieldType.STRING,
            "Tipo de acto.",
            "voto",
            enum=(
                "convocatoria",
                "asistencia",
                "pase_de_lista",
                "voto",
                "resultado",
                "cancelacion_solicitada",
                "cancelacion_respuesta",
                "cancelacion_decidida",
                "firma",
                "acta_enviada",
                "acuerdo",
            ),
            required=True,
        ),
        Field(
            "fecha",
            FieldType.STRING,
            "Momento del acto en UTC, exactamente como entra en el hash (ISO 8601 con "
            "microsegundos y Z).",
            "2026-12-07T16:10:00.000000Z",
            required=True,
        ),
        Field(
            "acto",
            FieldType.STRING,
            "El acto en JSON canónico, exactamente como entra en el hash.",
            '{"asiento":1,"calidad":"titular","fecha":"2026-12-07T16:10:00.000000Z",'
            '"integrante":2,"sentido":"a_favor","votacion":1}',
            required=True,
        ),
        Field(
            "hash_anterior",
            FieldType.STRING,
            "Hash de la entrada anterior (64 ceros en la primera).",
            "0" * 64,
            required=True,
        ),
        Field(
            "hash",
            FieldType.STRING,
            "SHA-256 de la entrada (hexadecimal).",
            "9f" * 32,
            required=True,
        ),
    ),
    primary_key=("posicion",),
)

#: In the order the page and the Data Package list them.
DATASETS: tuple[Dataset, ...] = (
    SESIONES,
    ASISTENCIA,
    VOTACIONES,
    ACUERDOS,
    COMPROMISOS,
    HITOS,
    ACTAS,
    BUZON,
    CADENA,
)
_BY_NAME = {d.name: d for d in DATASETS}


def dataset(name: str) -> Dataset | None:
    """The dataset called ``name`` (``None`` for any other name: the page answers 404)."""
    return _BY_NAME.get(name)


# -- cells -----------------------------------------------------------------------------


def datetime_text(moment: datetime, time_zone: str) -> str:
    """``2026-12-07T10:05:00-06:00``: local time, whole seconds, with its UTC offset.

    Raises:
        ValueError: for a naive datetime (its moment would be unknown).
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(ZoneInfo(time_zone)).replace(microsecond=0).isoformat()


#: One check per field type, evaluated alone (this runs for every cell of every file).
_TYPE_CHECKS: dict[FieldType, Callable[[object], bool]] = {
    FieldType.STRING: lambda v: isinstance(v, str),
    FieldType.INTEGER: lambda v: isinstance(v, int) and not isinstance(v, bool),
    FieldType.NUMBER: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    FieldType.BOOLEAN: lambda v: isinstance(v, bool),
    FieldType.DATE: lambda v: isinstance(v, date) and not isinstance(v, datetime),
    FieldType.DATETIME: lambda v: isinstance(v, datetime) and v.tzinfo is not None,
}


def _check(field: Field, value: object) -> None:
    """Refuse a value of another type than the field's (a service bug, not bad input)."""
    if value is None:
        if field.required:
            raise ValueError(f"{field.name}: required")
        return
    kind = field.type
    ok = _TYPE_CHECKS[kind](value)
    if not ok:
        raise ValueError(f"{field.name}: {value!r} is not a {kind.value}")
    if field.enum and value not in field.enum:
        raise ValueError(f"{field.name}: {value!r} not in {field.enum}")


def _checked(data: Dataset, row: Row) -> Row:
    if tuple(row) != data.field_names:
        extra = set(row) - set(data.field_names)
        missing = set(data.field_names) - set(row)
        raise ValueError(
            f"{data.name}: fields differ from the schema (extra {extra}, missing {missing})"
        )
    for field in data.fields:
        _check(field, row[field.name])
    return row


def _text(value: object, kind: FieldType, time_zone: str) -> str:
    if value is None:
        return ""
    if kind is FieldType.BOOLEAN:
        return "true" if value else "false"
    if kind is FieldType.DATETIME:
        assert isinstance(value, datetime)
        return datetime_text(value, time_zone)
    if kind is FieldType.DATE:
        assert isinstance(value, date)
        return value.isoformat()
    if kind is FieldType.NUMBER:
        assert isinstance(value, int | float)
        return repr(float(value)) if isinstance(value, float) else str(value)
    return str(value)


def _json_value(value: object, kind: FieldType, time_zone: str) -> object:
    if value is None or kind in (
        FieldType.STRING,
        FieldType.INTEGER,
        FieldType.NUMBER,
        FieldType.BOOLEAN,
    ):
        return value
    return _text(value, kind, time_zone)


# -- CSV and JSON ----------------------------------------------------------------------


def to_csv(data: Dataset, rows: Iterable[Row], *, time_zone: str) -> str:
    """The dataset as CSV text (see the module docstring for the dialect).

    Raises:
        ValueError: a row whose fields are not exactly the schema's, in order, or whose
            values have another type: the schema is the contract (R21).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(data.field_names)
    kinds = [f.type for f in data.fields]
    for row in rows:
        _checked(data, row)
        cells = zip(row.values(), kinds, strict=True)
        writer.writerow([_text(value, kind, time_zone) for value, kind in cells])
    return out.getvalue()


def read_csv(text: str) -> list[dict[str, str]]:
    """The rows of a CSV written by :func:`to_csv`, as text keyed by the header."""
    return list(csv.DictReader(io.StringIO(text, newline="")))


@dataclass(frozen=True)
class Licence:
    """The open data's licence: Data Package ``name`` (an id), ``title`` and ``path``."""

    name: str
    title: str
    path: str = ""

    def descriptor(self) -> dict[str, str]:
        """The Data Package ``licenses`` item."""
        out = {"name": self.name, "title": self.title}
        if self.path:
            out["path"] = self.path
        return out


_URL = re.compile(r"https?://[^\s<>\"']+")
#: Licences recognised by name: (pattern, Open Definition id, address).
_KNOWN = (
    (
        re.compile(r"\bcc[-\s]?by[-\s]?4(\.0)?\b", re.I),
        "CC-BY-4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    (
        re.compile(r"\bcc[-\s]?0\b|\bcc[-\s]?zero\b", re.I),
        "CC0-1.0",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
)


def licence_of(setting: str) -> Licence:
    """The ``licencia`` setting as a Data Package licence (R19 d).

    The default is "Términos de Libre Uso MX" with its official address; a URL written in
    the setting becomes its ``path``; Creative Commons BY 4.0 and CC0 are recognised by
    name; anything else keeps its words as the title and a slug of them as the name.
    """
    title = setting.strip() or DEFAULT_LICENCE
    if title == DEFAULT_LICENCE:
        return Licence("libre-uso-mx", DEFAULT_LICENCE, DEFAULT_LICENCE_PATH)
    url = _URL.search(title)
    for pattern, name, path in _KNOWN:
        if pattern.search(title):
            return Licence(name, title, url[0] if url else path)
    words = _URL.sub("", title).strip(" -–—:()") or title
    return Licence(slugify(words), title, url[0] if url else "")


def json_document(
    data: Dataset,
    rows: Sequence[Row],
    *,
    time_zone: str,
    secretariat: str,
    updated: datetime | None,
    licence: Licence,
) -> dict[str, Any]:
    """The JSON file's content: the dataset's metadata and ``registros`` (see module doc)."""
    kinds = [f.type for f in data.fields]
    records = [
        {
            name: _json_value(value, kind, time_zone)
            for (name, value), kind in zip(_checked(data, row).items(), kinds, strict=True)
        }
        for row in rows
    ]
    return {
        "conjunto": data.name,
        "titulo": data.title,
        "descripcion": data.description,
        "secretariado": secretariat,
        "actualizado": datetime_text(updated, time_zone) if updated else None,
        "licencia": {"nombre": licence.title, "url": licence.path or None},
        "diccionario": "datapackage.json",
        "total_registros": len(records),
        "registros": records,
    }


def to_json(
    data: Dataset,
    rows: Sequence[Row],
    *,
    time_zone: str,
    secretariat: str,
    updated: datetime | None,
    licence: Licence,
) -> str:
    """:func:`json_document` as UTF-8 JSON text (accents as they are, not ``\\u`` escapes)."""
    document = json_document(
        data,
        rows,
        time_zone=time_zone,
        secretariat=secretariat,
        updated=updated,
        licence=licence,
    )
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


# -- the Data Package ------------------------------------------------------------------


def latest(moments: Iterable[datetime | None]) -> datetime | None:
    """The update date: the latest of the facts' moments (``None`` when there is none)."""
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def datapackage(
    *,
    slug: str,
    secretariat: str,
    licence: Licence,
    updated: datetime | None,
    time_zone: str,
    homepage: str = "",
    chain_head: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The Frictionless Data Package describing every dataset (``datapackage.json``).

    Resources point at the CSV files next to it (``sesiones.csv``…), so the package
    validates from a folder of downloads as from the site. ``last_modified`` is the update
    date (ISO 8601 with the secretariat's offset), omitted while there are no facts.
    """
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": f"{slug}-datos-abiertos",
        "title": (
            f"Datos abiertos del Secretariado Técnico Municipal de Gobierno Abierto de "
            f"{secretariat}"
        ),
        "description": (
            "Registro público del Secretariado: sesiones, asistencia y votaciones por "
            "asiento, acuerdos, compromisos y hitos del plan de acción, actas con su huella "
            "SHA-256 y el buzón ciudadano (solo categoría, fechas y estado)."
        ),
        "licenses": [licence.descriptor()],
        "keywords": ["gobierno abierto", "datos abiertos", secretariat],
        "contributors": [
            {"title": f"Secretariado Técnico Municipal de {secretariat}", "role": "publisher"}
        ],
    }
    if homepage:
        package["homepage"] = homepage
    if updated is not None:
        package["last_modified"] = datetime_text(updated, time_zone)
    if chain_head is not None:  # issue 15: the hash chain's head, published with the data
        package["cadena"] = dict(chain_head)
    package["resources"] = [
        {
            "profile": "tabular-data-resource",
            "name": data.name,
            "path": f"{data.name}.csv",
            "title": data.title,
            "description": data.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": data.schema(),
        }
        for data in DATASETS
    ]
    return package
