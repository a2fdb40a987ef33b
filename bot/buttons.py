"""The one callback_data codec: ``<action>:<int>:<int>…``, always within 64 bytes.

Buttons carry ids, never rights: every press is re-authorized on the server. Anything
that does not decode is a forged or outdated payload and is answered as stale.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from domain.errors import StaleButton
from domain.numbers import ascii_number
from domain.roles import Membership


class Action(StrEnum):
    """Button kinds, 1–4 letters each."""

    PICK = "p"  # p:<choice id>:<secretariat id>: run a parked command there
    CONVOCATION = "c"  # c:<meeting id>:<1 send | 2 discard | 3 send on a non-business day>
    RSVP = "r"  # r:<meeting id>:<1 asistiré | 2 asistirá mi suplente | 3 no asistiré>
    COVER = "s"  # s:<meeting id>:<1 asistiré en representación | 2 no podré asistir>
    PRESENT = "a"  # a:<meeting id>: roll call
    CUSTOMARY = "h"  # h:<proposal id>:<1 confirm | 0 dismiss>: customary non-working day
    VOTE = "v"  # v:<vote id>:<1 a favor | 2 en contra | 3 abstención>
    DEADLINE = "d"  # d:<vote id>:<hours>: an electronic vote's deadline
    CLOSE = "x"  # x:<vote id>: /cerrar, when several votes are open
    CANCEL = "k"  # k:<cancellation id>:<1 apruebo | 0 no apruebo> (R11)
    MINUTES = "m"  # m:<version id>:<1 circular para firma | 2 subir versión corregida> (R14)
    SIGN = "f"  # f:<version id>:<1 firmo el acta | 2 pido cambios> (R14)
    AGREEMENT = "g"  # g:<vote id>: registrar acuerdo (R16)
    AGREEMENTS_PAGE = "gp"  # gp:<secretariat id>:<0 open | 1 all>:<page>: /acuerdos pages
    PROPOSAL_AGENDA = "pa"  # pa:<meeting id>:<proposal id>: agregar al orden del día (R17)
    INBOX = "bz"  # bz:<inbox message id>: marcar como atendido (R19 f, g)
    REMOVAL_BACK = "rb"  # rb:<removal request id>: respaldo la solicitud (R4)
    REMOVAL_VOTE = "rv"  # rv:<removal request id>: abrir votación de remoción (R4)


@dataclass(frozen=True)
class Decoded:
    """A payload that parsed."""

    action: Action
    ids: tuple[int, ...]


_ARITY = {
    Action.PICK: 2,
    Action.CONVOCATION: 2,
    Action.RSVP: 2,
    Action.COVER: 2,
    Action.PRESENT: 1,
    Action.CUSTOMARY: 2,
    Action.VOTE: 2,
    Action.DEADLINE: 2,
    Action.CLOSE: 1,
    Action.CANCEL: 2,
    Action.MINUTES: 2,
    Action.SIGN: 2,
    Action.AGREEMENT: 1,
    Action.AGREEMENTS_PAGE: 3,
    Action.PROPOSAL_AGENDA: 2,
    Action.INBOX: 1,
    Action.REMOVAL_BACK: 1,
    Action.REMOVAL_VOTE: 1,
}


def ids(data: str | None, *, choices: Collection[int] | None = None) -> tuple[int, ...]:
    """A pressed button's ids; a forged or outdated payload (or choice) is a stale button."""
    decoded = decode(data)
    if decoded is None or (choices is not None and decoded.ids[-1] not in choices):
        raise StaleButton()
    return decoded.ids


