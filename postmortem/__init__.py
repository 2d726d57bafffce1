"""Post-mortems for SEV1/SEV2 incidents, published with mkdocs-material."""
