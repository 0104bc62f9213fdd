"""Email confirmation for self-registered accounts; existing accounts count as confirmed.

Revision ID: 0004_email_confirmation
Revises: 0003_quizzes_scenarios
"""
import sqlalchemy as sa
from alembic import op

import academy.core.db

revision = "0004_email_confirmation"
down_revision = "0003_quizzes_scenarios"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_confirmed_at", academy.core.db.UTCDateTime(timezone=True),
                                      nullable=True))
    # Nobody who could sign in before this migration is locked out by it.
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_confirmed_at")
