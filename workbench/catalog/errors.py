"""The catalogue's one error type: a message a user can act on (the CLI prints it as one line)."""


class CatalogError(ValueError):
    """A bad blueprint or template name, a clash with what a project holds, a folder that is not empty..."""
