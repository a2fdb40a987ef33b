"""Thin PTB handlers, one module per command family of commands.md.

Each handler parses, relies on the guard for authorization, runs one unit of work
through a service, renders a template and replies. Each module ends with ``HANDLERS``.
"""
