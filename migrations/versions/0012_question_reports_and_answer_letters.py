"""question reports; attempts keep the answer given (item analysis)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('letters', sa.String(length=8), nullable=True))
    op.create_table(
        'question_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pack', sa.String(length=64), nullable=False),
        sa.Column('question_id', sa.String(length=64), nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=True),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('source', sa.String(length=8), nullable=False),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question_reports')),
        sa.UniqueConstraint('user_id', 'pack', 'question_id', name='uq_question_reports_member_question'),
    )
    with op.batch_alter_table('question_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_reports_guild_id'), ['guild_id'], unique=False)
        batch_op.create_index('ix_question_reports_pack_question', ['pack', 'question_id'], unique=False)


def downgrade() -> None:
    op.drop_table('question_reports')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('letters')
