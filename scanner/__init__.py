"""pii-scanner: find personal and confidential data in document corpora and assign an LLM-policy tier."""

__version__ = "0.1.0"
