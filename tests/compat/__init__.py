"""Unit tests of sockkit.compat."""
