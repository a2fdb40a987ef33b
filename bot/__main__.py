"""``python -m bot``: run the bot in polling mode."""

from bot.app import main

if __name__ == "__main__":
    main()
