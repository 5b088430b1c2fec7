"""instrumap: find, resolve and audit analytics instrumentation in Wikimedia code."""

__version__ = "0.1.0"
