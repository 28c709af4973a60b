"""Shared by the QTI exports: XML building with namespaces, identifiers, the IMS content-packaging
manifest, and a reproducible zip (fixed dates, sorted entries)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile

XSI = "http://www.w3.org/2001/XMLSchema-instance"
IMSCP = "http://www.imsglobal.org/xsd/imscp_v1p1"
IMSCP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def element(namespace: str, tag: str, attributes: dict[str, str] | None = None, text: str | None = None,
            children: list[ET.Element] = ()) -> ET.Element:
    """An element of `namespace` (attribute names are plain unless written `{ns}name`)."""
    node = ET.Element(f"{{{namespace}}}{tag}", {k: str(v) for k, v in (attributes or {}).items()})
    node.text = text
    node.extend(children)
    return node


def child(parent: ET.Element, tag: str, attributes: dict[str, str] | None = None,
          text: str | None = None) -> ET.Element:
    """A sub-element in the parent's namespace."""
    namespace = parent.tag[1:].partition("}")[0]
    node = element(namespace, tag, attributes, text)
    parent.append(node)
    return node


def fragment(namespace: str, html: str) -> list[ET.Element]:
    """Well-formed XHTML (from exercises.export.html) as elements of `namespace`."""
    wrapper = ET.fromstring(f'<div xmlns="{namespace}">{html}</div>')
    return list(wrapper)


def identifier(text: str, prefix: str = "id-") -> str:
    """A QTI/IMS identifier (an XML name) from any text: other characters become '_'."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", text)
    return name if re.match(r"[A-Za-z_]", name) else prefix + name


def document(root: ET.Element, namespace: str, schema: str) -> bytes:
    """An XML document: the root in its default namespace, with its schema location, indented."""
    ET.register_namespace("xsi", XSI)
    ET.register_namespace("", namespace)  # the default namespace of this document (the last one registered)
    root.set(f"{{{XSI}}}schemaLocation", f"{namespace} {schema}")
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")


def manifest(package_id: str, metadata: str, resources: list[tuple[str, str, str, list[str], list[str]]]) -> bytes:
    """imsmanifest.xml: resources as (identifier, type, href, files, dependencies)."""
    root = element(IMSCP, "manifest", {"identifier": package_id})
    meta = child(root, "metadata")
    child(meta, "schema", text=metadata)
    child(meta, "schemaversion", text="1.1.3" if "1.2" in metadata else "2.1")
    child(root, "organizations")
    listed = child(root, "resources")
    for ident, kind, href, files, dependencies in resources:
        resource = child(listed, "resource", {"identifier": ident, "type": kind, "href": href})
        for name in files:
            child(resource, "file", {"href": name})
        for dependency in dependencies:
            child(resource, "dependency", {"identifierref": dependency})
    return document(root, IMSCP, IMSCP_XSD)


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip whose bytes depend only on `files` (fixed dates, sorted names)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()
