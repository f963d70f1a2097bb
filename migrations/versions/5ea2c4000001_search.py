"""search: pending index changes, words for suggestions, PostgreSQL documents

Revision ID: 5ea2c4000001
Revises: 11fe00000001
Create Date: 2026-12-02 03:30:00.000000

The tsvector column is TEXT on SQLite (the table stays empty there: whoosh is the index)
and its index is GIN on PostgreSQL, a plain index elsewhere; both match the models.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '5ea2c4000001'
down_revision = '11fe00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_documents',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('date', sa.DateTime(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('space_kind', sa.String(length=20), nullable=False),
    sa.Column('space_title', sa.String(length=200), nullable=False),
    sa.Column('root_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=80), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('themes', sa.String(length=600), nullable=False),
    sa.Column('actors', sa.String(length=600), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('modality', sa.String(length=20), nullable=False),
    sa.Column('visibility', sa.String(length=12), nullable=False),
    sa.Column('stamp', sa.String(length=16), nullable=False),
    sa.Column('tsv', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_search_documents'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_documents_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_documents_date'), ['date'], unique=False)
        batch_op.create_index('ix_search_documents_kind_date', ['kind', 'date'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_documents_root_id'), ['root_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_documents_space_id'), ['space_id'], unique=False)
        batch_op.create_index('ix_search_documents_tsv', ['tsv'], unique=False, postgresql_using='gin')

    op.create_table('search_pending',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_pending'))
    )
    op.create_table('search_words',
    sa.Column('word', sa.String(length=40), nullable=False),
    sa.Column('term', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_words'))
    )


def downgrade():
    op.drop_table('search_words')
    op.drop_table('search_pending')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_tsv', postgresql_using='gin')
        batch_op.drop_index(batch_op.f('ix_search_documents_space_id'))
        batch_op.drop_index(batch_op.f('ix_search_documents_root_id'))
        batch_op.drop_index('ix_search_documents_kind_date')
        batch_op.drop_index(batch_op.f('ix_search_documents_date'))
        batch_op.drop_index(batch_op.f('ix_search_documents_author_id'))

    op.drop_table('search_documents')
