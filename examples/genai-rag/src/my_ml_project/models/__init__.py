"""Baseline models behind the `predict` step: simple, honest, and meant to be replaced.

Each module reads its kit's inputs from evals/config.toml paths and writes the predictions
file the eval gate reads. Swap the model inside `predict` for the real one and keep the
output format; the gate does not care how the numbers were made.
"""
