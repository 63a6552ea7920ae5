"""shared database: API tokens, file grants, copy requests, webhooks, saved searches (branch "shared")

Revision ID: s001
Revises: 0002
Depends on: w001 (file grants refer to users)
"""

import sqlalchemy as sa
from alembic import op

revision = 's001'
down_revision = '0002'
branch_labels = ('shared',)
depends_on = ('w001',)


def upgrade() -> None:
    op.create_table('saved_searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('query', sa.String(length=500), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_searches'))
    )
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_searches_owner'), ['owner'], unique=False)

    op.create_table('webhooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhooks'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_api_tokens_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webhook_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('event', sa.String(length=60), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_try', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['webhook_id'], ['webhooks.id'], name=op.f('fk_webhook_deliveries_webhook_id_webhooks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_next_try'), ['next_try'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_webhook_id'), ['webhook_id'], unique=False)

    op.create_table('file_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('token_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('granted_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['file_id'], ['file_units.id'], name=op.f('fk_file_grants_file_id_file_units')),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_file_grants_token_id_api_tokens')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_file_grants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_file_grants'))
    )
    with op.batch_alter_table('file_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_file_grants_file_id'), ['file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_file_grants_token_id'), ['token_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_file_grants_user_id'), ['user_id'], unique=False)

    op.create_table('copy_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('requester_name', sa.String(length=200), nullable=False),
    sa.Column('id_number', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('purpose', sa.String(length=1000), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('copy_object_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['copy_object_id'], ['stored_objects.id'], name=op.f('fk_copy_requests_copy_object_id_stored_objects')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_copy_requests_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_copy_requests')),
    sa.UniqueConstraint('code', name=op.f('uq_copy_requests_code'))
    )
    with op.batch_alter_table('copy_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_copy_requests_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_copy_requests_state'), ['state'], unique=False)

    # Covering index for the search join: scope and filter columns without reading the wide rows (text).
    op.create_index("ix_documents_search_scope", "documents",
                    ["id", "access_level", "unit_id", "issued_date", "secrecy", "type_name", "file_id"])
    if op.get_bind().dialect.name == "sqlite":
        # The vocabulary of the folded column, for "did you mean" suggestions.
        op.execute("CREATE VIRTUAL TABLE doc_fts_vocab USING fts5vocab(doc_fts, 'col')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE doc_fts_vocab")
    op.drop_index("ix_documents_search_scope", table_name="documents")
    with op.batch_alter_table('copy_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_copy_requests_state'))
        batch_op.drop_index(batch_op.f('ix_copy_requests_document_id'))

    op.drop_table('copy_requests')
    with op.batch_alter_table('file_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_file_grants_user_id'))
        batch_op.drop_index(batch_op.f('ix_file_grants_token_id'))
        batch_op.drop_index(batch_op.f('ix_file_grants_file_id'))

    op.drop_table('file_grants')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_webhook_id'))
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_state'))
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_next_try'))

    op.drop_table('webhook_deliveries')
    op.drop_table('api_tokens')
    op.drop_table('webhooks')
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_searches_owner'))

    op.drop_table('saved_searches')
