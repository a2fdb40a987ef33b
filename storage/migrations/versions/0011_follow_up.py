"""Follow-up: the action plan (R16a), proposals (R17), the public channel (R18) (issue 12).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 01:25:24.308513
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "channel_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secretariat_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["secretariat_id"],
            ["secretariats.id"],
            name=op.f("fk_channel_posts_secretariat_id_secretariats"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_posts")),
        sa.UniqueConstraint(
            "secretariat_id", "kind", "subject_id", name="uq_channel_posts_subject"
        ),
    )
    with op.batch_alter_table("channel_posts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_channel_posts_secretariat_id"), ["secretariat_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_channel_posts_sent_at"), ["sent_at"], unique=False)

    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secretariat_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("objective", sa.Text(), nullable=True),
        sa.Column("institution", sa.Text(), nullable=True),
        sa.Column("responsible_seat_id", sa.Integer(), nullable=True),
        sa.Column("supporters", sa.Text(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("ogp_values", sa.String(length=120), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("level_manual", sa.Boolean(), nullable=False),
        sa.Column("level_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name=op.f("fk_commitments_created_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["responsible_seat_id"],
            ["seats.id"],
            name=op.f("fk_commitments_responsible_seat_id_seats"),
        ),
        sa.ForeignKeyConstraint(
            ["secretariat_id"],
            ["secretariats.id"],
            name=op.f("fk_commitments_secretariat_id_secretariats"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
        sa.UniqueConstraint("secretariat_id", "number", name="uq_commitments_number"),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commitments_secretariat_id"), ["secretariat_id"], unique=False
        )

    op.create_table(
        "communiques",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secretariat_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name=op.f("fk_communiques_created_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["secretariat_id"],
            ["secretariats.id"],
            name=op.f("fk_communiques_secretariat_id_secretariats"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communiques")),
        sa.UniqueConstraint("secretariat_id", "number", name="uq_communiques_number"),
    )
    with op.batch_alter_table("communiques", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_communiques_secretariat_id"), ["secretariat_id"], unique=False
        )

    op.create_table(
        "commitment_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_commitment_milestones_commitment_id_commitments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_milestones")),
        sa.UniqueConstraint("commitment_id", "number", name="uq_commitment_milestones_number"),
    )
    with op.batch_alter_table("commitment_milestones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commitment_milestones_commitment_id"), ["commitment_id"], unique=False
        )

    op.create_table(
        "proposal_forwardings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("evidence", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_proposal_forwardings_meeting_id_meetings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_forwardings")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_proposal_forwardings_meeting_id")),
    )
    with op.batch_alter_table("proposal_forwardings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_forwardings_next_attempt_at"),
            ["next_attempt_at"],
            unique=False,
        )

    op.create_table(
        "commitment_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_commitment_changes_commitment_id_commitments"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_commitment_changes_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["commitment_milestones.id"],
            name=op.f("fk_commitment_changes_milestone_id_commitment_milestones"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_changes")),
    )
    with op.batch_alter_table("commitment_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitment_changes_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_commitment_changes_commitment_id"), ["commitment_id"], unique=False
        )

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secretariat_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forwarding_id", sa.Integer(), nullable=True),
        sa.Column("agenda_meeting_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agenda_meeting_id"],
            ["meetings.id"],
            name=op.f("fk_proposals_agenda_meeting_id_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["file_sha256"],
            ["stored_files.sha256"],
            name=op.f("fk_proposals_file_sha256_stored_files"),
        ),
        sa.ForeignKeyConstraint(
            ["forwarding_id"],
            ["proposal_forwardings.id"],
            name=op.f("fk_proposals_forwarding_id_proposal_forwardings"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_proposals_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["seats.id"], name=op.f("fk_proposals_seat_id_seats")
        ),
        sa.ForeignKeyConstraint(
            ["secretariat_id"],
            ["secretariats.id"],
            name=op.f("fk_proposals_secretariat_id_secretariats"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("secretariat_id", "number", name="uq_proposals_number"),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposals_forwarding_id"), ["forwarding_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposals_received_at"), ["received_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposals_secretariat_id"), ["secretariat_id"], unique=False
        )

    with op.batch_alter_table("secretariats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_channel", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("public_channel_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("secretariats", schema=None) as batch_op:
        batch_op.drop_column("public_channel_id")
        batch_op.drop_column("public_channel")

    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_secretariat_id"))
        batch_op.drop_index(batch_op.f("ix_proposals_received_at"))
        batch_op.drop_index(batch_op.f("ix_proposals_forwarding_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("commitment_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitment_changes_commitment_id"))
        batch_op.drop_index(batch_op.f("ix_commitment_changes_at"))

    op.drop_table("commitment_changes")
    with op.batch_alter_table("proposal_forwardings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_forwardings_next_attempt_at"))

    op.drop_table("proposal_forwardings")
    with op.batch_alter_table("commitment_milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitment_milestones_commitment_id"))

    op.drop_table("commitment_milestones")
    with op.batch_alter_table("communiques", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_communiques_secretariat_id"))

    op.drop_table("communiques")
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitments_secretariat_id"))

    op.drop_table("commitments")
    with op.batch_alter_table("channel_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_posts_sent_at"))
        batch_op.drop_index(batch_op.f("ix_channel_posts_secretariat_id"))

    op.drop_table("channel_posts")
