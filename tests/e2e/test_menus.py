"""Start-up publishes only the private menus that changed since the last start-up."""

from __future__ import annotations

from tests.clock import FakeClock
from tests.fakebot import FakeBotAPI
from tests.harness import ADMIN_ID, setup_zamora, start_harness


def private_menu_calls(fake: FakeBotAPI, since: int) -> list[int]:
    """Chats whose private menu was set or deleted since ``since``."""
    return sorted(
        int(c.params["scope"]["chat_id"])
        for c in fake.calls[since:]
        if c.method in ("setMyCommands", "deleteMyCommands")
        and isinstance(c.params.get("scope"), dict)
        and c.params["scope"].get("type") == "chat"
    )


async def test_a_restart_republishes_only_changed_menus(
    fake: FakeBotAPI, database_url: str, clock: FakeClock
) -> None:
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as first:
        z = await setup_zamora(first)
    # the first start-up after the roster exists publishes every member's private menu
    # once (the admin's was published, and recorded, by the very first start-up)
    mark = fake.mark()
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}):
        pass
    assert private_menu_calls(fake, mark) == sorted([z.facilitator, *z.titulars.values()])
    # nothing changed: a restart publishes no private menu at all
    mark = fake.mark()
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as third:
        await third.say(z.facilitator, "/baja 2")  # gobierno's titular leaves (runtime)
    gone = z.titulars["gobierno"]
    assert private_menu_calls(fake, mark) == [gone]  # by /baja, at once
    assert fake.commands_for({"type": "chat", "chat_id": gone}) == []
    # the next start-up sees that chat's menu differ from what it published: only it again
    mark = fake.mark()
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}):
        pass
    assert private_menu_calls(fake, mark) == [gone]
    assert fake.commands_for({"type": "chat", "chat_id": gone}) == []
    titular = fake.commands_for({"type": "chat", "chat_id": z.titulars["garante"]})
    assert "pendientes" in [c["command"] for c in titular]
    mark = fake.mark()
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}):
        pass
    assert private_menu_calls(fake, mark) == []
