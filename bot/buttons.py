"""The one callback_data codec: ``<action>:<int>:<int>…``, always within 64 bytes.

Buttons carry ids, never rights: every press is re-authorized on the server. Anything
that does not decode is a forged or outdated payload and is answered as stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from domain.roles import Membership


class Action(StrEnum):
    """Button kinds, 1–4 letters each."""

    PICK = "p"  # p:<choice id>:<secretariat id>: run a parked command there


@dataclass(frozen=True)
class Decoded:
    """A payload that parsed."""

    action: Action
    ids: tuple[int, ...]


_ARITY = {Action.PICK: 2}


def encode(action: Action, *ids: int) -> str:
    """``encode(Action.PICK, 12, 3) == "p:12:3"``."""
    assert len(ids) == _ARITY[action]
    data = ":".join([action.value, *(str(i) for i in ids)])
    assert len(data.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    return data


def decode(data: str | None) -> Decoded | None:
    """The payload, or ``None`` for anything we did not produce."""
    if not data:
        return None
    head, _, rest = data.partition(":")
    try:
        action = Action(head)
    except ValueError:
        return None
    parts = rest.split(":") if rest else []
    if len(parts) != _ARITY[action] or not all(p.isdigit() and len(p) <= 18 for p in parts):
        return None
    return Decoded(action, tuple(int(p) for p in parts))


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
