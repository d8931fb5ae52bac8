"""The portal as a WSGI application for a production server, e.g.
``CKAN_INI=ckan.ini gunicorn 'ckanext.opengovpe.wsgi:create_app()'``.

Each server worker builds its own application (and database connections) from the ini.
Run ``ckan translation js`` once before starting the server (``scripts/run.sh`` and the
container's start script do): ``ckan run`` writes the translations of the pages' scripts
at start, a WSGI server does not, and without them those scripts speak English.
"""
from __future__ import annotations

import logging.config
import os
from typing import Any

from ckan.cli import load_config
from ckan.config.middleware import make_app


def create_app() -> Any:
    """CKAN built from the ini file named by ``CKAN_INI``, with its logging sections."""
    ini = os.environ["CKAN_INI"]
    try:
        logging.config.fileConfig(ini, disable_existing_loggers=False)
    except KeyError:  # an ini without [loggers]: CKAN's own defaults then
        logging.basicConfig(level=logging.INFO)
    return make_app(load_config(ini))
