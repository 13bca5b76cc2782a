"""Reserved for the risk package (see DESIGN.md §3)."""
