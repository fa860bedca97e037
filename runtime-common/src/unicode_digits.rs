//! Python's notion of a digit beyond ASCII (Unicode 14.0, as CPython 3.11): `str.isdecimal`,
//! `str.isdigit`, and the digits `int()` and `float()` accept.

/// The first code point (the zero) of every run of ten non-ASCII decimal digits (category Nd), ascending.
const DECIMAL_ZEROS: &[u32] = &[
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// Characters that are digits but not decimal digits (superscripts, circled digits, ...), ascending.
const OTHER_DIGITS: &[u32] = &[
    0x00B2, 0x00B3, 0x00B9, 0x1369, 0x136A, 0x136B, 0x136C, 0x136D, 0x136E, 0x136F, 0x1370, 0x1371,
    0x19DA, 0x2070, 0x2074, 0x2075, 0x2076, 0x2077, 0x2078, 0x2079, 0x2080, 0x2081, 0x2082, 0x2083,
    0x2084, 0x2085, 0x2086, 0x2087, 0x2088, 0x2089, 0x2460, 0x2461, 0x2462, 0x2463, 0x2464, 0x2465,
    0x2466, 0x2467, 0x2468, 0x2474, 0x2475, 0x2476, 0x2477, 0x2478, 0x2479, 0x247A, 0x247B, 0x247C,
    0x2488, 0x2489, 0x248A, 0x248B, 0x248C, 0x248D, 0x248E, 0x248F, 0x2490, 0x24EA, 0x24F5, 0x24F6,
    0x24F7, 0x24F8, 0x24F9, 0x24FA, 0x24FB, 0x24FC, 0x24FD, 0x24FF, 0x2776, 0x2777, 0x2778, 0x2779,
    0x277A, 0x277B, 0x277C, 0x277D, 0x277E, 0x2780, 0x2781, 0x2782, 0x2783, 0x2784, 0x2785, 0x2786,
    0x2787, 0x2788, 0x278A, 0x278B, 0x278C, 0x278D, 0x278E, 0x278F, 0x2790, 0x2791, 0x2792,
    0x10A40, 0x10A41, 0x10A42, 0x10A43, 0x10E60, 0x10E61, 0x10E62, 0x10E63, 0x10E64, 0x10E65,
    0x10E66, 0x10E67, 0x10E68, 0x11052, 0x11053, 0x11054, 0x11055, 0x11056, 0x11057, 0x11058,
    0x11059, 0x1105A, 0x1F100, 0x1F101, 0x1F102, 0x1F103, 0x1F104, 0x1F105, 0x1F106, 0x1F107,
    0x1F108, 0x1F109, 0x1F10A,
];

/// The value of a decimal digit (ASCII or any other script's, category Nd), as `int()` reads it.
pub fn decimal_value(c: char) -> Option<u32> {
    if c.is_ascii() {
        return c.to_digit(10);
    }
    let cp = c as u32;
    let run = DECIMAL_ZEROS
        .partition_point(|zero| *zero <= cp)
        .checked_sub(1)?;
    let offset = cp - DECIMAL_ZEROS[run];
    (offset < 10).then_some(offset)
}

/// `str.isdigit` for one character: a decimal digit, or another digit (`²`, `①`, ...).
pub fn is_digit(c: char) -> bool {
    decimal_value(c).is_some() || (!c.is_ascii() && OTHER_DIGITS.binary_search(&(c as u32)).is_ok())
}

/// The text with every non-ASCII decimal digit replaced by its ASCII digit (what `int()` and
/// `float()` parse); `None` when there is none to replace.
pub fn ascii_digits(text: &str) -> Option<String> {
    if text.is_ascii()
        || !text
            .chars()
            .any(|c| !c.is_ascii() && decimal_value(c).is_some())
    {
        return None;
    }
    Some(
        text.chars()
            .map(|c| match decimal_value(c) {
                Some(d) if !c.is_ascii() => char::from_digit(d, 10).unwrap_or(c),
                _ => c,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_of_other_scripts_read_as_python_reads_them() {
        assert_eq!(decimal_value('٣'), Some(3));
        assert_eq!(decimal_value('９'), Some(9));
        assert_eq!(decimal_value('7'), Some(7));
        assert_eq!(decimal_value('²'), None);
        assert!(is_digit('²') && is_digit('①') && is_digit('٣') && !is_digit('a'));
        assert_eq!(ascii_digits("١٢.٥").as_deref(), Some("12.5"));
        assert_eq!(ascii_digits("12"), None);
    }
}
