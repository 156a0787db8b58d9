"""``msgspec-dd init``: the files it writes into a user's repository.

The templates are package data beside this file (one per generated file, flat, so no template is
ever mistaken for one of this repository's own message files or workflows); :mod:`.scaffold`
decides where each goes and never overwrites.
"""
