"""An ML service built on the organisation's golden path."""

__version__ = "0.1.0"
