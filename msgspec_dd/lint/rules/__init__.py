"""One module per lint rule; the registry of them is :mod:`msgspec_dd.lint.registry`.

Import-free, so the loader, the variables and the renderer can import the rule module whose id
they report without loading every rule.
"""
