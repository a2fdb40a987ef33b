"""The microsite's addresses, contact and links (R19): pure rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.microsite import (
    RESERVED_SLUGS,
    links_of,
    parse_contact,
    parse_links,
    slugify,
    unique_slug,
)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Zamora", "zamora"),
        ("San José de Gracia", "san-jose-de-gracia"),
        ("  Tangancícuaro  ", "tangancicuaro"),
        ("Ñuñoa / Cd. Hidalgo", "nunoa-cd-hidalgo"),
        ("static", "stm-static"),  # a path the site uses itself
        ("healthz", "stm-healthz"),
        ("日本", "stm"),
        ("x" * 100, "x" * 60),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_unique_slug_counts_up() -> None:
    assert unique_slug("Zamora", set()) == "zamora"
    assert unique_slug("ZAMORA", {"zamora"}) == "zamora-2"
    assert unique_slug("Zamora", {"zamora", "zamora-2"}) == "zamora-3"


@given(st.text(max_size=120))
def test_slugs_are_url_safe_and_never_reserved(name: str) -> None:
    slug = slugify(name)
    assert slug
    assert len(slug) <= 64
    assert all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in slug)
    assert not slug.startswith("-")
    assert not slug.endswith("-")
    assert slug not in RESERVED_SLUGS


def test_contact_lines_and_invisible_characters() -> None:
    assert parse_contact("Oficina\u202e del STM |  Tel. 351 \n correo@municipio.mx") == (
        "Oficina del STM\nTel. 351\ncorreo@municipio.mx"
    )


def test_links_round_trip() -> None:
    stored = parse_links("Portal | https://zamora.gob.mx; https://ogp.org\nIAIP | http://iaip.mx")
    assert [(link.title, link.url) for link in links_of(stored)] == [
        ("Portal", "https://zamora.gob.mx"),
        ("https://ogp.org", "https://ogp.org"),
        ("IAIP", "http://iaip.mx"),
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "Datos | data:text/html,hola",
        "Ftp | ftp://x.mx",
        "Sin | https://",
        "Espacio | https://a.mx/b c",
        "",
    ],
)
def test_links_refused(raw: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 — parse functions raise ValueError by contract
        parse_links(raw)
