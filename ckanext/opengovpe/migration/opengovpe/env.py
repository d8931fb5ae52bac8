"""Alembic environment of the plugin named by this folder."""
import os

from ckanext.opengovpe.migration.alembic_env import run

run(os.path.basename(os.path.dirname(os.path.abspath(__file__))))
