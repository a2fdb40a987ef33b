"""``/micrositio`` (R19): the secretariat's public site, as members share it.

Thin: the secretariat's slug from storage, the address from the settings, an answer.
Links in chat use ``PUBLIC_URL`` (the address people reach through the reverse proxy);
without it the bot can only name the address it listens on, which works on the server
alone, so the answer says so and who must fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import messages
from bot.context import StmContext
from bot.guards import guarded
from storage.services import meetings

#: The sections the answer links to, by their path under ``/<slug>/`` (commands.md).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("actas", "Actas, evidencias y comunicados"),
    ("datos", "Datos abiertos"),
    ("buzon", "Buzón de dudas, quejas y sugerencias"),
)


@dataclass(frozen=True)
class SiteAddress:
    """The microsite's root address for links in chat (no trailing slash)."""

    url: str
    public: bool  # PUBLIC_URL is set: the address people use
    served: bool  # this process serves the site (WEB_PORT is not "no")


def site_address(context: StmContext) -> SiteAddress:
    """``PUBLIC_URL``, else the address the site really listens on (its bound port, which
    differs from ``WEB_PORT`` when that is 0), else the configured one."""
    settings = context.settings
    served = context.app.web is not None
    if settings.public_url:
        return SiteAddress(settings.public_url, public=True, served=served)
    web = context.app.web
    if web is not None:
        return SiteAddress(f"http://{settings.web_host}:{web.port}", public=False, served=True)
    return SiteAddress(settings.site_url, public=False, served=False)


def secretariat_url(address: SiteAddress, slug: str, section: str = "") -> str:
    """``<address>/<slug>/`` or ``<address>/<slug>/<section>``."""
    return f"{address.url}/{slug}/{section}"


@guarded("micrositio")
async def micrositio(update: Update, context: StmContext) -> None:
    """The public address of the secretariat's microsite and of its sections (R19)."""
    target = context.require_target()
    async with context.db() as session:
        slug = (await meetings.secretariat(session, target)).slug
    address = site_address(context)
    await messages.reply(
        update,
        context,
        "microsite/micrositio",
        name=target.secretariat_name,
        address=address,
        home=secretariat_url(address, slug),
        sections=[(title, secretariat_url(address, slug, path)) for path, title in SECTIONS],
    )


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("micrositio", micrositio),
]
