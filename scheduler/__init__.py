"""Reminders derived from stored state (rules R22, R23); filled in by the reminders issue.

Nothing is scheduled yet: the foundation only reserves the package so the layering
(``bot.app`` → ``handlers | scheduler`` → ``bot`` helpers → ``storage`` → ``domain``) is
checked from the start.
"""
