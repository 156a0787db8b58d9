"""DingTalk platform knowledge, with no I/O.

Errcodes and their hints, keywords, the markdown subset, the message view, wire encoding,
signing and webhook URLs.
"""
