"""``make demo``: a sandbox anyone can try, with no token and no network.

The real bot (``python -m bot``) runs as its own process against the project's fake
Bot API (tests/fakebot), and a small page on 127.0.0.1 lets a visitor play the
facilitator and the members of a seeded secretariat in the browser. Modules:

* :mod:`demo.cast` — who is who in the seeded secretariat (names, seats, fake ids);
* :mod:`demo.seeding` — the secretariat and a session held last week, made through the
  bot's own handlers with its clock set back;
* :mod:`demo.telegram_html` — a bot message's text and entities as safe HTML;
* :mod:`demo.page` — the Starlette app of the page and its JSON endpoints;
* :mod:`demo.runner` — starts and stops everything (``python -m demo``).

Nothing in the project imports this package (import-linter checks it).
"""
