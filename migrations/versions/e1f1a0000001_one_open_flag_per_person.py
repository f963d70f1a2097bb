"""flags: one open flag per person per post, held by the database (a partial unique index)

Open duplicates that slipped in before (two tabs at once) are closed first, keeping the
oldest, so the index can be built on a live database.

Revision ID: e1f1a0000001
Revises: d0b1c0000001
Create Date: 2026-12-02 16:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f1a0000001'
down_revision = 'd0b1c0000001'
branch_labels = None
depends_on = None

OPEN = sa.text('resolved_at IS NULL')


def upgrade():
    op.execute(
        "UPDATE flags SET resolved_at = CURRENT_TIMESTAMP, resolution = 'duplicate' "
        "WHERE resolved_at IS NULL AND id NOT IN ("
        "SELECT MIN(id) FROM flags WHERE resolved_at IS NULL GROUP BY post_id, user_id)")
    op.create_index('uq_flags_open', 'flags', ['post_id', 'user_id'], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    op.drop_index('uq_flags_open', table_name='flags')
