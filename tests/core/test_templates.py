"""Template rules that keep every page on a phone screen: a table scrolls inside its own box, never the page."""
import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "academy" / "templates"


def test_every_table_sits_in_a_box_that_scrolls_sideways():
    unwrapped = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text("utf-8")
        for match in re.finditer(r"<table\b", text):
            before = text[: match.start()]
            # The nearest enclosing <div> opened and not closed before the table must be a .table-wrap.
            depth, wrapped = 0, False
            for tag in reversed(re.findall(r"<div\b[^>]*>|</div>", before)):
                if tag == "</div>":
                    depth += 1
                elif depth:
                    depth -= 1
                else:
                    wrapped = "table-wrap" in tag
                    break
            if not wrapped:
                unwrapped.append(f"{path.relative_to(TEMPLATES)}:{before.count(chr(10)) + 1}")
    assert not unwrapped, f"tables outside a <div class=\"table-wrap\">: {unwrapped}"
    css = (TEMPLATES.parents[1] / "static" / "css" / "academy.css").read_text("utf-8")
    assert re.search(r"\.table-wrap \{[^}]*overflow-x: auto", css)
