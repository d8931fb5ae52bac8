"""Load a plugin's config declaration file (each plugin of the package has its own)."""
from __future__ import annotations

import yaml

from ckan.config.declaration import Declaration


def load(declaration: Declaration, path: str) -> None:
    with open(path, encoding="utf-8") as stream:
        declaration.load_dict(yaml.safe_load(stream))
