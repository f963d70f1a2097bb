"""library: guides and documents, their files, themes, sheet parts and recommendations

Revision ID: a1b7a0000001
Revises: f1c4a0000001
Create Date: 2026-12-02 08:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1b7a0000001'
down_revision = 'f1c4a0000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'library_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('authors', sa.String(length=300), nullable=False),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('summary_html', sa.Text(), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_library_items_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_library_items')),
    )
    with op.batch_alter_table('library_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_items_language'), ['language'], unique=False)
        batch_op.create_index(batch_op.f('ix_library_items_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_library_items_updated_at'), ['updated_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_library_items_year'), ['year'], unique=False)

    op.create_table(
        'library_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('uploader_id', sa.Integer(), nullable=False),
        sa.Column('display_name', sa.String(length=160), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('mime', sa.String(length=120), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['library_items.id'],
                                name=op.f('fk_library_files_item_id_library_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploader_id'], ['users.id'],
                                name=op.f('fk_library_files_uploader_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_library_files')),
        sa.UniqueConstraint('item_id', name=op.f('uq_library_files_item_id')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_library_files_stored_name')),
    )

    op.create_table(
        'library_parts',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('part', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['library_items.id'],
                                name=op.f('fk_library_parts_item_id_library_items'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id', 'part', name=op.f('pk_library_parts')),
    )
    with op.batch_alter_table('library_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_parts_part'), ['part'], unique=False)

    op.create_table(
        'library_themes',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['library_items.id'],
                                name=op.f('fk_library_themes_item_id_library_items'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id', 'code', name=op.f('pk_library_themes')),
    )
    with op.batch_alter_table('library_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_themes_code'), ['code'], unique=False)

    op.create_table(
        'library_recommendations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('ficha_id', sa.Integer(), nullable=True),
        sa.Column('space_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.CheckConstraint('(ficha_id IS NULL) <> (space_id IS NULL)',
                           name=op.f('ck_library_recommendations_one_target')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_library_recommendations_created_by_id_users')),
        sa.ForeignKeyConstraint(['ficha_id'], ['fichas.id'],
                                name=op.f('fk_library_recommendations_ficha_id_fichas'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['item_id'], ['library_items.id'],
                                name=op.f('fk_library_recommendations_item_id_library_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['space_id'], ['spaces.id'],
                                name=op.f('fk_library_recommendations_space_id_spaces'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_library_recommendations')),
        sa.UniqueConstraint('item_id', 'ficha_id', name='uq_library_recommendations_ficha'),
        sa.UniqueConstraint('item_id', 'space_id', name='uq_library_recommendations_space'),
    )
    with op.batch_alter_table('library_recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_recommendations_ficha_id'), ['ficha_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_library_recommendations_space_id'), ['space_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('library_recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_recommendations_space_id'))
        batch_op.drop_index(batch_op.f('ix_library_recommendations_ficha_id'))
    op.drop_table('library_recommendations')
    with op.batch_alter_table('library_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_themes_code'))
    op.drop_table('library_themes')
    with op.batch_alter_table('library_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_parts_part'))
    op.drop_table('library_parts')
    op.drop_table('library_files')
    with op.batch_alter_table('library_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_items_year'))
        batch_op.drop_index(batch_op.f('ix_library_items_updated_at'))
        batch_op.drop_index(batch_op.f('ix_library_items_source'))
        batch_op.drop_index(batch_op.f('ix_library_items_language'))
    op.drop_table('library_items')
