"""A change counter on each quiz answer, so that a save from an outdated page is refused instead of overwriting a
newer answer; answers saved before count as changed once.

Revision ID: 0006_answer_versions
Revises: 0004_email_confirmation
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_answer_versions"
down_revision = "0004_email_confirmation"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("quiz_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("response_version", sa.Integer(), server_default="0", nullable=False))
    # A page drawn before this migration sends no version: its change to a saved answer is then refused (the
    # learner sees the saved answer and saves again) rather than taken blindly.
    # (No response is stored either as SQL NULL or as the JSON value null.)
    op.execute("UPDATE quiz_answers SET response_version = 1 WHERE response IS NOT NULL AND CAST(response AS TEXT) <> 'null'")


def downgrade():
    with op.batch_alter_table("quiz_answers", schema=None) as batch_op:
        batch_op.drop_column("response_version")
