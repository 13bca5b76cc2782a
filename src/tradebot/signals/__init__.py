"""Reserved for the signals package (see DESIGN.md §3)."""
