"""A local Capillary target-group API for development, demos and tests (like moto for AWS).

It imports nothing from the provider side on purpose: it is the independent oracle the
provider is tested against.
"""

try:
    from ._app import Credentials, create_app
    from ._server import EmulatorServer
    from ._store import Store
except ModuleNotFoundError as missing:  # starlette and uvicorn come with the extra
    raise ModuleNotFoundError(
        f"The Capillary emulator needs {missing.name}, which comes with its extra; install "
        "it with: pip install 'pulumi-capillary[emulator]'.",
        name=missing.name,
    ) from None

__all__ = ["Credentials", "EmulatorServer", "Store", "create_app"]
