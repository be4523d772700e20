"""a schedule may name its own exam; domain boards are per exam

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every answer stored before servers could study several exams was an MLS-C01 answer.
FIRST_PACK = 'mls-c01'


def upgrade() -> None:
    with op.batch_alter_table('schedules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pack', sa.String(length=64), nullable=True))
    # Domain boards were keyed by the domain id alone; an AIP-C01 domain 3 is not an MLS-C01 domain 3.
    op.execute(
        sa.text("UPDATE period_stats SET domain_id = :pack || ':' || domain_id WHERE domain_id != ''").bindparams(
            pack=FIRST_PACK
        )
    )


def downgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE period_stats SET domain_id = substr(domain_id, length(:pack) + 2) "
            "WHERE domain_id LIKE :pack || ':%'"
        ).bindparams(pack=FIRST_PACK)
    )
    with op.batch_alter_table('schedules', schema=None) as batch_op:
        batch_op.drop_column('pack')
