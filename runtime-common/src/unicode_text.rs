//! Python's character classes and case conversions of `str` (Unicode 14.0, as CPython 3.11):
//! `isalpha`, `isnumeric`, `isprintable`, `isidentifier`, `isupper`, `islower`, `istitle`, and
//! `lower`, `upper`, `title`, `capitalize`, `swapcase`, `casefold`.

use crate::unicode_tables as tables;

/// Whether `c` is in the class given by its `boundaries` (see [`crate::unicode_tables`]).
fn in_class(boundaries: &[u32], c: char) -> bool {
    boundaries.partition_point(|b| *b <= c as u32) % 2 == 1
}

/// `str.isalpha` for one character: a letter (categories Lu, Ll, Lt, Lm, Lo).
pub fn is_alpha(c: char) -> bool {
    in_class(tables::ALPHA, c)
}

/// `str.isnumeric` for one character: any numeric value (digits, fractions, CJK numerals, ...).
pub fn is_numeric(c: char) -> bool {
    in_class(tables::NUMERIC, c)
}

/// `str.isalnum` for one character: a letter, or numeric (which digits and decimals are).
pub fn is_alnum(c: char) -> bool {
    is_alpha(c) || is_numeric(c)
}

/// `str.isprintable` for one character: the space, or neither a control, format, unassigned,
/// private-use nor separator character.
pub fn is_printable(c: char) -> bool {
    in_class(tables::PRINTABLE, c)
}

/// `str.isidentifier`: an XID_Start character or `_`, then XID_Continue characters.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| in_class(tables::ID_START, c))
        && chars.all(|c| in_class(tables::ID_CONTINUE, c))
}

fn is_upper(c: char) -> bool {
    in_class(tables::UPPER, c)
}

fn is_lower(c: char) -> bool {
    in_class(tables::LOWER, c)
}

fn is_titlecase(c: char) -> bool {
    in_class(tables::TITLE, c)
}

fn is_cased(c: char) -> bool {
    in_class(tables::CASED, c)
}

fn is_case_ignorable(c: char) -> bool {
    in_class(tables::CASE_IGNORABLE, c)
}

/// `str.isupper`: some uppercase character, and no lowercase or titlecase one.
pub fn is_upper_str(s: &str) -> bool {
    !s.chars().any(|c| is_lower(c) || is_titlecase(c)) && s.chars().any(is_upper)
}

/// `str.islower`: some lowercase character, and no uppercase or titlecase one.
pub fn is_lower_str(s: &str) -> bool {
    !s.chars().any(|c| is_upper(c) || is_titlecase(c)) && s.chars().any(is_lower)
}

/// `str.istitle`: some cased character; uppercase and titlecase ones only after uncased ones,
/// lowercase ones only after cased ones.
pub fn is_title_str(s: &str) -> bool {
    let (mut cased_seen, mut prev_cased) = (false, false);
    for c in s.chars() {
        if is_upper(c) || is_titlecase(c) {
            if prev_cased {
                return false;
            }
        } else if is_lower(c) {
            if !prev_cased {
                return false;
            }
        } else {
            prev_cased = false;
            continue;
        }
        prev_cased = true;
        cased_seen = true;
    }
    cased_seen
}

/// Pushes the image of `c` under a generated mapping's exceptions (`runs`, `multi`); false
/// when they do not list `c`.
fn push_listed(out: &mut String, c: char, runs: &[[u32; 4]], multi: &[(u32, &str)]) -> bool {
    let cp = c as u32;
    if let Ok(i) = multi.binary_search_by_key(&cp, |(k, _)| *k) {
        out.push_str(multi[i].1);
        return true;
    }
    match run_image(runs, cp) {
        Some(image) => {
            out.push(image);
            true
        }
        None => false,
    }
}

/// The image of `cp` under the run of single-character mappings that covers it, if one does.
fn run_image(runs: &[[u32; 4]], cp: u32) -> Option<char> {
    let run = runs.partition_point(|r| r[0] <= cp).checked_sub(1)?;
    let [first, last, step, image] = runs[run];
    let offset = cp - first;
    if cp > last || !offset.is_multiple_of(step) {
        return None;
    }
    char::from_u32(image + offset)
}

fn push_lower(out: &mut String, c: char) {
    if !push_listed(out, c, tables::LOWER_RUNS, tables::LOWER_MULTI) {
        out.push(c);
    }
}

fn push_upper(out: &mut String, c: char) {
    if !push_listed(out, c, tables::UPPER_RUNS, tables::UPPER_MULTI) {
        out.push(c);
    }
}

fn push_title(out: &mut String, c: char) {
    if !push_listed(out, c, tables::TITLE_RUNS, tables::TITLE_MULTI) {
        push_upper(out, c);
    }
}

