from setuptools import setup

# Metadata lives in pyproject.toml and setup.cfg; this file is kept for
# `pip install -e .` with older tooling and for babel's message commands.
setup(
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
