"""The ``truthgraph`` command line: a shell over the library."""
