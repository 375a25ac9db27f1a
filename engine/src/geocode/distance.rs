//! Edit distance for names typed with a slip: the best-matching substring of a query for a
//! name, in optimal-string-alignment distance (Levenshtein plus adjacent transpositions, so
//! `望怀` → `怀望` is one edit, as a reader counts it). Sellers' algorithm: the substring may
//! start anywhere at no cost.

/// Longest name [`best_substring`] aligns; longer names are found by exact match only.
pub(crate) const MAX_PATTERN: usize = 40;

/// Where a name was found in a query, and how far from it the query's text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Alignment {
    /// Edits between the name and `text[start..end]`.
    pub edits: u8,
    /// First char of the matching substring.
    pub start: usize,
    /// One past its last char.
    pub end: usize,
}

#[derive(Clone, Copy)]
struct Cell {
    d: u8,
    start: u16,
}

/// The substring of `text` nearest to `pattern`, if it is at most `max` edits away. Among
/// equally near substrings the one `prefer` rates highest wins, then the longest (it explains
/// more of the query), then the first.
///
/// Returns `None` for an empty pattern, one longer than [`MAX_PATTERN`] chars, or a text longer
/// than `u16::MAX` chars.
pub(crate) fn best_substring(
    pattern: &[char],
    text: &[char],
    max: u8,
    prefer: impl Fn(usize, usize) -> usize,
) -> Option<Alignment> {
    let m = pattern.len();
    if m == 0 || m > MAX_PATTERN || text.len() > usize::from(u16::MAX) {
        return None;
    }
    // Columns j-2, j-1 and j of the DP table; row i is the pattern prefix of length i.
    let blank = [Cell { d: 0, start: 0 }; MAX_PATTERN + 1];
    let (mut before, mut prev, mut cur) = (blank, blank, blank);
    for (i, c) in prev.iter_mut().enumerate().take(m + 1) {
        c.d = i as u8;
    }
    let mut best: Option<Alignment> = None;
    for j in 1..=text.len() {
        cur[0] = Cell { d: 0, start: j as u16 };
        let t = text[j - 1];
        for i in 1..=m {
            let p = pattern[i - 1];
            // Ties go to the earlier start: the longer substring explains more of the query.
            let better = |a: Cell, b: Cell| a.d < b.d || (a.d == b.d && a.start < b.start);
            let diag = prev[i - 1];
            let mut cell = Cell { d: diag.d + u8::from(p != t), start: diag.start };
            for c in [Cell { d: cur[i - 1].d + 1, ..cur[i - 1] }, Cell { d: prev[i].d + 1, ..prev[i] }] {
                if better(c, cell) {
                    cell = c;
                }
            }
            if i >= 2 && j >= 2 && p == text[j - 2] && pattern[i - 2] == t && p != t {
                let tr = Cell { d: before[i - 2].d + 1, ..before[i - 2] };
                if better(tr, cell) {
                    cell = tr;
                }
            }
            cur[i] = cell;
        }
        let end = cur[m];
        if end.d <= max {
            let found = Alignment { edits: end.d, start: usize::from(end.start), end: j };
            let rank = |a: &Alignment| (a.edits, usize::MAX - prefer(a.start, a.end), usize::MAX - (a.end - a.start));
            if best.is_none_or(|b| rank(&found) < rank(&b)) {
                best = Some(found);
            }
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn align(p: &str, t: &str, max: u8) -> Option<(u8, String)> {
        let (p, t) = (chars(p), chars(t));
        best_substring(&p, &t, max, |_, _| 0).map(|a| (a.edits, t[a.start..a.end].iter().collect()))
    }

    #[test]
    fn exact_and_one_slip() {
        assert_eq!(align("望怀小区", "新后路12号望怀小区5号楼", 1), Some((0, "望怀小区".into())));
        // Substitution, deletion, insertion, transposition: one edit each.
        assert_eq!(align("望怀小区", "新后路12号望坏小区5号楼", 1), Some((1, "望坏小区".into())));
        assert_eq!(align("望怀小区", "新后路12号望小区5号楼", 1), Some((1, "望小区".into())));
        assert_eq!(align("望怀小区", "新后路12号望怀怀小区5号楼", 1), Some((1, "望怀怀小区".into())));
        assert_eq!(align("望怀小区", "新后路12号怀望小区5号楼", 1), Some((1, "怀望小区".into())));
        assert_eq!(align("望怀小区", "青春路", 1), None);
        assert_eq!(align("望怀小区", "望坏小去", 1), None);
        assert_eq!(align("望怀小区", "望坏小去", 2), Some((2, "望坏小去".into())));
    }

    #[test]
    fn preference_breaks_ties() {
        // `九渡河村` is one edit from both `九渡河镇` and `九渡和村`; the caller wants the one
        // over the text no exact name explained.
        let (p, t) = (chars("九渡河村"), chars("九渡河镇九渡和村6队"));
        let first = best_substring(&p, &t, 1, |_, _| 0).unwrap();
        assert_eq!((first.start, first.end), (0, 4));
        let open = best_substring(&p, &t, 1, |s, e| (s..e).filter(|&i| i >= 4).count()).unwrap();
        assert_eq!((open.start, open.end, open.edits), (4, 8, 1));
    }

    #[test]
    fn limits() {
        assert_eq!(best_substring(&[], &chars("abc"), 3, |_, _| 0), None);
        let long: Vec<char> = std::iter::repeat_n('a', MAX_PATTERN + 1).collect();
        assert_eq!(best_substring(&long, &long, 3, |_, _| 0), None);
        assert_eq!(align("abc", "", 3), None);
    }
}
