"""The register of agreements and its history (issue 12; R16).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:34:35
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secretariat_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("responsible_seat_id", sa.Integer(), nullable=True),
        sa.Column("responsible_name", sa.String(length=120), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name=op.f("fk_agreements_created_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_agreements_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["responsible_seat_id"],
            ["seats.id"],
            name=op.f("fk_agreements_responsible_seat_id_seats"),
        ),
        sa.ForeignKeyConstraint(
            ["secretariat_id"],
            ["secretariats.id"],
            name=op.f("fk_agreements_secretariat_id_secretariats"),
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["votes.id"], name=op.f("fk_agreements_vote_id_votes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("secretariat_id", "code", name="uq_agreements_code"),
        sa.UniqueConstraint("secretariat_id", "year", "sequence", name="uq_agreements_sequence"),
        sa.UniqueConstraint("vote_id", name=op.f("uq_agreements_vote_id")),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreements_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_agreements_secretariat_id"), ["secretariat_id"], unique=False
        )

    op.create_table(
        "agreement_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_changes_agreement_id_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_agreement_changes_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_changes")),
    )
    with op.batch_alter_table("agreement_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_changes_agreement_id"), ["agreement_id"], unique=False
        )
    with op.batch_alter_table("secretariats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "remind_agreement", sa.String(length=40), nullable=False, server_default="5d,1d"
            )
        )


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("secretariats", schema=None) as batch_op:
        batch_op.drop_column("remind_agreement")
    with op.batch_alter_table("agreement_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_changes_agreement_id"))

    op.drop_table("agreement_changes")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreements_secretariat_id"))
        batch_op.drop_index(batch_op.f("ix_agreements_meeting_id"))

    op.drop_table("agreements")