def encode(action: Action, *ids: int) -> str:
    """``encode(Action.PICK, 12, 3) == "p:12:3"``."""
    assert len(ids) == _ARITY[action]
    data = ":".join([action.value, *(str(i) for i in ids)])
    assert len(data.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    return data


def decode(data: str | None) -> Decoded | None:
    """The payload, or ``None`` for anything we did not produce.

    Never raises: a forged ``v:999999:①`` or ``v:1:٣`` (digits ``str.isdigit`` accepts
    but we never write) is ``None``, answered as a stale button, like any other forgery.
    """
    if not data:
        return None
    head, _, rest = data.partition(":")
    try:
        action = Action(head)
    except ValueError:
        return None
    parts = rest.split(":") if rest else []
    if len(parts) != _ARITY[action]:
        return None
    numbers = tuple(ascii_number(p, max_digits=18) for p in parts)
    if any(n is None for n in numbers):
        return None
    return Decoded(action, tuple(n for n in numbers if n is not None))


def secretariat_picker(choice_id: int, options: Sequence[Membership]) -> InlineKeyboardMarkup:
    """One button per secretariat the parked command could act on."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    m.secretariat_name[:60],
                    callback_data=encode(Action.PICK, choice_id, m.secretariat_id),
                )
            ]
            for m in options
        ]
    )


def _row(*buttons: tuple[str, str]) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text, callback_data=data) for text, data in buttons]


#: At most this many ``Agregar P-n al orden del día`` buttons on one preview.
MAX_PROPOSAL_BUTTONS = 20


def convocation_preview(
    meeting_id: int, *, non_business: bool, proposals: Sequence[tuple[int, str]] = ()
) -> InlineKeyboardMarkup:
    """``Enviar convocatoria`` / ``Descartar``; a non-business day asks to confirm it.

    Above them, one ``Agregar P-n al orden del día`` per pending proposal not on the
    agenda yet (R17), ``(proposal id, "P-n")``, the oldest first.
    """
    send = (
        ("Enviar aunque sea día inhábil", encode(Action.CONVOCATION, meeting_id, 3))
        if non_business
        else ("Enviar convocatoria", encode(Action.CONVOCATION, meeting_id, 1))
    )
    return InlineKeyboardMarkup(
        [
            _row(
                (
                    f"Agregar {number} al orden del día",
                    encode(Action.PROPOSAL_AGENDA, meeting_id, proposal_id),
                )
            )
            for proposal_id, number in proposals[:MAX_PROPOSAL_BUTTONS]
        ]
        + [_row(send, ("Descartar", encode(Action.CONVOCATION, meeting_id, 2)))]
    )


RSVP_CHOICES = {1: "asistire", 2: "suplente", 3: "no"}
COVER_CHOICES = {1: "si", 2: "no"}


def rsvp(meeting_id: int) -> InlineKeyboardMarkup:
    """A titular's RSVP buttons (commands.md)."""
    return InlineKeyboardMarkup(
        [
            _row(("Asistiré", encode(Action.RSVP, meeting_id, 1))),
            _row(("Asistirá mi suplente", encode(Action.RSVP, meeting_id, 2))),
            _row(("No asistiré", encode(Action.RSVP, meeting_id, 3))),
        ]
    )


def cover(meeting_id: int) -> InlineKeyboardMarkup:
    """What a substitute asked to cover the seat answers (R3)."""
    return InlineKeyboardMarkup(
        [
            _row(("Asistiré en representación", encode(Action.COVER, meeting_id, 1))),
            _row(("No podré asistir", encode(Action.COVER, meeting_id, 2))),
        ]
    )


def present(meeting_id: int) -> InlineKeyboardMarkup:
    """The roll call button."""
    return InlineKeyboardMarkup([_row(("Presente", encode(Action.PRESENT, meeting_id)))])


def customary(proposal_id: int) -> InlineKeyboardMarkup:
    """Confirm or dismiss one customary non-working day (R8)."""
    return InlineKeyboardMarkup(
        [
            _row(
                ("Declarar inhábil", encode(Action.CUSTOMARY, proposal_id, 1)),
                ("No aplica", encode(Action.CUSTOMARY, proposal_id, 0)),
            )
        ]
    )


VOTE_CHOICES = {1: "a_favor", 2: "en_contra", 3: "abstencion"}
DEADLINE_HOURS = (24, 48, 72)


def ballot(vote_id: int) -> InlineKeyboardMarkup:
    """``A favor`` / ``En contra`` / ``Abstención`` (commands.md)."""
    return InlineKeyboardMarkup(
        [
            _row(
                ("A favor", encode(Action.VOTE, vote_id, 1)),
                ("En contra", encode(Action.VOTE, vote_id, 2)),
                ("Abstención", encode(Action.VOTE, vote_id, 3)),
            )
        ]
    )


def deadline(vote_id: int) -> InlineKeyboardMarkup:
    """24 h, 48 h or 72 h for an electronic vote (a typed date is accepted too)."""
    return InlineKeyboardMarkup(
        [_row(*((f"{h} h", encode(Action.DEADLINE, vote_id, h)) for h in DEADLINE_HOURS))]
    )


def close_picker(options: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    """One button per open vote, for ``/cerrar``."""
    return InlineKeyboardMarkup(
        [_row((text[:60], encode(Action.CLOSE, vote_id))) for vote_id, text in options]
    )


def cancellation(request_id: int) -> InlineKeyboardMarkup:
    """``Apruebo la cancelación`` / ``No apruebo`` (R11)."""
    return InlineKeyboardMarkup(
        [
            _row(
                ("Apruebo la cancelación", encode(Action.CANCEL, request_id, 1)),
                ("No apruebo", encode(Action.CANCEL, request_id, 0)),
            )
        ]
    )


MINUTES_CHOICES = {1: "circular", 2: "subir"}
SIGN_CHOICES = {1: "firmo", 2: "cambios"}


def minutes_draft(version_id: int) -> InlineKeyboardMarkup:
    """The facilitator's ``Circular para firma`` / ``Subir versión corregida`` (R14)."""
    return InlineKeyboardMarkup(
        [
            _row(("Circular para firma", encode(Action.MINUTES, version_id, 1))),
            _row(("Subir versión corregida", encode(Action.MINUTES, version_id, 2))),
        ]
    )


def signature(version_id: int) -> InlineKeyboardMarkup:
    """A signatory's ``Firmo el acta`` / ``Pido cambios`` on one exact version (R14)."""
    return InlineKeyboardMarkup(
        [
            _row(
                ("Firmo el acta", encode(Action.SIGN, version_id, 1)),
                ("Pido cambios", encode(Action.SIGN, version_id, 2)),
            )
        ]
    )


def agreements_pages(
    secretariat_id: int, *, everything: bool, page: int, has_previous: bool, has_next: bool
) -> InlineKeyboardMarkup | None:
    """``◀ Anteriores`` / ``Siguientes ▶`` under a page of ``/acuerdos`` (none for one page)."""
    row = []
    flag = int(everything)
    if has_previous:
        data = encode(Action.AGREEMENTS_PAGE, secretariat_id, flag, page - 1)
        row.append(("◀ Anteriores", data))
    if has_next:
        row.append(
            ("Siguientes ▶", encode(Action.AGREEMENTS_PAGE, secretariat_id, flag, page + 1))
        )
    return InlineKeyboardMarkup([_row(*row)]) if row else None


def register_agreement(vote_id: int) -> InlineKeyboardMarkup:
    """``Registrar acuerdo`` on the facilitator's copy of an approved result (R16)."""
    return InlineKeyboardMarkup([_row(("Registrar acuerdo", encode(Action.AGREEMENT, vote_id)))])


def removal_back(request_id: int) -> InlineKeyboardMarkup:
    """``Respaldo la solicitud`` for the members of the other seats (R4)."""
    return InlineKeyboardMarkup(
        [_row(("Respaldo la solicitud", encode(Action.REMOVAL_BACK, request_id)))]
    )


def removal_vote(options: Sequence[tuple[int, int]]) -> InlineKeyboardMarkup:
    """One ``Abrir votación de remoción`` per request ``(id, #n)`` of the session (R4)."""
    return InlineKeyboardMarkup(
        [
            _row(
                (
                    "Abrir votación de remoción" + (f" #{number}" if len(options) > 1 else ""),
                    encode(Action.REMOVAL_VOTE, request_id),
                )
            )
            for request_id, number in options
        ]
    )
