"""Reminders derived from stored state (R22, R23).

``planner`` derives what is pending from the database, sends what is due exactly once
and arms one job at the next moment; ``jobs`` holds the JobQueue callbacks.
"""
