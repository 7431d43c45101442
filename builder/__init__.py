"""archive-builder: a static site generator for raw archived news articles."""

__version__ = "0.1.0"
