"""schedules remember when they last changed (occurrences before that were never missed)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('schedules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute('UPDATE schedules SET changed_at = created_at')
    with op.batch_alter_table('schedules', schema=None) as batch_op:
        batch_op.alter_column('changed_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('schedules', schema=None) as batch_op:
        batch_op.drop_column('changed_at')
