"""contests: a call run as a best-practice contest: categories, rubric dimensions, jury
(and the categories each juror evaluates), entries, scores and awards

Revision ID: c0a7e5000001
Revises: a1b7a0000001
Create Date: 2026-12-02 08:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0a7e5000001'
down_revision = 'a1b7a0000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('score_min', sa.Integer(), nullable=False),
    sa.Column('score_max', sa.Integer(), nullable=False),
    sa.Column('mentions_max', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_contests_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_contests_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contests')),
    sa.UniqueConstraint('call_id', name=op.f('uq_contests_call_id'))
    )
    op.create_table('contest_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_categories_contest_id_contests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_categories')),
    sa.UniqueConstraint('contest_id', 'name', name=op.f('uq_contest_categories_contest_id'))
    )
    op.create_table('contest_dimensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('guidance', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_dimensions_contest_id_contests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_dimensions')),
    sa.UniqueConstraint('contest_id', 'name', name=op.f('uq_contest_dimensions_contest_id'))
    )
    op.create_table('contest_jurors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_jurors_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contest_jurors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_jurors')),
    sa.UniqueConstraint('contest_id', 'user_id', name=op.f('uq_contest_jurors_contest_id'))
    )
    op.create_index(op.f('ix_contest_jurors_user_id'), 'contest_jurors', ['user_id'], unique=False)
    op.create_table('contest_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('ficha_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('tie_order', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['category_id'], ['contest_categories.id'], name=op.f('fk_contest_entries_category_id_contest_categories'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_entries_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ficha_id'], ['fichas.id'], name=op.f('fk_contest_entries_ficha_id_fichas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['call_submissions.id'], name=op.f('fk_contest_entries_submission_id_call_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_entries')),
    sa.UniqueConstraint('contest_id', 'ficha_id', name=op.f('uq_contest_entries_contest_id')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_contest_entries_submission_id'))
    )
    op.create_index(op.f('ix_contest_entries_category_id'), 'contest_entries', ['category_id'], unique=False)
    op.create_index(op.f('ix_contest_entries_ficha_id'), 'contest_entries', ['ficha_id'], unique=False)
    op.create_table('contest_juror_categories',
    sa.Column('juror_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['contest_categories.id'], name=op.f('fk_contest_juror_categories_category_id_contest_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['juror_id'], ['contest_jurors.id'], name=op.f('fk_contest_juror_categories_juror_id_contest_jurors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('juror_id', 'category_id', name=op.f('pk_contest_juror_categories'))
    )
    op.create_table('contest_awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['contest_categories.id'], name=op.f('fk_contest_awards_category_id_contest_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_awards_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['contest_entries.id'], name=op.f('fk_contest_awards_entry_id_contest_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_awards')),
    sa.UniqueConstraint('category_id', 'kind', 'slot', name=op.f('uq_contest_awards_category_id')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_contest_awards_entry_id'))
    )
    op.create_index(op.f('ix_contest_awards_contest_id'), 'contest_awards', ['contest_id'], unique=False)
    op.create_table('contest_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('juror_id', sa.Integer(), nullable=False),
    sa.Column('dimension_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('scored_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['dimension_id'], ['contest_dimensions.id'], name=op.f('fk_contest_scores_dimension_id_contest_dimensions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['contest_entries.id'], name=op.f('fk_contest_scores_entry_id_contest_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['juror_id'], ['contest_jurors.id'], name=op.f('fk_contest_scores_juror_id_contest_jurors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_scores')),
    sa.UniqueConstraint('entry_id', 'juror_id', 'dimension_id', name=op.f('uq_contest_scores_entry_id'))
    )
    op.create_index(op.f('ix_contest_scores_dimension_id'), 'contest_scores', ['dimension_id'], unique=False)
    op.create_index(op.f('ix_contest_scores_juror_id'), 'contest_scores', ['juror_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_contest_scores_juror_id'), table_name='contest_scores')
    op.drop_index(op.f('ix_contest_scores_dimension_id'), table_name='contest_scores')
    op.drop_table('contest_scores')
    op.drop_index(op.f('ix_contest_awards_contest_id'), table_name='contest_awards')
    op.drop_table('contest_awards')
    op.drop_table('contest_juror_categories')
    op.drop_index(op.f('ix_contest_entries_ficha_id'), table_name='contest_entries')
    op.drop_index(op.f('ix_contest_entries_category_id'), table_name='contest_entries')
    op.drop_table('contest_entries')
    op.drop_index(op.f('ix_contest_jurors_user_id'), table_name='contest_jurors')
    op.drop_table('contest_jurors')
    op.drop_table('contest_dimensions')
    op.drop_table('contest_categories')
    op.drop_table('contests')