fn push_fold(out: &mut String, c: char) {
    if !push_listed(out, c, tables::FOLD_RUNS, tables::FOLD_MULTI) {
        push_lower(out, c);
    }
}

const CAPITAL_SIGMA: char = '\u{3a3}';

/// Whether the capital sigma at byte `at` of `s` ends a word: a cased letter before it and
/// none after it, looking past case-ignorable characters (apostrophes, combining marks, ...).
fn is_final_sigma(s: &str, at: usize) -> bool {
    let mut before = s[..at].chars().rev().filter(|c| !is_case_ignorable(*c));
    let mut after = s[at + CAPITAL_SIGMA.len_utf8()..]
        .chars()
        .filter(|c| !is_case_ignorable(*c));
    before.next().is_some_and(is_cased) && !after.next().is_some_and(is_cased)
}

/// Pushes the lowercase of `c`, at byte `at` of `s` (a capital sigma ending a word becomes `ς`).
fn push_lower_in(out: &mut String, s: &str, at: usize, c: char) {
    match c {
        CAPITAL_SIGMA if is_final_sigma(s, at) => out.push('ς'),
        _ => push_lower(out, c),
    }
}

/// `str.lower`.
pub fn lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for (at, c) in s.char_indices() {
        push_lower_in(&mut out, s, at, c);
    }
    out
}

/// `str.upper`.
pub fn upper(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_uppercase();
    }
    let mut out = String::with_capacity(s.len());
    s.chars().for_each(|c| push_upper(&mut out, c));
    out
}

/// `str.casefold`: full case folding (`ß` → `ss`, `µ` → `μ`, `ﬀ` → `ff`).
pub fn casefold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    s.chars().for_each(|c| push_fold(&mut out, c));
    out
}

/// `str.swapcase`: uppercase characters lowered, lowercase ones uppered, others (titlecase
/// letters too) kept.
pub fn swapcase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (at, c) in s.char_indices() {
        if is_upper(c) {
            push_lower_in(&mut out, s, at, c);
        } else if is_lower(c) {
            push_upper(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// `str.capitalize`: the first character titlecased, the rest lowered.
pub fn capitalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices();
    if let Some((_, first)) = chars.next() {
        push_title(&mut out, first);
    }
    for (at, c) in chars {
        push_lower_in(&mut out, s, at, c);
    }
    out
}

/// `str.title`: a character titlecased after an uncased one, lowered after a cased one.
pub fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_cased = false;
    for (at, c) in s.char_indices() {
        if prev_cased {
            push_lower_in(&mut out, s, at, c);
        } else {
            push_title(&mut out, c);
        }
        prev_cased = is_cased(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_general_category() {
        assert!("abcÀ".chars().all(is_alpha));
        assert!(!is_alpha('ⅷ'));
        assert!(!"नमस्ते".chars().all(is_alnum));
        assert!("一二三½Ⅷ".chars().all(is_numeric));
        assert!(!is_numeric('a'));
        assert!(is_printable(' ') && !is_printable('\n') && !is_printable('\u{a0}'));
        assert!(is_identifier("_x1") && is_identifier("ǅa") && !is_identifier("1x"));
        assert!(!is_identifier(""));
    }

    #[test]
    fn case_predicates_treat_titlecase_letters_apart() {
        assert!(is_upper_str("AB1") && !is_upper_str("Aǅ") && !is_upper_str("1"));
        assert!(is_lower_str("ab1") && !is_lower_str("aǅ"));
        assert!(is_title_str("ǅa Bc") && !is_title_str("ǅA") && !is_title_str(""));
    }

    #[test]
    fn mappings_use_full_unicode_14_tables() {
        assert_eq!(casefold("µgﬀßŉϰ"), "μgffssʼnκ");
        assert_eq!(casefold("ꭰ"), "Ꭰ");
        assert_eq!(swapcase("ǅaB"), "ǅAb");
        assert_eq!(capitalize("ა"), "ა");
        assert_eq!(capitalize("ǆX"), "ǅx");
        assert_eq!(title("ᾲ ßa"), "Ὰͅ Ssa");
        assert_eq!(upper("ƛß"), "ƛSS");
        assert_eq!(lower("İ"), "i\u{307}");
    }

    #[test]
    fn a_capital_sigma_ending_a_word_lowers_to_final_sigma() {
        assert_eq!(lower("ΑΣ"), "ας");
        assert_eq!(lower("ΑΣ'"), "ας'");
        assert_eq!(lower("ΑΣΑ"), "ασα");
        assert_eq!(lower("Σ"), "σ");
        assert_eq!(swapcase("ΑΣ"), "ας");
        assert_eq!(capitalize("ΑΣ"), "Ας");
        assert_eq!(title("ΑΣ"), "Ας");
    }
}
