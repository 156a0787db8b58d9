"""``python -m msgspec_dd.action [mask]``, as ``action.yml`` runs it."""

from msgspec_dd.action.run import main

main()
