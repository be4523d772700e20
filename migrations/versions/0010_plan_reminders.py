"""plan reminders: the day the last one was claimed, and closed DMs

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('study_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('dm_closed', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('dm_closed_told', sa.Boolean(), nullable=False, server_default=sa.false()))
    # The defaults only fill rows that already exist; the bot always writes both.
    with op.batch_alter_table('study_plans', schema=None) as batch_op:
        batch_op.alter_column('dm_closed', existing_type=sa.Boolean(), server_default=None)
        batch_op.alter_column('dm_closed_told', existing_type=sa.Boolean(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('study_plans', schema=None) as batch_op:
        batch_op.drop_column('dm_closed_told')
        batch_op.drop_column('dm_closed')
        batch_op.drop_column('reminded_on')
