"""The catalogue of what a user can start from: function blueprints (`workbench new`) and application
templates (`workbench init --app-template`), both shipped in the repository's top-level `blueprints/`."""
