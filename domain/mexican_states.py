"""Mexico's 32 entidades federativas: the per-secretariat setting ``estado`` and the
microsite's compliance pages per state (``/<slug-of-state>/cumplimiento``; R6, R15, R19).

A garante (the state transparency agency, R1) oversees the municipal secretariats of its
own state, so the public compliance pages group secretariats by state. The setting
accepts a state's name as people type it — with or without accents, in any case, its
short name (``Michoacán``) or its constitutional one (``Michoacán de Ocampo``), a few
usual forms (``CDMX``, ``Edomex``) or its address slug — and stores the short name.
The default is ``Michoacán``: the founding act is Zamora, Michoacán's.
"""

from __future__ import annotations

import re
import unicodedata

from domain.microsite import slugify

__all__ = ["DEFAULT_STATE", "STATES", "parse_state", "state_by_slug", "state_slug"]

#: The 32 entidades federativas (art. 43 of the Constitution), by their usual short
#: names, in alphabetical order; each with the other names people type for it.
_STATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Aguascalientes", ()),
    ("Baja California", ()),
    ("Baja California Sur", ()),
    ("Campeche", ()),
    ("Chiapas", ()),
    ("Chihuahua", ()),
    ("Ciudad de México", ("CDMX", "Distrito Federal", "DF")),
    ("Coahuila", ("Coahuila de Zaragoza",)),
    ("Colima", ()),
    ("Durango", ()),
    ("Estado de México", ("México", "Edomex")),
    ("Guanajuato", ()),
    ("Guerrero", ()),
    ("Hidalgo", ()),
    ("Jalisco", ()),
    ("Michoacán", ("Michoacán de Ocampo",)),
    ("Morelos", ()),
    ("Nayarit", ()),
    ("Nuevo León", ()),
    ("Oaxaca", ()),
    ("Puebla", ()),
    ("Querétaro", ("Querétaro de Arteaga",)),
    ("Quintana Roo", ()),
    ("San Luis Potosí", ()),
    ("Sinaloa", ()),
    ("Sonora", ()),
    ("Tabasco", ()),
    ("Tamaulipas", ()),
    ("Tlaxcala", ()),
    ("Veracruz", ("Veracruz de Ignacio de la Llave",)),
    ("Yucatán", ()),
    ("Zacatecas", ()),
)
STATES: tuple[str, ...] = tuple(name for name, _ in _STATES)
DEFAULT_STATE = "Michoacán"


def _fold(text: str) -> str:
    """Lowercase ASCII words separated by one space: accents, case, hyphens and
    underscores do not matter (``"nuevo_LEÓN"`` → ``"nuevo leon"``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.split(r"[\s_\-.]+", ascii_text.lower())).strip()


def state_slug(name: str) -> str:
    """The state's address on the microsite: ``"Ciudad de México"`` → ``"ciudad-de-mexico"``."""
    return slugify(name)


_BY_FOLDED: dict[str, str] = {}
for _name, _aliases in _STATES:
    for _typed in (_name, *_aliases):
        _BY_FOLDED[_fold(_typed)] = _name
_BY_SLUG: dict[str, str] = {state_slug(name): name for name in STATES}

assert len(STATES) == 32, "Mexico has 32 entidades federativas"
assert DEFAULT_STATE in STATES
assert len(_BY_SLUG) == 32, "state slugs are unique"


def parse_state(raw: str) -> str:
    """The state's short name for what was typed, or ``ValueError`` (``/ajustar estado``).

    ``"michoacan"``, ``"MICHOACÁN DE OCAMPO"`` and ``"michoacan"`` all give ``"Michoacán"``.
    """
    name = _BY_FOLDED.get(_fold(raw))
    if name is None:
        raise ValueError(raw)
    return name


def state_by_slug(slug: str) -> str | None:
    """The state whose address is ``slug`` (exactly, as the site writes it), else ``None``."""
    return _BY_SLUG.get(slug)
