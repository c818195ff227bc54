"""``python -m regkit``."""

from .cli import main

main()
