"""The public microsite (R19): server-rendered pages and open data from the bot's database."""
