"""Open data's schemas, CSV, JSON and Data Package (R19 d), and the schema as the R21 guard."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import frictionless
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import open_data as od
from domain.microsite import DEFAULT_LICENCE

TZ = "America/Mexico_City"
DEFAULT = od.licence_of(DEFAULT_LICENCE)


def _value(field: od.Field, text: str) -> object:
    """A CSV cell back to the Python value a service gives."""
    return {
        od.FieldType.STRING: str,
        od.FieldType.INTEGER: int,
        od.FieldType.NUMBER: float,
        od.FieldType.BOOLEAN: lambda t: {"true": True, "false": False}[t],
        od.FieldType.DATE: date.fromisoformat,
        od.FieldType.DATETIME: datetime.fromisoformat,
    }[field.type](text)


def example_row(data: od.Dataset) -> dict[str, object]:
    """One row made of the dictionary's examples."""
    return {f.name: _value(f, f.example) for f in data.fields}


def test_the_eight_datasets_of_r19() -> None:
    assert [d.name for d in od.DATASETS] == [
        "sesiones",
        "asistencia",
        "votaciones",
        "acuerdos",
        "compromisos",
        "hitos",
        "actas",
        "buzon",
        "cadena",  # issue 15: the hash chain of recorded acts
    ]
    assert od.dataset("votaciones") is od.VOTACIONES
    assert od.dataset("datapackage") is None
    assert od.dataset("../sesiones") is None


@pytest.mark.parametrize("data", od.DATASETS, ids=lambda d: d.name)
def test_every_schema_is_complete_and_consistent(data: od.Dataset) -> None:
    names = data.field_names
    assert len(set(names)) == len(names)
    assert data.title
    assert data.description.endswith(".")
    for field in data.fields:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", field.name), field.name
        assert field.description.endswith("."), field.name  # the dictionary reads as text
        assert field.example, field.name
        _value(field, field.example)  # the example is of its type…
        if field.enum:
            assert field.example in field.enum  # …and one of its values
    for key in data.primary_key:
        assert key in names
    for fk in data.foreign_keys:
        assert set(fk.fields) <= set(names)
        target = od.dataset(fk.resource)
        assert target is not None
        assert tuple(fk.reference) == target.primary_key


def test_buzon_has_only_category_form_dates_and_status() -> None:
    """R21: never the text, the name, the sector or the contact of who wrote."""
    assert od.BUZON.field_names == (
        "formulario",
        "categoria",
        "recibido_el",
        "estado",
        "atendido_el",
    )


def test_no_dataset_has_a_field_for_r21s_never_published_list() -> None:
    forbidden = re.compile(r"telegram|usuario|username|telefono|correo|email|contacto|chat")
    for data in od.DATASETS:
        for name in data.field_names:
            assert not forbidden.search(name), (data.name, name)


@pytest.mark.parametrize(
    ("moment", "zone", "text"),
    [
        (datetime(2026, 12, 7, 16, 5, tzinfo=UTC), TZ, "2026-12-07T10:05:00-06:00"),
        (datetime(2026, 12, 8, 5, 59, 59, 999999, tzinfo=UTC), TZ, "2026-12-07T23:59:59-06:00"),
        (datetime(2026, 12, 7, 16, 5, tzinfo=UTC), "UTC", "2026-12-07T16:05:00+00:00"),
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "America/Tijuana", "2026-07-01T05:00:00-07:00"),
        (
            datetime(2026, 12, 7, 10, 5, tzinfo=timezone(timedelta(hours=-6))),
            "America/Cancun",
            "2026-12-07T11:05:00-05:00",
        ),
    ],
)
def test_moments_are_iso_8601_local_with_offset_and_seconds(
    moment: datetime, zone: str, text: str
) -> None:
    assert od.datetime_text(moment, zone) == text
    assert text[16] == ":"
    assert len(text) >= 19


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        od.datetime_text(datetime(2026, 12, 7, 10, 5), TZ)  # noqa: DTZ001


