"""Model code: the only package that imports torch."""
