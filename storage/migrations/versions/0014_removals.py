"""Removal requests and their sponsors (R4, issue 15).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "state IN ('solicitada', 'respaldada', 'en_agenda')"


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "removal_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secretariat_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("backed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("vote_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_removal_requests_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_removal_requests_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["members.id"],
            name=op.f("fk_removal_requests_requested_by_members"),
        ),
        sa.ForeignKeyConstraint(
            ["secretariat_id"],
            ["secretariats.id"],
            name=op.f("fk_removal_requests_secretariat_id_secretariats"),
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["votes.id"], name=op.f("fk_removal_requests_vote_id_votes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removal_requests")),
        sa.UniqueConstraint("secretariat_id", "number", name="uq_removal_requests_number"),
        sa.UniqueConstraint("vote_id", name=op.f("uq_removal_requests_vote_id")),
    )
    with op.batch_alter_table("removal_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_removal_requests_secretariat_id"), ["secretariat_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_removal_requests_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            "uq_removal_requests_open_member",
            ["member_id"],
            unique=True,
            sqlite_where=sa.text(_OPEN),
            postgresql_where=sa.text(_OPEN),
        )

    op.create_table(
        "removal_sponsors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_removal_sponsors_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["removal_requests.id"],
            name=op.f("fk_removal_sponsors_request_id_removal_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["seats.id"], name=op.f("fk_removal_sponsors_seat_id_seats")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removal_sponsors")),
        sa.UniqueConstraint("request_id", "member_id", name="uq_removal_sponsors_member"),
        sa.UniqueConstraint("request_id", "seat_id", name="uq_removal_sponsors_seat"),
    )
    with op.batch_alter_table("removal_sponsors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_removal_sponsors_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("removal_sponsors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_removal_sponsors_request_id"))
    op.drop_table("removal_sponsors")
    with op.batch_alter_table("removal_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_removal_requests_open_member",
            sqlite_where=sa.text(_OPEN),
            postgresql_where=sa.text(_OPEN),
        )
        batch_op.drop_index(batch_op.f("ix_removal_requests_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_removal_requests_secretariat_id"))
    op.drop_table("removal_requests")