def test_csv_cells_table() -> None:
    rows = [
        {
            "formulario": "buzon",
            "categoria": "queja",
            "recibido_el": date(2026, 12, 1),
            "estado": "atendido",
            "atendido_el": date(2026, 12, 3),
        },
        {
            "formulario": "participa",
            "categoria": "participa",
            "recibido_el": date(2026, 12, 2),
            "estado": "recibido",
            "atendido_el": None,
        },
    ]
    assert od.to_csv(od.BUZON, rows, time_zone=TZ) == (
        "formulario,categoria,recibido_el,estado,atendido_el\r\n"
        "buzon,queja,2026-12-01,atendido,2026-12-03\r\n"
        "participa,participa,2026-12-02,recibido,\r\n"
    )
    assert od.to_csv(od.BUZON, [], time_zone=TZ) == (
        "formulario,categoria,recibido_el,estado,atendido_el\r\n"
    )


def test_csv_of_every_type() -> None:
    row = example_row(od.COMPROMISOS) | {"apoyos": 'Academia, "ONG", y\nvecinos', "avance": 50.0}
    text = od.to_csv(od.COMPROMISOS, [row], time_zone=TZ)
    (back,) = od.read_csv(text)
    assert back["numero"] == "1"
    assert back["nivel_manual"] == "false"
    assert back["avance"] == "50.0"
    assert back["inicio"] == "2027-01-01"
    assert back["registrado_en"] == "2026-12-01T09:00:00-06:00"
    assert back["apoyos"] == 'Academia, "ONG", y\nvecinos'
    assert '"Academia, ""ONG"", y\nvecinos"' in text  # RFC 4180 quoting
    assert not text.startswith("\ufeff")  # no BOM: the header's first name stays clean


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"texto": "Hola, soy Ana"}, "fields differ"),  # R21: the inbox text never goes out
        ({"contacto": "ana@example.com"}, "fields differ"),
        ({"categoria": "otra"}, "not in"),
        ({"recibido_el": None}, "required"),
        ({"recibido_el": datetime(2026, 12, 1, tzinfo=UTC)}, "is not a date"),
        ({"estado": 1}, "is not a string"),
    ],
)
def test_rows_that_are_not_the_schema_are_refused(change: dict[str, Any], message: str) -> None:
    row = example_row(od.BUZON) | change
    with pytest.raises(ValueError, match=message):
        od.to_csv(od.BUZON, [row], time_zone=TZ)
    with pytest.raises(ValueError, match=message):
        od.to_json(
            od.BUZON, [row], time_zone=TZ, secretariat="Zamora", updated=None, licence=DEFAULT
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("numero", True),  # a boolean is not an integer
        ("numero", "1"),
        ("inicio", datetime(2026, 12, 7, 10, 0)),  # noqa: DTZ001  naive
        ("dia_inhabil", 0),
        ("fecha", datetime(2026, 12, 7, tzinfo=UTC)),  # a moment is not a date
    ],
)
def test_values_of_another_type_are_refused(field: str, value: object) -> None:
    row = example_row(od.SESIONES) | {field: value}
    with pytest.raises(ValueError, match=field):
        od.to_csv(od.SESIONES, [row], time_zone=TZ)


def test_fields_out_of_order_are_refused() -> None:
    row = dict(reversed(list(example_row(od.BUZON).items())))
    with pytest.raises(ValueError, match="fields differ"):
        od.to_csv(od.BUZON, [row], time_zone=TZ)


