"""The explorer's widgets: layers, details, the file tree and the filter bar."""
