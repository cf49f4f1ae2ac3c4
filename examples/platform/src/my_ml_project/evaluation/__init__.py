"""Evals as code: metric kits, a vectorised bootstrap and the gate that CI runs."""
