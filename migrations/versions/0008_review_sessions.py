"""/review sessions: the cards drawn and each answer given

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'review_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=True),
        sa.Column('pack', sa.String(length=64), nullable=False),
        sa.Column('question_ids', sa.Text(), nullable=False),
        sa.Column('answers', sa.Text(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_review_sessions_user_id', 'review_sessions', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_review_sessions_user_id', table_name='review_sessions')
    op.drop_table('review_sessions')
