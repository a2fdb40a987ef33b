"""Who is who in the demo's secretariat: invented people, in the founding act's style.

The names are made up (the act's own members are real people); seats are the act's five
(R1). Telegram ids are the fake's own and never leave the demo: the page names personas
by ``key`` only (R21).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["admin", "facilitador", "titular", "suplente", "observador", "grupo"]

#: The fake bot's username: invitation links read ``https://t.me/stm_demo_bot?start=…``.
BOT_USERNAME = "stm_demo_bot"
BOT_NAME = "STM Zamora (demostración)"
MUNICIPALITY = "Zamora"
GROUP_TITLE = "STM Zamora — grupo oficial"


@dataclass(frozen=True)
class Persona:
    """Someone (or the group) the visitor can play; ``chat_id`` is the fake's chat."""

    key: str
    kind: Kind
    first_name: str
    last_name: str
    label: str
    chat_id: int
    seat: str | None = None

    @property
    def name(self) -> str:
        """The full name as the roster shows it."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_group(self) -> bool:
        """The group chat is played by choosing who writes in it."""
        return self.kind == "grupo"


ADMIN = Persona("admin", "admin", "Operación", "del sistema", "Administración (BOT_ADMINS)", 9001)
FACILITATOR = Persona(
    "facilitador", "facilitador", "Mariana Guadalupe", "Ortiz Ceja", "Facilitadora", 2001
)
TITULARS = (
    Persona(
        "gobierno",
        "titular",
        "Héctor Manuel",
        "Ramírez Chávez",
        "Titular · Gobierno",
        2101,
        "gobierno",
    ),
    Persona(
        "garante",
        "titular",
        "Rosa Elena",
        "Villaseñor Paz",
        "Titular · Organismo garante",
        2102,
        "garante",
    ),
    Persona(
        "sociedad_civil",
        "titular",
        "Juan Pablo",
        "Magaña Orozco",
        "Titular · Sociedad civil",
        2103,
        "sociedad_civil",
    ),
    Persona(
        "academia",
        "titular",
        "Laura Patricia",
        "Mendoza Rico",
        "Titular · Academia",
        2104,
        "academia",
    ),
    Persona(
        "ciudadania",
        "titular",
        "Ricardo Alonso",
        "Torres Barajas",
        "Titular · Ciudadanía",
        2105,
        "ciudadania",
    ),
)
SUBSTITUTE = Persona(
    "suplente_academia",
    "suplente",
    "Diana Isabel",
    "Cervantes Ávila",
    "Suplente · Academia",
    2201,
    "academia",
)
OBSERVER = Persona(
    "observador", "observador", "Óscar Iván", "Pulido Ruiz", "Observador social", 2301
)
GROUP = Persona("grupo", "grupo", GROUP_TITLE, "", "Grupo oficial", -1002000000001)

#: In the switcher's order: the facilitator first (the guide starts there).
PERSONAS: tuple[Persona, ...] = (FACILITATOR, *TITULARS, SUBSTITUTE, OBSERVER, GROUP, ADMIN)
BY_KEY: dict[str, Persona] = {p.key: p for p in PERSONAS}
#: Who may write or press in the group: the secretariat's people (not the operator).
GROUP_MEMBERS: tuple[Persona, ...] = (FACILITATOR, *TITULARS, SUBSTITUTE, OBSERVER)

#: Seeded session #1: present at the roll call (R9: 4 of 5 seats; academia by its
#: substitute, R3; ciudadanía absent) — so its signatories are these and the facilitator.
PRESENT = (TITULARS[0], TITULARS[1], TITULARS[2], SUBSTITUTE, OBSERVER)
SIGNATORIES = (FACILITATOR, TITULARS[0], TITULARS[1], TITULARS[2], SUBSTITUTE)
