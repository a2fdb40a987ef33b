"""The hash chain's head, posted to the public channel once a day when it moved (issue 15).

A leader-only job checks every few minutes; at or after each secretariat's
``hora_recordatorios`` it owes one channel post per new head (``storage.services.act_chain.
owe_head_posts``: a ``channel_posts`` row unique per head position), and the durable
public-channel machinery (``bot.public_channel``) sends it and marks it sent. So the post
goes out once — a restart or a new leader re-derives the same rows and owes nothing new —
and nothing is posted when the head did not move or the secretariat has no channel.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot import public_channel
from bot.background import BACKGROUND
from bot.context import StmApplication, StmContext
from storage.services import act_chain_public

log = logging.getLogger(__name__)

#: The job's name (a leader job: ``bot.app.LEADER_JOBS``).
JOB_NAME = "chain-head-post"
#: How often the job looks: the post goes out within this much of the hour set.
EVERY = timedelta(minutes=5)


async def post_heads(app: StmApplication) -> list[int]:
    """Owe (and send, in the background) today's head posts; returns the secretariats."""
    async with app.db.begin() as session:
        owed = await act_chain_public.owe_head_posts(session, now=app.clock())
    for secretariat_id in owed:
        public_channel.publish(app, secretariat_id)
    if owed:
        log.info("chain head posted for %d secretariat(s)", len(owed))
    return owed


async def publicar_cabeza(context: StmContext) -> None:
    """Every few minutes: the chain heads due today go to the public channels (R18)."""
    BACKGROUND.set(True)  # jobs yield to updates' replies (bot/background.py)
    await post_heads(context.app)


def arm(application: StmApplication) -> None:
    """Arm the repeating check (the leader's, at start-up or take-over)."""
    assert application.job_queue is not None
    for job in application.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    application.job_queue.run_repeating(
        publicar_cabeza, interval=EVERY, first=timedelta(seconds=30), name=JOB_NAME
    )
