"""The dashboard at /dashboard: the report's figures drawn for the head of support in the
browser (server-rendered HTML and SVG, nothing fetched from elsewhere), behind a login."""
