"""Pure rules of the Secretariado Técnico Municipal (no Telegram, no database, no clock).

Every module names the rules of ``rules.md`` it encodes (R1, R2, …) so that
``grep -rn R9 domain/`` lands on the quorum rule. Inputs are plain values and frozen
dataclasses; the current time is always a parameter.
"""