def test_json_document_keeps_json_types_and_the_metadata() -> None:
    row = example_row(od.VOTACIONES) | {"sesion": None, "emitido_en": None, "voto": "sin_voto"}
    updated = datetime(2026, 12, 9, 23, 20, tzinfo=UTC)
    document = json.loads(
        od.to_json(
            od.VOTACIONES,
            [row],
            time_zone=TZ,
            secretariat="Zamora",
            updated=updated,
            licence=DEFAULT,
        )
    )
    assert document["conjunto"] == "votaciones"
    assert document["secretariado"] == "Zamora"
    assert document["actualizado"] == "2026-12-09T17:20:00-06:00"
    assert document["licencia"] == {
        "nombre": "Términos de Libre Uso MX",
        "url": "https://datos.gob.mx/libreusomx",
    }
    assert document["total_registros"] == 1
    (record,) = document["registros"]
    assert list(record) == list(od.VOTACIONES.field_names)
    assert record["votacion"] == 2
    assert record["sesion"] is None
    assert record["cerrada_en"] == "2026-12-07T10:40:00-06:00"
    assert record["votante"] == "José de Jesús Michel Sahagún"


def test_json_text_keeps_accents() -> None:
    text = od.to_json(
        od.BUZON, [], time_zone=TZ, secretariat="Zamora", updated=None, licence=DEFAULT
    )
    assert "Buzón ciudadano" in text
    assert json.loads(text)["actualizado"] is None


