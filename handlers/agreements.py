"""The register of agreements (R16): ``/acuerdo``, ``Registrar acuerdo``, ``/responsable``,
``/plazo``, ``/seguimiento``, ``/acuerdos``.

Thin: parse, authorize, call ``storage.services.agreements``, answer. Who may follow an
agreement up (the facilitator, or the responsible seat's titular or substitute) is decided
by the service, on the stored responsible, not by the command matrix alone.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import buttons, messages, public_channel
from bot.context import StmContext
from bot.guards import authorize_button, command_text, guarded
from domain.agreements import Status
from domain.errors import Usage
from handlers import parsing
from storage.services import agreements, votes


@guarded("acuerdo")
async def acuerdo(update: Update, context: StmContext) -> None:
    """A typed agreement of the session in progress or the latest held one."""
    text = " ".join(command_text(update, context).split())
    if not text:
        raise Usage("acuerdo")
    target = context.require_target()
    async with context.db.begin() as session:
        view = await agreements.register(
            session, now=context.now(), target=target, text=text, vote_id=None
        )
    public_channel.publish(context.app, target.secretariat_id)  # R18: owed in that commit
    await messages.reply(update, context, "agreements/registered", a=view)


async def acuerdo_boton(update: Update, context: StmContext) -> None:
    """``Registrar acuerdo`` on the facilitator's copy of an approved result."""
    query = update.callback_query
    assert query is not None
    (vote_id,) = buttons.ids(query.data)
    async with context.db() as session:
        secretariat_id = await votes.secretariat_of(session, vote_id)
    target = await authorize_button(update, context, "acuerdo", secretariat_id)
    async with context.db.begin() as session:
        view = await agreements.register(
            session, now=context.now(), target=target, text=None, vote_id=vote_id
        )
    public_channel.publish(context.app, target.secretariat_id)  # R18: owed in that commit
    await query.answer(f"Acuerdo {view.code} registrado.")
    await messages.reply(update, context, "agreements/registered", a=view)
    with contextlib.suppress(TelegramError):  # cosmetic: the agreement is registered
        await query.edit_message_reply_markup(reply_markup=None)


@guarded("responsable")
async def responsable(update: Update, context: StmContext) -> None:
    """``/responsable ACU-2027-003 academia`` (a seat's clave) or a person's name."""
    code, _, who = command_text(update, context).strip().partition(" ")
    if not code or not who.strip():
        raise Usage("responsable")
    async with context.db.begin() as session:
        view = await agreements.set_responsible(
            session, now=context.now(), target=context.require_target(), code=code, who=who
        )
    await messages.reply(update, context, "agreements/updated", a=view)


@guarded("plazo")
async def plazo(update: Update, context: StmContext) -> None:
    """``/plazo ACU-2027-003 2027-03-31``."""
    code, _, raw = command_text(update, context).strip().partition(" ")
    if not code or not raw.strip():
        raise Usage("plazo")
    day = parsing.one_date(raw.strip(), "plazo")
    async with context.db.begin() as session:
        view = await agreements.set_due(
            session, now=context.now(), target=context.require_target(), code=code, day=day
        )
    await messages.reply(update, context, "agreements/updated", a=view)


@guarded("seguimiento")
async def seguimiento(update: Update, context: StmContext) -> None:
    """``/seguimiento ACU-2027-003 en_proceso Oficio enviado``: the status, kept in history."""
    words = command_text(update, context).split(maxsplit=2)
    if len(words) < 2:
        raise Usage("seguimiento")
    try:
        status = Status(words[1].lower())
    except ValueError:
        raise Usage("seguimiento") from None
    note = words[2].strip()[:500] if len(words) > 2 else None
    async with context.db.begin() as session:
        view = await agreements.follow_up(
            session,
            now=context.now(),
            target=context.require_target(),
            code=words[0],
            status=status,
            note=note,
        )
    await messages.reply(update, context, "agreements/updated", a=view)


@guarded("acuerdos")
async def acuerdos(update: Update, context: StmContext) -> None:
    """Open agreements, or all with ``todos``: the first page, buttons for the others."""
    everything = command_text(update, context).strip().lower() == "todos"
    target = context.require_target()
    async with context.db() as session:
        listing = await agreements.listing(session, target, everything=everything)
    await messages.reply(
        update,
        context,
        "agreements/acuerdos",
        listing=listing,
        reply_markup=_pages(target.secretariat_id, listing),
    )


async def acuerdos_pagina(update: Update, context: StmContext) -> None:
    """``Anteriores`` / ``Siguientes``: the same message shows another page, re-read now."""
    query = update.callback_query
    assert query is not None
    secretariat_id, everything, page = buttons.ids(query.data)
    target = await authorize_button(update, context, "acuerdos", secretariat_id)
    async with context.db() as session:
        listing = await agreements.listing(session, target, everything=bool(everything), page=page)
    await query.answer()
    text = messages.render("agreements/acuerdos", listing=listing)
    with contextlib.suppress(TelegramError):  # "message is not modified": a double press
        await query.edit_message_text(text, reply_markup=_pages(secretariat_id, listing))


def _pages(secretariat_id: int, listing: agreements.Listing) -> InlineKeyboardMarkup | None:
    page = listing.page
    return buttons.agreements_pages(
        secretariat_id,
        everything=listing.everything,
        page=page.number,
        has_previous=page.has_previous,
        has_next=page.has_next,
    )


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("acuerdo", acuerdo),
    CommandHandler("responsable", responsable),
    CommandHandler("plazo", plazo),
    CommandHandler("seguimiento", seguimiento),
    CommandHandler("acuerdos", acuerdos),
    CallbackQueryHandler(acuerdo_boton, pattern=f"^{buttons.Action.AGREEMENT.value}:"),
    CallbackQueryHandler(acuerdos_pagina, pattern=f"^{buttons.Action.AGREEMENTS_PAGE.value}:"),
]
