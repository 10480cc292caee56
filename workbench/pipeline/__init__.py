"""The build-and-deploy pipeline of application templates: every push to the project's `origin` is a run
(Source, Build, Deploy), recorded durably in the project's store (`.workbench/state.db`)."""
