"""Running vote tallies: each seat's latest ballot per role, counts on the vote (issue 10).

A press used to re-read every earlier ballot of its vote; now it updates the seat's row
and the vote's counts. Existing votes are back-filled by folding their stored ballots
with ``domain.ballots.with_ballot`` (the same rule the service applies per press).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 19:30:12.153414
"""

from collections.abc import Sequence
from datetime import UTC

import sqlalchemy as sa
from alembic import op

from domain.ballots import Cast, SeatBallots, VoteKind, may_vote, with_ballot

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "vote_seat_ballots",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_vote_seat_ballots_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["seats.id"], name=op.f("fk_vote_seat_ballots_seat_id_seats")
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["votes.id"], name=op.f("fk_vote_seat_ballots_vote_id_votes")
        ),
        sa.PrimaryKeyConstraint("vote_id", "seat_id", "role", name=op.f("pk_vote_seat_ballots")),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        for name in ("a_favor", "en_contra", "abstencion", "voted_seats"):
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("complete_at", sa.DateTime(timezone=True), nullable=True))
    _backfill()


def _backfill() -> None:
    bind = op.get_bind()
    votes = sa.table(
        "votes",
        sa.column("id"),
        sa.column("kind"),
        sa.column("state"),
        sa.column("deadline", sa.DateTime(timezone=True)),
        sa.column("eligible_seats", sa.JSON),
        sa.column("titular_present", sa.JSON),
        sa.column("a_favor"),
        sa.column("en_contra"),
        sa.column("abstencion"),
        sa.column("voted_seats"),
    )
    ballots = sa.table(
        "ballots",
        sa.column("id"),
        sa.column("vote_id"),
        sa.column("seat_id"),
        sa.column("member_id"),
        sa.column("role"),
        sa.column("choice"),
        sa.column("at", sa.DateTime(timezone=True)),
    )
    seat_ballots = sa.table(
        "vote_seat_ballots",
        sa.column("vote_id"),
        sa.column("seat_id"),
        sa.column("role"),
        sa.column("member_id"),
        sa.column("choice"),
        sa.column("at", sa.DateTime(timezone=True)),
    )
    for vote in bind.execute(sa.select(votes)).mappings().all():
        kind = VoteKind(vote["kind"])
        eligible = set(vote["eligible_seats"] or [])
        present = set(vote["titular_present"] or []) if kind is VoteKind.SESION else None
        deadline = _aware(vote["deadline"])
        seats: dict[int, SeatBallots] = {}
        rows = bind.execute(
            sa.select(ballots).where(ballots.c.vote_id == vote["id"]).order_by(ballots.c.id)
        ).mappings()
        for row in rows:
            cast = Cast(
                row["seat_id"], row["role"], row["member_id"], row["choice"], _aware(row["at"])
            )
            if deadline is not None and cast.at >= deadline:
                continue
            if may_vote(kind, cast.voter_role, cast.seat_id, eligible, present):
                seats[cast.seat_id] = with_ballot(seats.get(cast.seat_id, SeatBallots()), cast)
        counts = {"a_favor": 0, "en_contra": 0, "abstencion": 0}
        for seat in seats.values():
            for kept in (seat.titular, seat.suplente):
                if kept is not None:
                    bind.execute(
                        seat_ballots.insert().values(
                            vote_id=vote["id"],
                            seat_id=kept.seat_id,
                            role=str(kept.voter_role),
                            member_id=kept.voter_member_id,
                            choice=kept.choice.value,
                            at=kept.at,
                        )
                    )
            if seat.counted is not None:
                counts[seat.counted.choice.value] += 1
        bind.execute(
            votes.update()
            .where(votes.c.id == vote["id"])
            .values(**counts, voted_seats=sum(counts.values()))
        )


def _aware(moment):  # type: ignore[no-untyped-def]
    """SQLite hands back naive UTC datetimes; the domain compares aware ones."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("votes", schema=None) as batch_op:
        for name in ("complete_at", "voted_seats", "abstencion", "en_contra", "a_favor"):
            batch_op.drop_column(name)
    op.drop_table("vote_seat_ballots")
