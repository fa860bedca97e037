"""Writes runtime-common/src/unicode_tables.rs: the Unicode character classes and case mappings
of the running CPython (3.11: Unicode 14.0), read through `str` methods so they agree with it.

Run from the workspace root:
    python3 runtime-common/tools/unicode_tables.py > runtime-common/src/unicode_tables.rs &&
        rustfmt runtime-common/src/unicode_tables.rs
"""
import sys
import unicodedata

CHARS = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]


def cased(c):
    return c.isupper() or c.islower() or c.istitle()


def case_ignorable(c):
    # Seen through CPython's final-sigma rule: an ignorable character between a cased letter
    # and a capital sigma leaves the sigma final; before an uncased one, it lets the sigma
    # look past it.
    if cased(c):
        return ("A\u03a3" + c + "1").lower()[1] == "\u03c2"
    return ("A" + c + "\u03a3").lower()[-1] == "\u03c2"


def boundaries(pred):
    """Where membership flips, ascending: a code point is in the set iff an odd number of
    boundaries are at or below it."""
    out, inside = [], False
    for cp in range(0x110001):
        now = cp < 0x110000 and not 0xD800 <= cp <= 0xDFFF and pred(chr(cp))
        if now != inside:
            out.append(cp)
            inside = now
    return out


def single_runs(mapping, base):
    """Single-character mappings that differ from `base`, as runs [first, last, step, image of
    first]."""
    runs = []
    for c in CHARS:
        m = mapping(c)
        if len(m) != 1 or m == base(c):
            continue
        cp, target = ord(c), ord(m)
        if runs:
            first, last, step, image = runs[-1]
            gap = cp - last
            if target - cp == image - first and (gap == step or (step == 0 and gap in (1, 2))):
                runs[-1] = [first, cp, gap, image]
                continue
        runs.append([cp, cp, 0, target])
    return [[f, l, max(s, 1), i] for f, l, s, i in runs]


def multi(mapping, base):
    return [(ord(c), mapping(c)) for c in CHARS if len(mapping(c)) > 1 and mapping(c) != base(c)]


def itself(c):
    return c


def hexes(numbers):
    return [f"0x{n:X}" for n in numbers]


def emit_list(name, doc, items, kind):
    print(f"/// {doc}")
    print(f"pub(crate) const {name}: &[{kind}] = &[")
    line = "   "
    for item in items:
        piece = f" {item},"
        if len(line) + len(piece) > 100:
            print(line)
            line = "   "
        line += piece
    if line.strip():
        print(line)
    print("];\n")


def rust_str(s):
    return '"' + "".join(f"\\u{{{ord(ch):x}}}" for ch in s) + '"'


SETS = [
    ("ALPHA", "`str.isalpha`: categories Lu, Ll, Lt, Lm and Lo.", str.isalpha),
    ("NUMERIC", "`str.isnumeric`: Numeric_Type Decimal, Digit or Numeric.", str.isnumeric),
    ("PRINTABLE", "`str.isprintable`: the space, and every category but C* and Z*.", str.isprintable),
    ("ID_START", "`str.isidentifier`, first character: XID_Start and `_`.", str.isidentifier),
    ("ID_CONTINUE", "`str.isidentifier`, later characters: XID_Continue.", lambda c: ("a" + c).isidentifier()),
    ("UPPER", "The Uppercase property (`str.isupper`).", str.isupper),
    ("LOWER", "The Lowercase property (`str.islower`).", str.islower),
    ("TITLE", "Titlecase letters (category Lt).", lambda c: unicodedata.category(c) == "Lt"),
    ("CASED", "The Cased property: uppercase, lowercase or titlecase.", cased),
    ("CASE_IGNORABLE", "The Case_Ignorable property (the final-sigma rule looks past these).", case_ignorable),
]

# Each mapping, and what it lists only its differences from: titlecase is mostly the
# uppercase, case folding mostly the lowercase.
MAPPINGS = [
    ("LOWER", "lowercase", str.lower, itself, "the character itself"),
    ("UPPER", "uppercase", str.upper, itself, "the character itself"),
    ("TITLE", "titlecase", str.title, str.upper, "its uppercase"),
    ("FOLD", "full case folding", str.casefold, str.lower, "its lowercase"),
]


def main():
    assert unicodedata.unidata_version == "14.0.0", unicodedata.unidata_version
    print("//! Unicode 14.0 character classes and case mappings, as CPython 3.11 applies them.")
    print("//!")
    print("//! Generated with Python 3.11 by `python3 runtime-common/tools/unicode_tables.py >")
    print("//! runtime-common/src/unicode_tables.rs && rustfmt runtime-common/src/unicode_tables.rs`;")
    print("//! do not edit by hand.")
    print("//! A class is a list of boundaries, ascending: a code point belongs to it iff an odd")
    print("//! number of its boundaries are at or below the code point.\n")
    for name, doc, pred in SETS:
        emit_list(name, doc, hexes(boundaries(pred)), "u32")
    for name, what, mapping, base, base_doc in MAPPINGS:
        runs = ["[" + ", ".join(hexes(r)) + "]" for r in single_runs(mapping, base)]
        emit_list(
            f"{name}_RUNS",
            f"The {what} of one character where it is one character other than {base_doc}: "
            "runs `[first, last, step, image of first]`, ascending.",
            runs,
            "[u32; 4]",
        )
        pairs = [f"(0x{cp:X}, {rust_str(s)})" for cp, s in multi(mapping, base)]
        emit_list(
            f"{name}_MULTI",
            f"Characters whose {what} is several characters other than {base_doc}, ascending.",
            pairs,
            "(u32, &str)",
        )


if __name__ == "__main__":
    sys.exit(main())
