"""Geodesy on the WGS84 ellipsoid and country boundaries."""
