"""A local Capillary target-group API for development, demos and tests (like moto for AWS).

It imports nothing from the provider side on purpose: it is the independent oracle the
provider is tested against.
"""

from ._app import Credentials, create_app
from ._server import EmulatorServer
from ._store import Store

__all__ = ["Credentials", "EmulatorServer", "Store", "create_app"]
