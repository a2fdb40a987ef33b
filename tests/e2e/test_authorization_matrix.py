"""Every command x every role and a stranger, in private and in the group, end to end.

The expectations are written out from commands.md here, not derived from
``domain.roles``, so that a wrong matrix in the code cannot also be the test's oracle.
"""

from __future__ import annotations

import pytest

from tests.harness import ADMIN_ID, Harness, bind, setup_zamora, token_in

ROLES = ("admin", "facilitador", "titular", "suplente", "observador", "extraño")
MEMBERS = {"facilitador", "titular", "suplente", "observador"}
EVERYONE = set(ROLES)

# command -> (sample arguments, who may use it, where: "private" | "group" | "any")
CONTRACT: dict[str, tuple[str, set[str], str]] = {
    "start": ("", EVERYONE, "private"),
    "ayuda": ("", EVERYONE, "any"),
    "privacidad": ("", EVERYONE, "any"),
    "nuevo_stm": ("Municipio {n}", {"admin"}, "private"),
    "vincular": ("", {"facilitador"}, "group"),
    "asiento": ("clave{n} Sector {n}", {"facilitador"}, "private"),
    "alta": ("observador Persona {n}", {"facilitador"}, "private"),
    "importar": ("", {"facilitador"}, "private"),
    "invitar": ("99", {"facilitador"}, "private"),
    "baja": ("99", {"facilitador"}, "private"),
    "integrantes": ("", MEMBERS, "any"),
    "ajustes": ("", MEMBERS, "any"),
    "ajustar": ("hora_recordatorios 09:00", {"facilitador"}, "private"),
    "convocar": ("ordinaria 2027-01-20 10:00 Sala\nPunto {n}", {"facilitador"}, "any"),
    "inhabil": ("2027-03-0{n} Acuerdo {n}", {"facilitador"}, "private"),
    "inhabiles": ("", MEMBERS, "any"),
    "cancelar_convocatoria": ("", {"facilitador"}, "private"),
    "votar": ("Propuesta {n}", {"facilitador"}, "any"),
    "cancelar": ("9 Motivo {n}", {"facilitador"}, "any"),
    "cerrar": ("", {"facilitador"}, "any"),
    "votaciones": ("", MEMBERS, "any"),
    "habil": ("2027-03-09", {"facilitador"}, "private"),
    "sesiones": ("", MEMBERS, "any"),
    "quorum": ("", MEMBERS, "any"),
    "iniciar": ("", {"facilitador"}, "any"),
    "presente": ("2", {"facilitador"}, "any"),
    "instalar": ("", {"facilitador"}, "any"),
    "concluir": ("", {"facilitador"}, "any"),
    "pendientes": ("", MEMBERS, "private"),
    "recordatorios": ("", MEMBERS, "any"),
    "actas": ("", MEMBERS, "any"),
    "acta_enviada": ("99 Oficio {n}", {"facilitador"}, "private"),
    # R14, R15: the minutes
    "nota": ("1 Nota {n}", {"facilitador"}, "any"),
    "acta": ("99", {"facilitador"}, "private"),
    "firmas": ("99", MEMBERS, "any"),
    "acta_firmada": ("99", MEMBERS, "any"),
    "verificar": ("", EVERYONE, "private"),
    # R16: the register of agreements
    "acuerdo": ("Acuerdo {n}", {"facilitador"}, "any"),
    "responsable": ("ACU-2026-099 academia", {"facilitador"}, "any"),
    "plazo": ("ACU-2026-099 2027-01-29", {"facilitador"}, "any"),
    "seguimiento": ("ACU-2026-099 cumplido", {"facilitador", "titular", "suplente"}, "any"),
    "acuerdos": ("", MEMBERS, "any"),
    "propuesta": ("Propuesta {n}", {"titular", "suplente"}, "private"),  # R17
    "propuestas": ("", MEMBERS, "any"),
    "remocion": ("99 Motivo {n}", {"titular", "suplente"}, "private"),  # R4
    "remociones": ("", MEMBERS, "any"),
    # R16a: the action plan
    "compromiso": ("Compromiso {n}", {"facilitador"}, "private"),
    "hito": ("C-99 2027-01-31 Hito {n}", {"facilitador"}, "private"),
    "avance": ("C-99.1 hecho", {"facilitador", "titular", "suplente"}, "any"),
    "nivel": ("C-99 auto", {"facilitador"}, "private"),
    "compromisos": ("", MEMBERS, "any"),
    "reporte": ("2099-01", {"facilitador"}, "private"),
    "informe": ("", {"facilitador"}, "private"),  # R5
    "entrega": ("", {"facilitador"}, "private"),  # R5, I.6
    "comunicado": ("Comunicado {n}", {"facilitador"}, "private"),  # R18
    # R19: session evidence (a file's caption, or a reply) and the microsite's address
    "evidencia": ("99 Foto {n}", {"facilitador"}, "private"),
    "micrositio": ("", MEMBERS, "any"),
    # R6, R15, R16: the garante seat's titular or substitute only; the cast's titular and
    # substitute sit on gobierno, so nobody here may (tests/e2e/test_compliance.py: who may)
    "cumplimiento": ("", set(), "private"),
}

ACCESS_REFUSALS = (
    "solo lo puede usar",
    "no encuentro tu cuenta",
    "Solo las personas que administran",
    "se usa en el chat privado",
    "se usa dentro del grupo",
)


async def _cast(harness: Harness) -> tuple[dict[str, int], int]:
    z = await setup_zamora(harness)
    cast = {"admin": ADMIN_ID, "facilitador": z.facilitator, "titular": z.titulars["gobierno"]}
    for role, uid, text in (
        ("suplente", 3001, "/alta suplente gobierno Sara Suplente"),
        ("observador", 3002, "/alta observador Omar Observador"),
    ):
        harness.fake.add_user(uid, role.title())
        assert "Listo" in await bind(
            harness, uid, token_in(await harness.say(z.facilitator, text))
        )
        cast[role] = uid
    harness.fake.add_user(7777, "Extraño")
    cast["extraño"] = 7777
    return cast, z.group


# Consecutive commands share one harness: a secretariat cast for each command made this
# file a quarter of the suite's time. The group is not rate-limited in the harness, and
# none of the sample commands changes who holds which role, so a command's answer does
# not depend on the ones run before it in its batch.
BATCH = 10
BATCHES = [list(CONTRACT)[i : i + BATCH] for i in range(0, len(CONTRACT), BATCH)]


@pytest.mark.parametrize("commands", BATCHES, ids=lambda batch: f"{batch[0]}..{batch[-1]}")
@pytest.mark.parametrize("chat", ["private", "group"])
async def test_every_role_for_every_command(
    harness: Harness, chat: str, commands: list[str]
) -> None:
    cast, group = await _cast(harness)
    mismatches = []
    for command in commands:
        args, allowed, where = CONTRACT[command]
        for n, role in enumerate(ROLES):
            text = f"/{command} {args.format(n=n)}".strip()
            answer = await harness.say(
                cast[role], text, chat_id=None if chat == "private" else group
            )
            expected = role in allowed and where in ("any", chat)
            granted = not any(marker in answer for marker in ACCESS_REFUSALS)
            if granted != expected:
                mismatches.append((command, role, answer[:80]))
    assert mismatches == []
