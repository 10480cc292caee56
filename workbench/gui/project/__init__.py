"""Creating and managing what a project holds from the window: projects, functions, and their files."""
