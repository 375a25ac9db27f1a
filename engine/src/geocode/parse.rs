//! Reading a normalized query: names from the dictionary, then the numbers by the unit word
//! after them (`12号` a house, `5号楼`/`5栋`/`A座` a building, `2单元`, `301室`, `3组`).
//! Numbers are parsed, never matched as text, so their order in the query does not matter.

use super::dictionary::{Dictionary, Kind, Spot};

/// What a number in an address counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumKind {
    /// House (door plate) number: `12号`, `12号院`.
    House,
    /// Building: `5号楼`, `5栋`, `5幢`, `5座`, `E座` (letters count from A = 1).
    Building,
    /// Unit (entrance): `2单元`.
    Unit,
    /// Flat: `301室`.
    Room,
    /// Village group (村民小组): `3组`, `3队`.
    Group,
    /// A floor (`5层`): says where in a building, names nothing in the gazetteer.
    Floor,
}

/// A number with its unit word, and where it stands (char offsets, unit word included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Number {
    /// What it counts.
    pub kind: NumKind,
    /// Its value.
    pub value: u32,
    /// First char.
    pub start: usize,
    /// One past the unit word.
    pub end: usize,
}

/// A query as read: its chars, the names found exactly, the numbers.
#[derive(Debug)]
pub(crate) struct Parsed {
    /// The normalized query's characters.
    pub chars: Vec<char>,
    /// Exact name occurrences, in order, not overlapping.
    pub names: Vec<Spot>,
    /// Numbers, in order.
    pub numbers: Vec<Number>,
}

impl Parsed {
    /// Reads `normalized` against `dict`.
    pub fn new(normalized: &str, dict: &Dictionary) -> Self {
        let chars: Vec<char> = normalized.chars().collect();
        let mut names = Vec::with_capacity(8);
        dict.exact(normalized, &mut names);
        let mut named = vec![false; chars.len()];
        for s in &names {
            named[s.start..s.end].fill(true);
        }
        let numbers = numbers(&chars, &named, &names, dict);
        Self { chars, names, numbers }
    }

    /// Marks the chars that a number or an exact name written in full explains. A name
    /// written without its suffix (`富乐` of `富乐社区`) does not count: it is as often the
    /// start of a longer name typed with a slip (`富乐花元` for `富乐花园`).
    pub fn spanned(&self, dict: &Dictionary) -> Vec<bool> {
        let mut out = vec![false; self.chars.len()];
        for s in self.names.iter().filter(|s| dict.entities(s.name).iter().any(|e| !e.short)) {
            out[s.start..s.end].fill(true);
        }
        for n in &self.numbers {
            out[n.start..n.end].fill(true);
        }
        out
    }
}

/// Longest digit run read as a number; longer ones (phone numbers, codes) are text.
const MAX_DIGITS: usize = 6;

fn starts(chars: &[char], at: usize, word: &str) -> bool {
    (at..).zip(word.chars()).all(|(i, w)| chars.get(i) == Some(&w))
}

/// The unit word at `at`: what it makes the number before it, and its length in chars.
fn unit_word(chars: &[char], at: usize) -> Option<(NumKind, usize)> {
    const WORDS: [(&str, NumKind); 12] = [
        ("号楼", NumKind::Building),
        ("号院", NumKind::House),
        ("单元", NumKind::Unit),
        ("号", NumKind::House),
        ("栋", NumKind::Building),
        ("幢", NumKind::Building),
        ("座", NumKind::Building),
        ("室", NumKind::Room),
        ("组", NumKind::Group),
        ("队", NumKind::Group),
        ("层", NumKind::Floor),
        ("楼", NumKind::Floor),
    ];
    WORDS.iter().find(|(w, _)| starts(chars, at, w)).map(|&(w, k)| (k, w.chars().count()))
}

/// A digit run at `i` (not inside a name): its value and the index after it.
fn digits(chars: &[char], named: &[bool], i: usize) -> Option<(u32, usize)> {
    let mut j = i;
    while j < chars.len() && chars[j].is_ascii_digit() && !named[j] {
        j += 1;
    }
    if j == i || j - i > MAX_DIGITS {
        return None;
    }
    let value = chars[i..j].iter().fold(0u32, |v, c| v * 10 + c.to_digit(10).unwrap_or(0));
    Some((value, j))
}

