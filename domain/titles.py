"""Session titles: sessions are numbered per year and kind, in Spanish (R6).

"Primera Sesión Ordinaria 2026", "Segunda Sesión Extraordinaria 2026". Ordinals are
feminine because they agree with "sesión".

Compound ordinals use the composed form throughout, "Décima Primera" and "Décima
Segunda" rather than the traditional "Undécima" and "Duodécima": the RAE accepts both,
the composed form is what Mexican municipal minutes commonly write, and one rule for all
numbers reads predictably from 11 to 999 ("Vigésima Primera", "Centésima Décima
Primera"). Each word keeps its capital and its accent, as in a title.
"""

from __future__ import annotations

from domain.notice import SessionKind

MAX_ORDINAL = 999

_UNITS = (
    "",
    "Primera",
    "Segunda",
    "Tercera",
    "Cuarta",
    "Quinta",
    "Sexta",
    "Séptima",
    "Octava",
    "Novena",
)
_TENS = (
    "",
    "Décima",
    "Vigésima",
    "Trigésima",
    "Cuadragésima",
    "Quincuagésima",
    "Sexagésima",
    "Septuagésima",
    "Octogésima",
    "Nonagésima",
)
_HUNDREDS = (
    "",
    "Centésima",
    "Ducentésima",
    "Tricentésima",
    "Cuadringentésima",
    "Quingentésima",
    "Sexcentésima",
    "Septingentésima",
    "Octingentésima",
    "Noningentésima",
)


def ordinal_feminine(n: int) -> str:
    """The feminine Spanish ordinal of ``n`` in title case: 1 "Primera", 11 "Décima Primera".

    Raises:
        ValueError: when ``n`` is outside ``1..MAX_ORDINAL``; no secretariat holds a
            thousand sessions of one kind in a year, so a larger number is a bug.
    """
    if not 1 <= n <= MAX_ORDINAL:
        raise ValueError(f"ordinal must be in 1..{MAX_ORDINAL}, got {n}")
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words = (_HUNDREDS[hundreds], _TENS[tens], _UNITS[units])
    return " ".join(word for word in words if word)


def session_title(kind: SessionKind, ordinal: int, year: int) -> str:
    """The session's title, e.g. "Primera Sesión Ordinaria 2026" (numbered per year and kind).

    Raises:
        ValueError: when ``ordinal`` is outside ``1..MAX_ORDINAL``.
    """
    return f"{ordinal_feminine(ordinal)} Sesión {kind.value.capitalize()} {year}"
