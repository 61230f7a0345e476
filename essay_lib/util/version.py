"""The package version (also in ``pyproject.toml``; a test keeps the two equal).

Part of every cache key: a new version invalidates every cached sweep entry.
"""

VERSION = "0.2.0"
