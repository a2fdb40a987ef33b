"""The public microsite's pure rules (R19): addresses, contact, links, licence.

A secretariat's pages live under ``/<slug>/``: the slug is made once from its name when
it is created and never changes afterwards, so links people saved and calendar feeds they
subscribed to keep working even if the name is later spelled differently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from domain.text import visible

#: R19 (d): the licence of the open data unless the facilitator sets another.
DEFAULT_LICENCE = "Términos de Libre Uso MX"
LICENCE_MAX = 200
CONTACT_MAX = 1000
CONTACT_LINES = 12
LINKS_MAX = 20
LINK_TITLE_MAX = 120
URL_MAX = 500
SLUG_MAX = 60
#: Paths the site uses at its root: a secretariat may not be called like one of them.
RESERVED_SLUGS = frozenset(
    {"static", "healthz", "readyz", "favicon.ico", "robots.txt", "telegram", "cumplimiento"}
)


def slugify(name: str) -> str:
    """``"San José de Gracia"`` → ``"san-jose-de-gracia"``: ASCII, lowercase, hyphens."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:SLUG_MAX].strip("-")
    if not slug or slug in RESERVED_SLUGS:
        slug = f"stm-{slug}" if slug else "stm"
    return slug


def unique_slug(name: str, taken: set[str]) -> str:
    """``slugify(name)``, with ``-2``, ``-3``… when another secretariat holds it."""
    base = slugify(name)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def parse_contact(raw: str) -> str:
    """The office's public contact (R19 c): lines separated by ``|`` or new lines.

    Stored as lines joined by a new line; ``-`` clears it. Only the secretariat's public
    office contact belongs here (R21): the page says so next to the command.
    """
    if raw.strip() == "-":
        return ""
    lines = [" ".join(visible(part).split()) for part in re.split(r"[|\n]", raw)]
    lines = [line for line in lines if line]
    text = "\n".join(lines)
    if not lines or len(lines) > CONTACT_LINES or len(text) > CONTACT_MAX:
        raise ValueError(raw)
    return text


@dataclass(frozen=True)
class Link:
    """One link of interest (R19 e)."""

    title: str
    url: str


def _url(raw: str) -> str:
    parts = urlsplit(raw)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or len(raw) > URL_MAX
        or any(c.isspace() or c in "<>\"'" for c in raw)
    ):
        raise ValueError(raw)
    return raw


def parse_links(raw: str) -> str:
    """``Título | https://…`` entries separated by ``;`` or new lines; ``-`` clears.

    Returned in the stored form (one ``título | url`` per line), so what is shown in
    ``/ajustes`` is what the page lists. Only http(s) addresses: a ``javascript:`` link
    on a public institution's page would be an attack on its readers.
    """
    if raw.strip() == "-":
        return ""
    entries = [e.strip() for e in re.split(r"[;\n]", raw) if e.strip()]
    if not entries or len(entries) > LINKS_MAX:
        raise ValueError(raw)
    lines = []
    for entry in entries:
        title, sep, url = entry.rpartition("|")
        if not sep:
            title, url = entry, entry
        title = " ".join(visible(title).split())
        url = _url(url.strip())
        if not title or len(title) > LINK_TITLE_MAX:
            raise ValueError(raw)
        lines.append(f"{title} | {url}")
    return "\n".join(lines)


def links_of(stored: str) -> list[Link]:
    """The stored links, in the facilitator's order."""
    links = []
    for line in stored.splitlines():
        title, _, url = line.rpartition(" | ")
        if url:
            links.append(Link(title or url, url))
    return links


def parse_licence(raw: str) -> str:
    """The open data's licence name (R19 d); ``-`` goes back to the default."""
    if raw.strip() == "-":
        return DEFAULT_LICENCE
    text = " ".join(visible(raw).split())
    if not text or len(text) > LICENCE_MAX:
        raise ValueError(raw)
    return text
