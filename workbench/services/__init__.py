"""The local AWS services (DESIGN.md §2 decision 8): moto's server in a child process, the one endpoint's
forwarding hop, the template's supporting resources, and the AWS SDKs shipped into environments."""

from workbench.services.local import DUMMY_CREDENTIALS, LocalServices, ServicesError, client_for
from workbench.services.provisioning import provision, supported_resources

__all__ = ["DUMMY_CREDENTIALS", "LocalServices", "ServicesError", "client_for", "provision", "supported_resources"]
