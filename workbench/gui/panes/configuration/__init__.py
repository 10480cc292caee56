"""A function's Configuration view (general settings, environment, concurrency, layers, versions and aliases)
and its code folder's file tree."""
