"""The GitHub Action (``action.yml``): ``python -m msgspec_dd.action [mask]``.

- :mod:`~msgspec_dd.action.run`: the step itself (lint, preview or send, outputs, summary).
- :mod:`~msgspec_dd.action.inputs`: the action's inputs, read from ``INPUT_*`` variables.
- :mod:`~msgspec_dd.action.changes`: ``changed-only``: the message files a push or pull request changed.
- :mod:`~msgspec_dd.action.send`: ``send`` in this process, so the summary shows the bodies posted.
- :mod:`~msgspec_dd.action.summary`: the job summary's markdown.
- :mod:`~msgspec_dd.action.runner`: the runner's files and workflow commands (outputs, masks).
"""
