"""The `my-ml-project` package."""

__version__ = "0.1.0"
