"""notifications: call_id, for notices about a call (a contest's jury) rather than a post or sheet

Revision ID: d0b1c0000001
Revises: c0a7e5000001
Create Date: 2026-12-02 14:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd0b1c0000001'
down_revision = 'c0a7e5000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_notifications_call_id_calls', 'calls', ['call_id'],
                                    ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint('fk_notifications_call_id_calls', type_='foreignkey')
        batch_op.drop_column('call_id')
