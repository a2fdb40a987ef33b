"""Settings defaults (rules.md) and ``/ajustar`` validation."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidSettingValue, InvalidTerm, UnknownSetting
from domain.minutes import Signatories
from domain.quorum import QuorumBase, QuorumRule
from domain.secretariat_settings import (
    SETTINGS,
    MinutesDeadline,
    NonBusinessSessions,
    SecretariatSettings,
    change,
    describe,
)

DEFAULTS = SecretariatSettings()


def test_defaults_are_those_of_the_rules() -> None:
    assert DEFAULTS.time_zone == "America/Mexico_City"  # R8
    assert DEFAULTS.quorum_rule is QuorumRule.MAYORIA  # R9
    assert DEFAULTS.quorum_base is QuorumBase.ASIENTOS  # R9
    assert (DEFAULTS.notice_ordinary, DEFAULTS.notice_extraordinary) == (5, 2)  # R7
    assert DEFAULTS.non_business_sessions is NonBusinessSessions.CONFIRMAR  # R7
    assert DEFAULTS.garante_name == "Organismo garante local"  # R1, never "IMAIP"
    assert DEFAULTS.garante_email == ""
    assert DEFAULTS.minutes_deadline is MinutesDeadline.MISMO_MES  # R15
    assert DEFAULTS.reminder_time == time(9, 0)  # R22
    assert DEFAULTS.term_start is None
    assert DEFAULTS.term_end is None
    assert DEFAULTS.state == "Michoacán"  # the founding act is Zamora, Michoacán's


def test_keys_are_the_contract_keys() -> None:
    assert list(SETTINGS) == [
        "zona_horaria",
        "quorum",
        "quorum_base",
        "aviso_ordinaria",
        "aviso_extraordinaria",
        "sesion_en_inhabil",
        "garante_nombre",
        "garante_correo",
        "plazo_acta",
        "hora_recordatorios",
        "periodo_inicio",
        "periodo_fin",
        "recordar_asistencia",
        "recordar_sesion",
        "recordar_quorum",
        "recordar_mensual",
        "recordar_acta",
        "acta_vencida_cada",
        "recordar_votacion",
        "recordar_cancelacion",
        "firmantes_acta",
        "recordar_firma",
        "recordar_acuerdo",
        "canal_publico",
        "contacto",
        "enlaces",
        "licencia",
        "estado",  # R1, R19: the entidad federativa of the compliance pages
    ]


@pytest.mark.parametrize(
    ("key", "raw", "attribute", "value"),
    [
        ("zona_horaria", "America/Tijuana", "time_zone", "America/Tijuana"),
        ("quorum", "estricto", "quorum_rule", QuorumRule.ESTRICTO),
        ("QUORUM", "Estricto", "quorum_rule", QuorumRule.ESTRICTO),
        ("quorum_base", "ocupados", "quorum_base", QuorumBase.OCUPADOS),
        ("firmantes_acta", "todos", "minutes_signatories", Signatories.TODOS),  # R14
        ("recordar_firma", "3d, 1d", "remind_signature", "3d,1d"),  # R22: after circulation
        ("aviso_ordinaria", "7", "notice_ordinary", 7),
        ("aviso_extraordinaria", "2", "notice_extraordinary", 2),
        ("sesion_en_inhabil", "no", "non_business_sessions", NonBusinessSessions.NO),
        (
            "garante_nombre",
            "  Secretaría   de Contraloría ",
            "garante_name",
            "Secretaría de Contraloría",
        ),
        (
            "garante_correo",
            "transparencia@michoacan.gob.mx",
            "garante_email",
            "transparencia@michoacan.gob.mx",
        ),
        ("garante_correo", "-", "garante_email", ""),
        ("plazo_acta", "mes_siguiente", "minutes_deadline", MinutesDeadline.MES_SIGUIENTE),
        ("hora_recordatorios", "08:30", "reminder_time", time(8, 30)),
        ("periodo_inicio", "2024-09-01", "term_start", date(2024, 9, 1)),
        ("periodo_fin", "2027-08-31", "term_end", date(2027, 8, 31)),
        ("periodo_fin", "-", "term_end", None),
        ("canal_publico", "@stm_zamora", "public_channel", "@stm_zamora"),  # R18
        ("canal_publico", "https://t.me/stm_zamora", "public_channel", "@stm_zamora"),
        ("canal_publico", "-1001234567890", "public_channel", "-1001234567890"),
        ("canal_publico", "-", "public_channel", ""),
        # R19 (c, e, d): the microsite's contact, links and the open data's licence
        (
            "contacto",
            "Oficina del STM | Tel. 351 000 0000",
            "contact",
            "Oficina del STM\nTel. 351 000 0000",
        ),
        ("contacto", "-", "contact", ""),
        (
            "enlaces",
            "Portal | https://zamora.gob.mx; https://ogp.org",
            "links",
            "Portal | https://zamora.gob.mx\nhttps://ogp.org | https://ogp.org",
        ),
        ("enlaces", "-", "links", ""),
        ("licencia", "CC BY 4.0", "licence", "CC BY 4.0"),
        ("licencia", "-", "licence", "Términos de Libre Uso MX"),
        # the entidad federativa: with or without accents, any case, short or long name
        ("estado", "jalisco", "state", "Jalisco"),
        ("estado", "CIUDAD DE MEXICO", "state", "Ciudad de México"),
        ("estado", "Michoacán de Ocampo", "state", "Michoacán"),
        ("estado", "nuevo leon", "state", "Nuevo León"),
    ],
)
def test_valid_changes(key: str, raw: str, attribute: str, value: object) -> None:
    assert getattr(change(DEFAULTS, key, raw), attribute) == value


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("zona_horaria", "Mexico/Zamora"),
        ("quorum", "unanimidad"),
        ("quorum_base", "todos"),
        ("aviso_ordinaria", "4"),  # R7: never fewer than the act's 5
        ("aviso_extraordinaria", "1"),  # R7: never fewer than 2
        ("aviso_ordinaria", "31"),
        ("aviso_ordinaria", "cinco"),
        ("aviso_ordinaria", "-5"),
        ("sesion_en_inhabil", "quizas"),
        ("garante_nombre", "x" * 201),
        ("garante_correo", "no-es-correo"),
        ("garante_correo", "<a@b.mx>"),
        ("plazo_acta", "nunca"),
        ("hora_recordatorios", "9:00"),
        ("hora_recordatorios", "24:00"),
        ("periodo_inicio", "2024-02-30"),
        ("periodo_inicio", "01/09/2024"),
        ("canal_publico", "stm_zamora"),  # R18: @canal, a t.me link or a chat id
        ("canal_publico", "@a b"),
        ("canal_publico", "@_canal"),
        ("canal_publico", "-00123"),
        ("canal_publico", "-99999999999999999999"),
        ("canal_publico", "@٣canal"),
        ("contacto", "x" * 1001),
        ("contacto", " | "),
        ("enlaces", "Malo | javascript:alert(1)"),
        ("enlaces", "Sin esquema | zamora.gob.mx"),
        ("enlaces", 'Comillas | https://a.mx/"onmouseover=x'),
        ("enlaces", "; ".join(f"E{i} | https://e{i}.mx" for i in range(21))),
        ("licencia", "x" * 201),
        ("estado", "Texas"),  # one of the 32 entidades federativas
        ("estado", "Zamora"),  # a municipality is not a state
        ("estado", "-"),
    ],
)
def test_invalid_values_name_the_valid_ones(key: str, raw: str) -> None:
    with pytest.raises(InvalidSettingValue) as refused:
        change(DEFAULTS, key, raw)
    assert refused.value.key == key.lower()
    assert refused.value.expected


def test_unknown_key_lists_the_valid_keys() -> None:
    with pytest.raises(UnknownSetting) as refused:
        change(DEFAULTS, "imaip", "x")
    assert refused.value.valid == list(SETTINGS)


def test_term_start_must_precede_end() -> None:
    with_end = change(DEFAULTS, "periodo_fin", "2024-08-31")
    with pytest.raises(InvalidTerm):
        change(with_end, "periodo_inicio", "2024-09-01")


@given(st.integers(min_value=0, max_value=99))
def test_notice_never_below_the_act(days: int) -> None:
    """R7 as a property: any accepted value is >= the act's minimum and <= 30."""
    for key, minimum in (("aviso_ordinaria", 5), ("aviso_extraordinaria", 2)):
        try:
            updated = change(DEFAULTS, key, str(days))
        except InvalidSettingValue:
            assert days < minimum or days > 30
        else:
            value = (
                updated.notice_ordinary
                if key == "aviso_ordinaria"
                else updated.notice_extraordinary
            )
            assert minimum <= value <= 30
            assert value == days


def test_describe_shows_every_setting() -> None:
    rows = describe(DEFAULTS)
    assert [spec.key for spec, _ in rows] == list(SETTINGS)
    shown = dict((spec.key, value) for spec, value in rows)
    assert shown["hora_recordatorios"] == "09:00"
    assert shown["periodo_inicio"] == "sin definir"
    assert shown["quorum"] == "mayoria"
