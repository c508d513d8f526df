"""Workbooks as WPS Office (Kingsoft) saves them, rebuilt from a jjjplan workbook.

WPS 表格 writes a standard .xlsx package with its own marks, reproduced here part by part:

- ``docProps/app.xml``: ``<Application>WPS 表格</Application>`` (Chinese UI) or
  ``WPS Spreadsheets`` (English UI), with its AppVersion;
- ``docProps/custom.xml`` (custom document properties, related from ``_rels/.rels`` and
  declared in ``[Content_Types].xml``) holding ``ICV`` and ``KSOProductBuildVer`` (the UI
  language's LCID, 2052 = zh-CN, then the build, e.g. ``2052-12.1.0.16729``);
- ``xl/cellimages.xml``: WPS's part for pictures placed in cells (``DISPIMG``), related from
  the workbook with type ``http://www.wps.cn/officeDocument/2020/cellImage`` and content type
  ``application/vnd.wps-officedocument.cellimage+xml`` (present, empty, in WPS saves).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

WPS_APPLICATIONS = ("WPS 表格", "WPS Spreadsheets")
KSO_BUILD = "2052-12.1.0.16729"
ICV = "6A3B1D2E4F5A4B9C8D7E6F5A4B3C2D1E"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CELLIMAGE_REL = "http://www.wps.cn/officeDocument/2020/cellImage"
CELLIMAGE_CT = "application/vnd.wps-officedocument.cellimage+xml"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def _app_xml(application: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/docPropsVTypes"><Application>{application}</Application>'
        '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>'
        "工作表</vt:lpstr></vt:variant><vt:variant><vt:i4>7</vt:i4></vt:variant></vt:vector>"
        "</HeadingPairs><AppVersion>12.1.0</AppVersion></Properties>"
    )


def _custom_xml() -> str:
    props = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{name}"><vt:lpwstr>{value}</vt:lpwstr>'
        "</property>"
        for pid, (name, value) in enumerate((("ICV", ICV), ("KSOProductBuildVer", KSO_BUILD)), 2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'docPropsVTypes">{props}</Properties>'
    )


CELLIMAGES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<etc:cellImages xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
    'spreadsheetDrawing" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:etc="http://www.wps.cn/officeDocument/2017/etCustomData"/>'
)


def _add_relationship(xml: str, rel_id: str, rel_type: str, target: str) -> str:
    rel = f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{target}"/>'
    return xml.replace("</Relationships>", rel + "</Relationships>")


def save_as_wps(source: Path, target: Path, application: str = WPS_APPLICATIONS[0]) -> Path:
    """Copy ``source`` to ``target`` with the package parts WPS Office writes."""
    with zipfile.ZipFile(source) as zin:
        parts = {name: zin.read(name) for name in zin.namelist()}
    types = parts["[Content_Types].xml"].decode()
    overrides = (
        f'<Override PartName="/docProps/custom.xml" ContentType="{CUSTOM_CT}"/>'
        f'<Override PartName="/xl/cellimages.xml" ContentType="{CELLIMAGE_CT}"/>'
    )
    parts["[Content_Types].xml"] = types.replace("</Types>", overrides + "</Types>").encode()
    root_rels = parts["_rels/.rels"].decode()
    parts["_rels/.rels"] = _add_relationship(
        root_rels, "rId9", CUSTOM_REL, "docProps/custom.xml"
    ).encode()
    wb_rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = _add_relationship(
        wb_rels, "rId99", CELLIMAGE_REL, "cellimages.xml"
    ).encode()
    parts["docProps/app.xml"] = _app_xml(application).encode()
    parts["docProps/custom.xml"] = _custom_xml().encode()
    parts["xl/cellimages.xml"] = CELLIMAGES_XML.encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    return target


def application_of(path: Path) -> str:
    """The Application recorded in ``docProps/app.xml``."""
    with zipfile.ZipFile(path) as zf:
        app = zf.read("docProps/app.xml").decode()
    match = re.search(r"<Application>(.*?)</Application>", app)
    return match.group(1) if match else ""
