"""Citizens' data requests to an entity, the people who support and follow them.

A request is asked on the public "Solicitar datos" page (or through the API), moderated by
the entity's admins and answered by them: linked to an inventory item of one of the
entity's plans (which then counts it among the item's demand, ``opengovpe_demand``), to an
existing dataset of the entity, or declined with a reason. Created by alembic
(``ckan db upgrade -p opengovpe``).
"""
from __future__ import annotations

import sqlalchemy as sa

from ckan.model import meta

data_request_table = sa.Table(
    "opengovpe_data_request",
    meta.metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("owner_org", sa.Text, sa.ForeignKey("group.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    # personal data: never shown publicly, never exported, used only to send the answer
    sa.Column("contact_name", sa.Text),
    sa.Column("contact_email", sa.Text),
    sa.Column("user_id", sa.Text, sa.ForeignKey("user.id", ondelete="SET NULL")),
    # moderation: pendiente (only the entity's admins see it), aprobada (public), oculta, spam
    sa.Column("state", sa.Text, nullable=False, server_default="pendiente"),
    sa.Column("moderated", sa.DateTime),
    # answer: abierta, vinculada-item, vinculada-dataset, rechazada
    sa.Column("status", sa.Text, nullable=False, server_default="abierta"),
    sa.Column("item_id", sa.Text,
              sa.ForeignKey("opengovpe_plan_item.id", ondelete="SET NULL")),
    sa.Column("dataset_id", sa.Text, sa.ForeignKey("package.id", ondelete="SET NULL")),
    sa.Column("answer", sa.Text),
    sa.Column("answered", sa.DateTime),
    sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.Index("opengovpe_data_request_org_idx", "owner_org", "state"),
    sa.Index("opengovpe_data_request_item_idx", "item_id"),
)

def _mark_table(name: str) -> sa.Table:
    """One support ("me sumo") or one follow per account and request."""
    return sa.Table(
        name,
        meta.metadata,
        sa.Column("request_id", sa.Text, sa.ForeignKey("opengovpe_data_request.id",
                                                       ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Text, sa.ForeignKey("user.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )


data_request_support_table = _mark_table("opengovpe_data_request_support")
data_request_follow_table = _mark_table("opengovpe_data_request_follow")
