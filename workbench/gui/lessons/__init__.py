"""The lesson player (a dock) that plays lesson files in the window."""
