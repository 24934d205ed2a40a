"""The ONNX Runtime backend: export (``export``, needs torch), run (``embedder``, ``nli``:
torch-free), and the quality check that decides where int8 is used (``quality``).

Nothing is imported here, so importing a submodule loads only what it needs.
"""
