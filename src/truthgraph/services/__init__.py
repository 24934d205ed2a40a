"""The design document's service faces (``truthgraph.services.ml``)."""
