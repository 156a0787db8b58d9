"""The JSON Schemas.

The shipped files (``files``, a link to the top-level ``schemas/``), validators and bundling,
located schema issues, and the schemas users write for their variables.
"""
