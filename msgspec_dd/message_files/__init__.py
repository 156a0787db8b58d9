"""Message files, from disk to a rendered payload.

Discovery, loading, variables, templates, built-ins, rendering, and the staged pipeline that
lint and send share.
"""
