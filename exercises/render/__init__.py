"""Printers (one per output format) and the jinja2 sheet assembly."""
