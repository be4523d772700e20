"""answer letters hold an order or seven pairs: ordering and matching questions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ('answers', 'mock_answers'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('letters', existing_type=sa.String(length=6), type_=sa.String(length=8))


def downgrade() -> None:
    for table in ('answers', 'mock_answers'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('letters', existing_type=sa.String(length=8), type_=sa.String(length=6))
