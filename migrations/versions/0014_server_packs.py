"""question packs uploaded by a server, for that server only

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'server_packs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('guild_id', sa.BigInteger(), nullable=False),
        sa.Column('slug', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('filename', sa.String(length=128), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('questions', sa.Integer(), nullable=False),
        sa.Column('uploaded_by', sa.BigInteger(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_server_packs')),
        sa.UniqueConstraint('slug', name='uq_server_packs_slug'),
    )
    with op.batch_alter_table('server_packs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_server_packs_guild_id'), ['guild_id'], unique=False)
    # A domain board is "<pack>:<domain id>", and a server pack's slug is longer than a shipped one's.
    with op.batch_alter_table('period_stats', schema=None) as batch_op:
        batch_op.alter_column('domain_id', existing_type=sa.String(length=16), type_=sa.String(length=96))


def downgrade() -> None:
    with op.batch_alter_table('period_stats', schema=None) as batch_op:
        batch_op.alter_column('domain_id', existing_type=sa.String(length=96), type_=sa.String(length=16))
    op.drop_table('server_packs')
