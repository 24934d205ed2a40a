"""Benchmark and profiling tools of the performance guide, as library code.

The ``scripts/*.py`` files and ``truthgraph bench ...`` are thin command-line faces over these
modules; every tool writes JSON that includes a description of the machine.
"""
