"""Federation with other catalogues: the national portal's sync report and safe RDF harvesting."""
