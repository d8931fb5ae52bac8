"""The portal's recurring work: what runs, how often, and what happened last time."""
