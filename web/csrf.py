"""The forms' signed token: proof that a submission comes from a page this site served.

Every ``buzón`` and ``participa`` page carries a fresh token in a hidden field::

    <slug>.<form>.<issued, Unix seconds>.<nonce>.<HMAC-SHA256 of the rest>

The key is derived from the bot's token with HMAC (``KEY_LABEL``), so the operator sets
nothing new, every process of the deployment agrees, and a token survives a restart. A
submission is accepted only with a token of *this* secretariat and *this* form, issued
by this site at most ``VALIDITY`` ago (and not from the future); the comparison is
``hmac.compare_digest``. The nonce (128 random bits) is stored with the message
(``InboxMessage.form_nonce``, unique), so the same page submitted twice — a double click,
a reload, a replay — is one message. ``Sec-Fetch-Site: cross-site`` (what a browser says
of a form posted from another site) is refused as well; together with the CSP's
``form-action 'self'`` that keeps other sites from posting in a visitor's name.

Tokens are never logged: nothing here logs, and a refusal says only why.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

__all__ = ["VALIDITY", "Problem", "Verified", "cross_site", "derive_key", "issue", "verify"]

#: What the key is derived for (changing it invalidates every open form).
KEY_LABEL = b"stm-web-forms"
#: How long a page's form may stay open before it is refused as expired.
VALIDITY = timedelta(hours=2)
#: A token "issued" later than now by more than this is forged (clocks agree: one process).
SKEW = timedelta(minutes=5)
#: Random bytes of the nonce (128 bits).
NONCE_BYTES = 16
#: Anything longer is not one of ours (slug ≤ 80, form, time, nonce, MAC).
MAX_LENGTH = 200


class Problem(Enum):
    """Why a token was refused (the page says it in Spanish)."""

    INVALID = "invalid"  # missing, malformed, forged, or for another page
    EXPIRED = "expired"  # ours, for this page, but older than VALIDITY


@dataclass(frozen=True)
class Verified:
    """A good token: its nonce identifies this one filling of the form."""

    nonce: str


def derive_key(bot_token: str) -> bytes:
    """The forms' key: ``HMAC-SHA256(bot token, KEY_LABEL)``; the bot token itself is
    never used as a key."""
    return hmac.new(bot_token.encode(), KEY_LABEL, hashlib.sha256).digest()


def _mac(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue(key: bytes, *, slug: str, form: str, now: datetime) -> str:
    """A fresh token for ``form`` of secretariat ``slug``, with a new random nonce."""
    nonce = secrets.token_urlsafe(NONCE_BYTES)
    payload = f"{slug}.{form}.{int(now.timestamp())}.{nonce}"
    return f"{payload}.{_mac(key, payload)}"


def verify(
    key: bytes, token: str | None, *, slug: str, form: str, now: datetime
) -> Verified | Problem:
    """The token's nonce, or why it is refused. Never raises, whatever ``token`` holds."""
    if not token or len(token) > MAX_LENGTH or not token.isascii():
        return Problem.INVALID
    payload, _, mac = token.rpartition(".")
    parts = payload.rsplit(".", 3)
    if len(parts) != 4 or not hmac.compare_digest(_mac(key, payload), mac):
        return Problem.INVALID
    token_slug, token_form, issued_text, nonce = parts
    # Compared after the MAC: only our own tokens get this far, so these are not oracles.
    if token_slug != slug or token_form != form or not issued_text.isdecimal():
        return Problem.INVALID
    issued = int(issued_text)
    moment = int(now.timestamp())
    if issued > moment + SKEW.total_seconds():
        return Problem.INVALID
    if moment - issued > VALIDITY.total_seconds():
        return Problem.EXPIRED
    return Verified(nonce)


def cross_site(headers: Mapping[str, str]) -> bool:
    """A browser says the form was posted from another site (Fetch Metadata)."""
    return headers.get("sec-fetch-site", "").strip().lower() == "cross-site"
