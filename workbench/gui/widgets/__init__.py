"""Reusable widgets: the message bar, the code view with line numbers, the find bar, syntax highlighting."""
