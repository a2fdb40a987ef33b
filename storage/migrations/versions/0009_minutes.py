"""Minutes with legal weight: notes, versions, signatures, copies, the garante's e-mail
(issue 11; R14, R15a, R20).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:51:18
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply; existing secretariats get the defaults (presentes, 2d,0d)."""
    op.create_table(
        "stored_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_files")),
    )
    op.create_table(
        "garante_mailings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_garante_mailings_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_garante_mailings")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_garante_mailings_meeting_id")),
    )
    with op.batch_alter_table("garante_mailings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_garante_mailings_next_attempt_at"), ["next_attempt_at"], unique=False
        )

    op.create_table(
        "minutes_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name=op.f("fk_minutes_notes_created_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_minutes_notes_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_notes")),
    )
    with op.batch_alter_table("minutes_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minutes_notes_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "minutes_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("docx_sha256", sa.String(length=64), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("circulated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signatories", sa.JSON(), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name=op.f("fk_minutes_versions_created_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["docx_sha256"],
            ["stored_files.sha256"],
            name=op.f("fk_minutes_versions_docx_sha256_stored_files"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_minutes_versions_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["stored_files.sha256"],
            name=op.f("fk_minutes_versions_sha256_stored_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_versions")),
        sa.UniqueConstraint("meeting_id", "number", name="uq_minutes_versions_number"),
    )
    with op.batch_alter_table("minutes_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minutes_versions_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_minutes_versions_sha256"), ["sha256"], unique=False)

    op.create_table(
        "minutes_change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("commented_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_minutes_change_requests_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["minutes_versions.id"],
            name=op.f("fk_minutes_change_requests_version_id_minutes_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_change_requests")),
    )
    with op.batch_alter_table("minutes_change_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minutes_change_requests_chat_id"), ["chat_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_minutes_change_requests_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "minutes_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("seat", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_minutes_signatures_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["minutes_versions.id"],
            name=op.f("fk_minutes_signatures_version_id_minutes_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_signatures")),
        sa.UniqueConstraint("version_id", "member_id", name="uq_minutes_signatures_signer"),
    )
    with op.batch_alter_table("minutes_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minutes_signatures_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "signed_minutes",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sealed", sa.Boolean(), nullable=False),
        sa.Column("copies_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_signed_minutes_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["stored_files.sha256"], name=op.f("fk_signed_minutes_sha256_stored_files")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["minutes_versions.id"],
            name=op.f("fk_signed_minutes_version_id_minutes_versions"),
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_signed_minutes")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("minutes_sent_via", sa.String(length=16), nullable=True))

    with op.batch_alter_table("secretariats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "minutes_signatories",
                sa.String(length=16),
                nullable=False,
                server_default="presentes",
            )
        )
        batch_op.add_column(
            sa.Column(
                "remind_signature", sa.String(length=40), nullable=False, server_default="2d,0d"
            )
        )


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("secretariats", schema=None) as batch_op:
        batch_op.drop_column("remind_signature")
        batch_op.drop_column("minutes_signatories")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("minutes_sent_via")

    op.drop_table("signed_minutes")
    with op.batch_alter_table("minutes_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_signatures_version_id"))

    op.drop_table("minutes_signatures")
    with op.batch_alter_table("minutes_change_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_change_requests_version_id"))
        batch_op.drop_index(batch_op.f("ix_minutes_change_requests_chat_id"))

    op.drop_table("minutes_change_requests")
    with op.batch_alter_table("minutes_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_versions_sha256"))
        batch_op.drop_index(batch_op.f("ix_minutes_versions_meeting_id"))

    op.drop_table("minutes_versions")
    with op.batch_alter_table("minutes_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_notes_meeting_id"))

    op.drop_table("minutes_notes")
    with op.batch_alter_table("garante_mailings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_garante_mailings_next_attempt_at"))

    op.drop_table("garante_mailings")
    op.drop_table("stored_files")
