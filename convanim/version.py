"""convanim's version (``convanim.__version__``): its own module, so that any layer may read it without
importing the package's face (`convanim/__init__.py`)."""

__version__ = "0.3.0"
