"""Open311 GeoReport v2 output: the same data as JSON or XML, and the spec's error array."""
from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_value(parent: ET.Element, name: str, value, item_names: dict) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, sub in value.items():
            _xml_value(element, key, sub, item_names)
    elif isinstance(value, list):
        child = item_names.get(name, "item")
        for sub in value:
            _xml_value(element, child, sub, item_names)
    else:
        element.text = _text(value)


def to_xml(root: str, data, item_names: dict) -> bytes:
    """`data` is a list (of `item_names[root]` elements) or a dict; lists inside use `item_names` too."""
    element = ET.Element(root)
    if isinstance(data, list):
        for item in data:
            _xml_value(element, item_names[root], item, item_names)
    else:
        for key, value in data.items():
            _xml_value(element, key, value, item_names)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def respond(fmt: str, root: str, data, item_names: dict, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = to_xml(root, data, item_names)
    else:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, *descriptions) -> HttpResponse:
    """The spec's errors: [{"code": <HTTP status>, "description": "..."}]."""
    items = [{"code": status, "description": str(d)} for d in descriptions]
    return respond(fmt, "errors", items, {"errors": "error"}, status=status)
