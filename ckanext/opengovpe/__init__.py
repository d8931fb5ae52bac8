"""ckanext-opengovpe: institutional open-data programmes for Peruvian public entities."""
