"""WSGI entry point for the load test: CKAN built from the ini in ``CKAN_INI``."""
from __future__ import annotations

import os

from ckan.cli import load_config
from ckan.config.middleware import make_app

application = make_app(load_config(os.environ["CKAN_INI"]))