fn numbers(chars: &[char], named: &[bool], names: &[Spot], dict: &Dictionary) -> Vec<Number> {
    let mut out: Vec<Number> = Vec::with_capacity(4);
    // Bare numbers (no unit word) are resolved from what stands before them.
    let mut bare: Vec<(u32, usize, usize)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if named[i] {
            i += 1;
            continue;
        }
        let c = chars[i];
        // A lettered building: `A座`, and as people also write it `A栋`, `A号楼`.
        if c.is_ascii_uppercase()
            && (i == 0 || !chars[i - 1].is_ascii_alphanumeric())
            && !named.get(i + 1).copied().unwrap_or(true)
            && let Some((NumKind::Building, len)) = unit_word(chars, i + 1)
        {
            let value = u32::from(c) - u32::from('A') + 1;
            out.push(Number { kind: NumKind::Building, value, start: i, end: i + 1 + len });
            i += 1 + len;
            continue;
        }
        if !c.is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let Some((value, mut j)) = digits(chars, named, i) else {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            continue;
        };
        // `3-2-501` is building, unit and flat; `12-1号` is house 12 (the sub-number names
        // nothing in the gazetteer).
        let mut parts = vec![value];
        while chars.get(j) == Some(&'-')
            && let Some((v, k)) = digits(chars, named, j + 1)
        {
            parts.push(v);
            j = k;
        }
        if parts.len() == 3 {
            let end = if chars.get(j) == Some(&'室') { j + 1 } else { j };
            for (kind, v) in [(NumKind::Building, parts[0]), (NumKind::Unit, parts[1]), (NumKind::Room, parts[2])] {
                out.push(Number { kind, value: v, start, end });
            }
            i = end;
            continue;
        }
        match unit_word(chars, j) {
            Some((kind, len)) if parts.len() == 1 || kind == NumKind::House => {
                out.push(Number { kind, value, start, end: j + len });
                i = j + len;
            }
            _ => {
                bare.push((value, start, j));
                i = j;
            }
        }
    }
    for (value, start, end) in bare {
        let before = out.iter().filter(|n| n.end <= start).max_by_key(|n| n.end);
        let has = |k: NumKind| out.iter().any(|n| n.kind == k);
        let after_place = names.iter().any(|s| {
            s.end == start && dict.entities(s.name).iter().any(|e| matches!(e.kind, Kind::Road | Kind::Village))
        });
        let kind = match before.map(|n| n.kind) {
            Some(NumKind::Unit) if !has(NumKind::Room) => Some(NumKind::Room),
            Some(NumKind::Building) if !has(NumKind::Unit) => Some(NumKind::Unit),
            _ if after_place && !has(NumKind::House) => Some(NumKind::House),
            _ => None,
        };
        if let Some(kind) = kind {
            out.push(Number { kind, value, start, end });
        }
    }
    out.sort_by_key(|n| n.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geocode::dictionary::{DictionaryBuilder, Entity};

    fn dict() -> Dictionary {
        let mut b = DictionaryBuilder::default();
        b.add("新后路", Entity { kind: Kind::Road, id: 0, short: false });
        b.add("望怀小区", Entity { kind: Kind::Compound, id: 0, short: false });
        b.add("7天酒店", Entity { kind: Kind::Poi, id: 0, short: false });
        b.build().unwrap()
    }

    fn nums(q: &str) -> Vec<(NumKind, u32)> {
        Parsed::new(q, &dict()).numbers.iter().map(|n| (n.kind, n.value)).collect()
    }

    #[test]
    fn numbers_by_their_unit_words() {
        use NumKind::*;
        assert_eq!(nums("新后路12号望怀小区5号楼1单元101室"), vec![(House, 12), (Building, 5), (Unit, 1), (Room, 101)]);
        assert_eq!(nums("望怀小区5栋2单元302室"), vec![(Building, 5), (Unit, 2), (Room, 302)]);
        assert_eq!(nums("望怀小区E座1单元"), vec![(Building, 5), (Unit, 1)]);
        assert_eq!(nums("望怀小区E栋1单元"), vec![(Building, 5), (Unit, 1)]);
        assert_eq!(nums("望怀小区B号楼"), vec![(Building, 2)]);
        assert_eq!(nums("渤海所村3组17号"), vec![(Group, 3), (House, 17)]);
        assert_eq!(nums("101室1单元5号楼望怀小区"), vec![(Room, 101), (Unit, 1), (Building, 5)]);
        assert_eq!(nums("望怀小区3-2-501"), vec![(Building, 3), (Unit, 2), (Room, 501)]);
        assert_eq!(nums("新后路12-1号"), vec![(House, 12)]);
        assert_eq!(nums("新后路12号院"), vec![(House, 12)]);
        assert_eq!(nums("望怀小区5号楼3层"), vec![(Building, 5), (Floor, 3)]);
    }

    #[test]
    fn bare_numbers_from_what_stands_before() {
        use NumKind::*;
        assert_eq!(nums("望怀小区5号楼1单元101"), vec![(Building, 5), (Unit, 1), (Room, 101)]);
        assert_eq!(nums("新后路12"), vec![(House, 12)]);
        assert_eq!(nums("望怀小区5号楼1"), vec![(Building, 5), (Unit, 1)]);
        assert_eq!(nums("电话13800138000"), vec![]);
        assert_eq!(nums("12"), vec![]);
    }

    #[test]
    fn digits_inside_names_are_names() {
        let p = Parsed::new("7天酒店", &dict());
        assert!(p.numbers.is_empty());
        assert_eq!(p.names.len(), 1);
    }
}
