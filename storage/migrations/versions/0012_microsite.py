"""Microsite (R19): secretariats' slug, contact, links and licence; session evidence; the
citizen inbox (issue 13).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 04:38:57.349278
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.microsite import DEFAULT_LICENCE, unique_slug

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "inbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secretariat_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("folio", sa.String(length=24), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sender_name", sa.String(length=120), nullable=False),
        sa.Column("sector", sa.String(length=120), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("form_nonce", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("noticed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("notice_message_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["members.id"], name=op.f("fk_inbox_messages_answered_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["secretariat_id"],
            ["secretariats.id"],
            name=op.f("fk_inbox_messages_secretariat_id_secretariats"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_messages")),
        sa.UniqueConstraint("form_nonce", name=op.f("uq_inbox_messages_form_nonce")),
        sa.UniqueConstraint(
            "secretariat_id",
            "form",
            "year",
            "sequence",
            name=op.f("uq_inbox_messages_secretariat_id"),
        ),
    )
    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbox_messages_noticed_at"), ["noticed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inbox_messages_secretariat_id"), ["secretariat_id"], unique=False
        )

    op.create_table(
        "session_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name=op.f("fk_session_evidence_created_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_session_evidence_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["stored_files.sha256"],
            name=op.f("fk_session_evidence_sha256_stored_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_evidence")),
        sa.UniqueConstraint("meeting_id", "number", name="uq_session_evidence_number"),
        sa.UniqueConstraint("meeting_id", "sha256", name="uq_session_evidence_sha256"),
    )
    with op.batch_alter_table("session_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_evidence_meeting_id"), ["meeting_id"], unique=False
        )

    with op.batch_alter_table("secretariats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slug", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("contact", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("links", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column(
                "licence", sa.String(length=200), nullable=False, server_default=DEFAULT_LICENCE
            )
        )
    # Existing secretariats get their address from their name, in creation order.
    connection = op.get_bind()
    taken: set[str] = set()
    for row in connection.execute(sa.text("SELECT id, name FROM secretariats ORDER BY id")):
        slug = unique_slug(row.name, taken)
        taken.add(slug)
        connection.execute(
            sa.text("UPDATE secretariats SET slug = :slug WHERE id = :id"),
            {"slug": slug, "id": row.id},
        )
    with op.batch_alter_table("secretariats", schema=None) as batch_op:
        batch_op.alter_column("slug", existing_type=sa.String(length=80), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_secretariats_slug"), ["slug"])


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("secretariats", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_secretariats_slug"), type_="unique")
        batch_op.drop_column("licence")
        batch_op.drop_column("links")
        batch_op.drop_column("contact")
        batch_op.drop_column("slug")

    with op.batch_alter_table("session_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_evidence_meeting_id"))

    op.drop_table("session_evidence")
    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_messages_secretariat_id"))
        batch_op.drop_index(batch_op.f("ix_inbox_messages_noticed_at"))

    op.drop_table("inbox_messages")
