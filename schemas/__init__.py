"""JSON Schemas of msgspec-dd, shipped as package data (``msgspec_dd.schemas.files``)."""
