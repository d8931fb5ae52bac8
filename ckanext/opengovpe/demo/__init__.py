"""Demo content for a first start of the portal."""
