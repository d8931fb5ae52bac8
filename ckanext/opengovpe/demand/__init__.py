"""Citizens' data requests: asked on the portal, moderated and answered by the entity, and
counted in the priority of the inventory items they are linked to."""
