"""One use case per module, each a class with one public `execute` method."""
