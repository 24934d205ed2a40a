"""The HTTP service: ``create_app(settings, parts)`` (FastAPI) and its web page.

Needs the ``api`` extra (``pip install 'truthgraph[api]'``). Importing this package builds
nothing; ``create_app`` builds the app, and its lifespan loads the models and opens the
database.
"""

from truthgraph.api.app import create_app

__all__ = ["create_app"]
