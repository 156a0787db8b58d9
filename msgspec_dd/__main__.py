"""``python -m msgspec_dd``."""

from msgspec_dd.cli import main

main()
