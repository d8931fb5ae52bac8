"""WSGI entry point served by uWSGI in the CKAN container.

The ini file is taken from $CKAN_INI (default /srv/app/ckan.ini); its
[logger_*] sections configure logging before the application is built.
"""
import logging.config
import os

from ckan.cli import load_config
from ckan.config.middleware import make_app

ini_path = os.environ.get("CKAN_INI", "/srv/app/ckan.ini")

try:
    logging.config.fileConfig(ini_path, disable_existing_loggers=False)
except (KeyError, ValueError) as exc:  # ini file without logging sections
    logging.basicConfig(level=logging.INFO)
    logging.getLogger(__name__).warning(
        "No usable logging configuration in %s (%s)", ini_path, exc
    )

application = make_app(load_config(ini_path))
