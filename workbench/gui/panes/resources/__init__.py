"""The local resources browser: the list of resources and one detail panel per kind."""
