"""The DingTalk-aware linter: one rule per module in :mod:`msgspec_dd.lint.rules`."""
