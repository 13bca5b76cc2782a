"""STUB (to be written)."""
