"""Templates and message splitting (4096), and that every refusal has its template."""

from __future__ import annotations

import inspect

import pytest

from bot import messages
from domain import errors


def leaf_refusals() -> list[type[errors.Refusal]]:
    classes = [
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, errors.Refusal)
    ]
    return [c for c in classes if not any(o is not c and issubclass(o, c) for o in classes)]


@pytest.mark.parametrize("refusal", leaf_refusals(), ids=lambda c: c.__name__)
def test_every_refusal_has_a_template(refusal: type[errors.Refusal]) -> None:
    name = errors.Refusal.template.fget(refusal.__new__(refusal))  # type: ignore[attr-defined]
    assert name in messages.ENV.list_templates()


def test_split_message_respects_the_limit_on_line_boundaries() -> None:
    lines = [f"<b>{i}</b> " + "x" * 90 for i in range(200)]
    parts = messages.split_message("\n".join(lines))
    assert len(parts) > 1
    assert all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == "\n".join(lines)


def test_split_message_cuts_an_overlong_line_outside_entities() -> None:
    line = "a" * 4093 + "&amp;" + "b" * 10
    parts = messages.split_message(line)
    assert parts[0] == "a" * 4093
    assert parts[1].startswith("&amp;")


def test_user_text_is_escaped() -> None:
    html = messages.render("common/choose_secretariat", command="<b>&")
    assert "&lt;b&gt;&amp;" in html
