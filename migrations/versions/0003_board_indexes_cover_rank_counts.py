"""board indexes cover the rank counts (user id as the last tie-break, answered on the accuracy board)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BOARD = ['guild_id', 'period', 'period_start', 'domain_id']


def upgrade() -> None:
    # A member's rank counts the rows ahead of theirs; with every column the boards order by in the
    # index, SQLite counts from the index alone instead of reading each row.
    with op.batch_alter_table('period_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_period_stats_board')
        batch_op.drop_index('ix_period_stats_accuracy')
        batch_op.create_index('ix_period_stats_board', [*BOARD, 'points', 'correct', 'user_id'], unique=False)
        batch_op.create_index(
            'ix_period_stats_accuracy', [*BOARD, 'accuracy', 'answered', 'user_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('period_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_period_stats_accuracy')
        batch_op.drop_index('ix_period_stats_board')
        batch_op.create_index('ix_period_stats_board', [*BOARD, 'points', 'correct'], unique=False)
        batch_op.create_index('ix_period_stats_accuracy', [*BOARD, 'accuracy'], unique=False)
