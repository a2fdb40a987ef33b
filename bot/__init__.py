"""The Telegram face of stm-bot and its wiring (``bot.app.build_application``)."""
