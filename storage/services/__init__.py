"""Use cases: ``async def f(session, *, now, actor, …) -> view``.

Services never open, commit or close the session; the caller frames one unit of work
(``async with db.begin()``), so a refusal raised anywhere rolls everything back.
"""
