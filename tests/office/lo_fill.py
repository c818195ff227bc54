"""Fill a regkit form in LibreOffice the way a person would, and save it: run by Debian's
/usr/bin/python3 (python3-uno), against a soffice listening on a pipe (see tests/office_support.py).

    lo_fill.py PIPE IN OUT FILTER SPEC.json

SPEC (Writer): {"header": {"编号：": "QF-1"}, "fields": {"客户名称": "…"},
                "table": {"rows": [{"客户名称": "甲公司", …}, …]}}
     (Calc):   {"sheet": "arrears-approval", "rows": [{"客户名称": "…", …}, …]}
Writer: types into the control in the cell right of the first cell showing a label (or replaces
the cell's text where there is no control); a table form's cells by column head and row number.
Calc: types each value into the cell under its header label (Calc parses dates and numbers as
typed). Exit status 0 when saved; a message and 1 when a label is not on the page.
"""

import json
import re
import sys
import time

import uno  # Debian's python3-uno
from com.sun.star.beans import PropertyValue


def pv(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    last = None
    for _ in range(300):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception as exc:  # NoConnectException while soffice starts
            last = exc
            time.sleep(0.1)
    raise SystemExit(f"cannot connect to soffice on pipe {pipe}: {last}")


def first_line(text):
    return text.split("\n", 1)[0].strip(" \t\u3000")


def norm(text):
    return "".join(text.split())


def type_into(cell_or_par, value):
    """Type into the first control of a cell (content control or input field); else replace the text."""
    enum = cell_or_par.createEnumeration() if hasattr(cell_or_par, "createEnumeration") else None
    while enum is not None and enum.hasMoreElements():
        par = enum.nextElement()
        if not par.supportsService("com.sun.star.text.Paragraph"):
            continue
        portions = par.createEnumeration()
        while portions.hasMoreElements():
            por = portions.nextElement()
            if por.TextPortionType == "ContentControl":
                cc = por.ContentControl
                cc.setString(value)
                try:
                    cc.ShowingPlaceHolder = False
                except Exception:
                    pass
                return
            if por.TextPortionType == "TextField":
                field = por.TextField
                if field.supportsService("com.sun.star.text.TextField.Input"):
                    field.Content = value
                    return
    cell_or_par.setString(value)


def cell_grid(table):
    grid = {}
    for name in table.getCellNames():
        m = re.match(r"([A-Z]+)(\d+)$", name)
        if m:
            grid.setdefault(int(m[2]), []).append(name)
    for row in grid.values():
        row.sort(key=lambda n: (len(re.match(r"[A-Z]+", n)[0]), n))
    return [grid[r] for r in sorted(grid)]


def fill_writer(doc, spec):
    tables = [doc.TextTables.getByIndex(i) for i in range(doc.TextTables.getCount())]
    # Document order: TextTables is in creation order, which for an imported file is reading order.
    for label, value in spec.get("header", {}).items():
        enum = doc.Text.createEnumeration()
        done = False
        while enum.hasMoreElements() and not done:
            par = enum.nextElement()
            if not par.supportsService("com.sun.star.text.Paragraph") or label not in par.getString():
                continue
            portions = par.createEnumeration()
            after = False
            while portions.hasMoreElements():
                por = portions.nextElement()
                if label in por.getString():
                    after = True
                    continue
                if after and por.TextPortionType == "ContentControl":
                    por.ContentControl.setString(value)
                    done = True
                    break
                if after and por.TextPortionType == "TextField":
                    por.TextField.Content = value
                    done = True
                    break
        if not done:
            raise SystemExit(f"header label {label!r} not found")
    for label, value in spec.get("fields", {}).items():
        hit = None
        for table in tables:
            for row in cell_grid(table):
                for i, name in enumerate(row[:-1]):
                    if norm(table.getCellByName(name).getString()).startswith(label):
                        hit = table.getCellByName(row[i + 1])
                        break
                if hit:
                    break
            if hit:
                break
        if hit is None:
            raise SystemExit(f"label {label!r} not found")
        type_into(hit, value)
    rows = spec.get("table", {}).get("rows", [])
    if rows:
        heads = set(rows[0])
        table = next((t for t in tables
                      if heads <= {norm(t.getCellByName(n).getString()) for n in cell_grid(t)[0]}), None)
        if table is None:
            raise SystemExit("table with the column heads not found")
        grid = cell_grid(table)
        col = {norm(table.getCellByName(n).getString()): j for j, n in enumerate(grid[0])}
        for i, row in enumerate(rows):
            line = next(r for r in grid[1:] if first_line(table.getCellByName(r[0]).getString()) == str(i + 1))
            for label, value in row.items():
                type_into(table.getCellByName(line[col[label]]), value)


def fill_calc(doc, spec):
    sheet = doc.Sheets.getByName(spec["sheet"])
    heads = {}
    for c in range(200):
        text = sheet.getCellByPosition(c, 0).getString()
        if text:
            heads[text] = c
    for r, row in enumerate(spec["rows"], 1):
        for label, value in row.items():
            if label not in heads:
                raise SystemExit(f"column {label!r} not found")
            sheet.getCellByPosition(heads[label], r).setFormula(value)


def main():
    pipe, src, dst, filt, spec_path = sys.argv[1:6]
    with open(spec_path, encoding="utf-8") as fh:
        spec = json.load(fh)
    desktop = connect(pipe)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (pv("Hidden", True),))
    if doc is None:
        raise SystemExit(f"LibreOffice could not open {src}")
    try:
        if doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
            fill_calc(doc, spec)
        else:
            fill_writer(doc, spec)
        doc.storeToURL(uno.systemPathToFileUrl(dst), (pv("FilterName", filt), pv("Overwrite", True)))
    finally:
        doc.close(True)


if __name__ == "__main__":
    main()
