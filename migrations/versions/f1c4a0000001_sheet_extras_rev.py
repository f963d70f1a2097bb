"""sheets: extras_rev, bumped when awards or recommended guides shown beside a sheet change

Revision ID: f1c4a0000001
Revises: 5ea2c4000001
Create Date: 2026-12-02 08:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1c4a0000001'
down_revision = '5ea2c4000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fichas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extras_rev', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('fichas', schema=None) as batch_op:
        batch_op.drop_column('extras_rev')
