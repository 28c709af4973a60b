"""One module per lecture topic; each registers its templates when imported."""
