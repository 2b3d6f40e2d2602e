"""JavaScript and CSS inlined into every map page."""
