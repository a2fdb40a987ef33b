"""The command menu last published to each private chat at start-up.

Telegram keeps a chat's menu until it is replaced, so a restart only needs to publish
the menus whose content changed: with thousands of linked accounts, republishing every
one (one ``setMyCommands`` each) would hold start-up for minutes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class PublishedMenu(Base):
    """One private chat's menu, by the signature of its commands."""

    __tablename__ = "published_menus"

    telegram_user_id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False
    )
    signature: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
