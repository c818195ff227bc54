"""regkit: a company's written regulations as data: print them, generate their forms, audit records."""

from .errors import InputError, RegkitError
from .loader import Project, load_project

__version__ = "0.1.0"
__all__ = ["InputError", "Project", "RegkitError", "__version__", "load_project"]
