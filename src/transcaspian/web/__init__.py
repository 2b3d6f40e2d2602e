"""Interactive folium maps: display geometry, popups, payload, page, assets."""
