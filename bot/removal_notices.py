"""The notices of a removal request (R4), all through the outbox: no update waits on them.

Who hears what: the other seats' titulars and substitutes get the request with
``Respaldo la solicitud``; the facilitator is told of the request and when a second seat
backs it (so is the requester); once the session with the item is installed, the
facilitator gets ``Abrir votación de remoción``; when that vote closes, the facilitator
and the group read the decision, and a removed person is told, in their own chat, that
they left the roster and their Telegram id was erased (R21), and gets the menu they
have left.
"""

from __future__ import annotations

from bot import buttons, menus
from bot.context import StmApplication
from storage.services import access, removal_outcome, removals


def ask_backing(app: StmApplication, requested: removals.Requested) -> None:
    """The request to every titular and substitute of the other seats, and the facilitator."""
    markup = buttons.removal_back(requested.request.id)
    for backer in requested.backers:
        if backer.chat_id is not None:
            app.outbox.message(
                backer.chat_id, "removals/ask_backing", r=requested.request, reply_markup=markup
            )
    if requested.facilitator_chat is not None:
        app.outbox.message(
            requested.facilitator_chat,
            "removals/facilitator_requested",
            r=requested.request,
            secretariat_name=requested.secretariat_name,
        )


def tell_backed(app: StmApplication, backed: removals.Backed) -> None:
    """The second seat backed it: the facilitator and the requester learn it goes on."""
    if not backed.complete:
        return
    for chat_id in dict.fromkeys((backed.facilitator_chat, backed.requester_chat)):
        if chat_id is not None:
            app.outbox.message(chat_id, "removals/backed_notice", r=backed.request)


def offer_votes(app: StmApplication, chat_id: int, offers: list[removals.Votable]) -> None:
    """The installed session's removal items, one button each, to the facilitator."""
    if offers:
        app.outbox.message(
            chat_id,
            "removals/vote_offer",
            items=offers,
            reply_markup=buttons.removal_vote([(v.id, v.number) for v in offers]),
        )


def tell_settled(app: StmApplication, settled: removal_outcome.Settled) -> None:
    """The decision to the facilitator and the group; the removed person is told apart."""
    for chat_id in dict.fromkeys((settled.facilitator_chat, settled.group_chat_id)):
        if chat_id is not None:
            app.outbox.message(chat_id, "removals/settled", s=settled)
    former = settled.former_telegram_user_id
    if former is not None:
        app.outbox.message(former, "removals/removed_notice", s=settled)
        app.background.spawn(_refresh_menu(app, former), name="menu-after-removal")


async def _refresh_menu(app: StmApplication, former: int) -> None:
    """The removed person's private menu: what they still hold elsewhere, or the public one."""
    async with app.db() as session:
        remaining = await access.load_actor(
            session, former, is_admin=former in app.stm_settings.admins
        )
    await menus.publish_for(app.bot, former, remaining.roles())
