"""Versioned configuration shipped per financial year (`allocation-YYYY-YY.toml`)."""
