"""JSON Schema export of the content model, for editors (VS Code's YAML extension) and other tools."""

from __future__ import annotations

from typing import Any

from reports.content.model import Content


def content_json_schema() -> dict[str, Any]:
    schema = Content.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
