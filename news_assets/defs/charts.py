"""Charts as materialization metadata: PNGs embedded in Markdown, shown on the asset's page in the UI."""
from __future__ import annotations

import base64

import dagster as dg


def markdown_image(png: bytes, alt: str) -> dg.MarkdownMetadataValue:
    """A PNG inlined as a data URI (the 1.13 UI's Markdown renderer allows `data:` image sources)."""
    return dg.MetadataValue.md(f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})")