@pytest.mark.parametrize(
    ("setting", "name", "path"),
    [
        (DEFAULT_LICENCE, "libre-uso-mx", "https://datos.gob.mx/libreusomx"),
        ("", "libre-uso-mx", "https://datos.gob.mx/libreusomx"),
        ("CC BY 4.0", "CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
        (
            "Creative Commons CC-BY-4.0",
            "CC-BY-4.0",
            "https://creativecommons.org/licenses/by/4.0/",
        ),
        ("CC0", "CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
        (
            "Licencia municipal https://zamora.gob.mx/licencia",
            "licencia-municipal",
            "https://zamora.gob.mx/licencia",
        ),
        ("Dominio público", "dominio-publico", ""),
    ],
)
def test_licence_of_the_setting(setting: str, name: str, path: str) -> None:
    licence = od.licence_of(setting)
    assert (licence.name, licence.path) == (name, path)
    assert licence.title == (setting or DEFAULT_LICENCE)
    assert ("path" in licence.descriptor()) == bool(path)


def test_latest_is_the_update_date() -> None:
    a = datetime(2026, 12, 7, 16, tzinfo=UTC)
    b = datetime(2026, 12, 9, 9, tzinfo=UTC)
    assert od.latest([None, a, b, None]) == b
    assert od.latest([None]) is None
    assert od.latest([]) is None


def test_datapackage_descriptor() -> None:
    updated = datetime(2026, 12, 9, 23, 20, tzinfo=UTC)
    package = od.datapackage(
        slug="zamora",
        secretariat="Zamora",
        licence=DEFAULT,
        updated=updated,
        time_zone=TZ,
        homepage="https://stm.example.mx/zamora/datos",
    )
    assert package["profile"] == "tabular-data-package"
    assert package["name"] == "zamora-datos-abiertos"
    assert "Zamora" in package["title"]
    assert package["licenses"] == [
        {
            "name": "libre-uso-mx",
            "title": "Términos de Libre Uso MX",
            "path": "https://datos.gob.mx/libreusomx",
        }
    ]
    assert package["last_modified"] == "2026-12-09T17:20:00-06:00"
    assert package["homepage"] == "https://stm.example.mx/zamora/datos"
    resources = package["resources"]
    assert [r["path"] for r in resources] == [f"{d.name}.csv" for d in od.DATASETS]
    for resource, data in zip(resources, od.DATASETS, strict=True):
        assert resource["format"] == "csv"
        assert resource["mediatype"] == "text/csv"
        assert resource["encoding"] == "utf-8"
        assert [f["name"] for f in resource["schema"]["fields"]] == list(data.field_names)
        assert resource["schema"].get("primaryKey", []) == list(data.primary_key)
    votes = resources[2]["schema"]
    assert votes["primaryKey"] == ["votacion", "asiento_clave"]
    assert votes["foreignKeys"] == [
        {"fields": ["sesion"], "reference": {"resource": "sesiones", "fields": ["numero"]}}
    ]
    voto = next(f for f in votes["fields"] if f["name"] == "voto")
    assert voto == {
        "name": "voto",
        "type": "string",
        "format": "default",
        "description": "Voto que contó para el asiento; sin_voto si podía votar y no votó.",
        "example": "a_favor",
        "constraints": {"enum": ["a_favor", "en_contra", "abstencion", "sin_voto"]},
    }
    bare = od.datapackage(
        slug="zamora", secretariat="Zamora", licence=DEFAULT, updated=None, time_zone=TZ
    )
    assert "last_modified" not in bare
    assert "homepage" not in bare


def _write_package(folder: Path, tables: dict[str, list[dict[str, object]]]) -> Path:
    for data in od.DATASETS:
        text = od.to_csv(data, tables.get(data.name, []), time_zone=TZ)
        (folder / f"{data.name}.csv").write_text(text, encoding="utf-8", newline="")
    package = od.datapackage(
        slug="zamora",
        secretariat="Zamora",
        licence=DEFAULT,
        updated=datetime(2026, 12, 9, tzinfo=UTC),
        time_zone=TZ,
    )
    path = folder / "datapackage.json"
    path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_examples_make_a_valid_frictionless_package(tmp_path: Path) -> None:
    """The dictionary's examples are valid values, the keys hold, the dates parse."""
    tables = {d.name: [example_row(d)] for d in od.DATASETS}
    report = frictionless.validate(str(_write_package(tmp_path, tables)))
    assert report.valid, report.flatten(["type", "note"])


def test_frictionless_catches_a_broken_foreign_key(tmp_path: Path) -> None:
    """The package's keys are checked by the validator, not only declared."""
    tables = {d.name: [example_row(d)] for d in od.DATASETS}
    tables["asistencia"][0]["sesion"] = 99
    report = frictionless.validate(str(_write_package(tmp_path, tables)))
    assert not report.valid
    assert [e[0] for e in report.flatten(["type"])] == ["foreign-key"]


# A dataset of three free texts, for the round-trip property (schemas of the real ones
# constrain their values with enums).
_FREE = od.Dataset(
    "prueba",
    "Prueba",
    "Textos libres.",
    tuple(od.Field(n, od.FieldType.STRING, "Texto.", "x") for n in ("a", "b", "c")),
)
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(st.lists(st.tuples(_TEXT, _TEXT, _TEXT), max_size=6))
def test_csv_round_trips_any_text(rows: list[tuple[str, str, str]]) -> None:
    """Commas, quotes, line breaks (``\\n``, ``\\r``, ``\\r\\n``), accents and emoji survive."""
    dicts = [dict(zip("abc", row, strict=True)) for row in rows]
    text = od.to_csv(_FREE, dicts, time_zone=TZ)
    assert od.read_csv(text) == dicts
    text.encode("utf-8")  # always encodable as UTF-8


@given(st.lists(st.tuples(_TEXT, _TEXT, _TEXT), max_size=6))
def test_json_round_trips_any_text(rows: list[tuple[str, str, str]]) -> None:
    dicts = [dict(zip("abc", row, strict=True)) for row in rows]
    text = od.to_json(_FREE, dicts, time_zone=TZ, secretariat="Z", updated=None, licence=DEFAULT)
    assert json.loads(text)["registros"] == dicts


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    st.sampled_from([TZ, "America/Tijuana", "America/Cancun", "UTC"]),
)
def test_a_moment_text_is_the_same_moment_to_the_second(moment: datetime, zone: str) -> None:
    back = datetime.fromisoformat(od.datetime_text(moment, zone))
    assert back == moment.replace(microsecond=0)
    assert back.utcoffset() is not None
