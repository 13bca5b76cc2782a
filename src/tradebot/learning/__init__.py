"""Reserved for the learning package (see DESIGN.md §3)."""
