"""``python -m pulumi_capillary.plugin``: the resource provider's process (``server.py``)."""

from .server import main

main()
