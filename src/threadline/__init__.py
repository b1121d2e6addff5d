"""threadline: privacy-by-design intelligence platform against human trafficking.

The stages are plain functions over the store; the CLI, API and web UI are thin
adapters over them.
"""

__version__ = "0.1.0"
TOOL_NAME = "threadline"
