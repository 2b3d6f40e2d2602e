"""GIS outputs: GeoJSON, GeoPackage with QGIS styles, FlatGeobuf, KML, CSV, provenance."""
