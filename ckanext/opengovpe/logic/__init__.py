"""Actions, auth functions, schemas and validators of ckanext-opengovpe."""
