//! The names a query is read against: the districts and their aliases, the townships, villages
//! and communities, roads, compounds and POIs, all in normalized form. Exact occurrences come
//! from one Aho–Corasick automaton (leftmost-longest, so `怀柔地区` wins over `怀柔`); names
//! typed with a slip come from a character index, verified by edit distance.

use aho_corasick::{AhoCorasick, MatchKind};
use rustc_hash::FxHashMap;

use super::distance::{MAX_PATTERN, best_substring};

/// What a name names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// `北京市`, `北京`.
    Province,
    /// A district: `怀柔区`, `怀柔`, and its name as a county, `怀柔县`; id = its index in the
    /// geocoder's districts (the hierarchy's roots, in order).
    District,
    /// A township-level unit; id = index in the hierarchy's township list.
    Township,
    /// A village or community (a level-1 grid); id = its grid id.
    Village,
    /// A road; id = road id of the gazetteer.
    Road,
    /// A compound (小区); id = compound id of the gazetteer.
    Compound,
    /// A point of interest; id = POI id of the gazetteer.
    Poi,
    /// A word that tells where without naming a place (`附近`, `东门`): explained, never matched.
    Filler,
}

/// One thing a name stands for. `short` marks a name written without its suffix
/// (`渤海所` for `渤海所村`): weaker evidence, never matched by edit distance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entity {
    /// What it is.
    pub kind: Kind,
    /// Which one, by kind.
    pub id: u32,
    /// Written without its suffix.
    pub short: bool,
}

/// A name found in a query: which, where (char offsets) and how many edits away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Spot {
    /// Name id in the dictionary.
    pub name: u32,
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
    /// Edits between the name and the query's text there (0: exact).
    pub edits: u8,
}

/// Collects names before the automaton is built.
#[derive(Debug, Default)]
pub(crate) struct DictionaryBuilder {
    ids: FxHashMap<String, u32>,
    names: Vec<(String, Vec<Entity>)>,
}

impl DictionaryBuilder {
    /// Adds `name` (already normalized) as standing for `entity`; empty names are ignored.
    pub fn add(&mut self, name: &str, entity: Entity) {
        if name.is_empty() {
            return;
        }
        let id = match self.ids.get(name) {
            Some(&id) => id,
            None => {
                let id = self.names.len() as u32;
                self.ids.insert(name.to_owned(), id);
                self.names.push((name.to_owned(), Vec::new()));
                id
            }
        };
        let entities = &mut self.names[id as usize].1;
        if !entities.contains(&entity) {
            entities.push(entity);
        }
    }

    /// Builds the automata and the character index.
    pub fn build(self) -> Result<Dictionary, aho_corasick::BuildError> {
        // Automata built on all cores: one for the places (small; every query needs it) and
        // the names that are only POIs (nine tenths of the bytes) split over the others.
        // Searched one after the other they find what one automaton would, and build in a
        // fraction of its time.
        let only_poi = |ents: &[Entity]| ents.iter().all(|e| e.kind == Kind::Poi);
        let parts = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        let mut groups: Vec<Vec<u32>> = vec![Vec::new(); parts + 1];
        let mut next_poi = 0;
        for (i, (_, ents)) in self.names.iter().enumerate() {
            if only_poi(ents) {
                groups[1 + next_poi % parts].push(i as u32);
                next_poi += 1;
            } else {
                groups[0].push(i as u32);
            }
        }
        let names = &self.names;
        let automaton = |ids: Vec<u32>| {
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(ids.iter().map(|&i| names[i as usize].0.as_str()))?;
            Ok::<_, aho_corasick::BuildError>((ac, ids))
        };
        let built: Vec<Result<(AhoCorasick, Vec<u32>), aho_corasick::BuildError>> = std::thread::scope(|s| {
            let handles: Vec<_> = groups.into_iter().map(|ids| s.spawn(move || automaton(ids))).collect();
            // A panic in a builder is a defect, not bad data: it goes on up.
            handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        });
        let automata = built.into_iter().collect::<Result<Vec<_>, _>>()?;
        let mut chars = Vec::with_capacity(self.names.len());
        let mut entities = Vec::with_capacity(self.names.len());
        let (mut places, mut pois) = (NameIndex::default(), NameIndex::default());
        for (id, (name, ents)) in self.names.into_iter().enumerate() {
            let cs: Box<[char]> = name.chars().collect();
            if fuzzy_eligible(&cs, &ents) {
                let index = if only_poi(&ents) { &mut pois } else { &mut places };
                index.add(id as u32, &cs);
            }
            chars.push(cs);
            entities.push(ents.into_boxed_slice());
        }
        // Places are few (a few thousand) and their names share words (庄, 东街): a pair or
        // character may be in 1 in 20 before it is too common; POIs are many: 1 in 50.
        Ok(Dictionary { automata, chars, entities, indexes: [places.finish(20), pois.finish(50)] })
    }
}

/// Names by the characters and the character pairs they hold, for retrieving names typed with
/// a slip: a slip breaks at most two of a name's pairs, and a swap of two characters keeps
/// every character.
#[derive(Debug, Default)]
struct NameIndex {
    by_char: FxHashMap<char, Vec<u32>>,
    by_pair: FxHashMap<(char, char), Vec<u32>>,
    /// Postings longer than this are left out of retrieval.
    cutoff: usize,
    /// Names indexed.
    len: usize,
    /// One more than the largest name id indexed.
    ids: usize,
}

impl NameIndex {
    fn add(&mut self, id: u32, chars: &[char]) {
        let mut distinct = chars.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        for &c in &distinct {
            self.by_char.entry(c).or_default().push(id);
        }
        let mut pairs: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
        pairs.sort_unstable();
        pairs.dedup();
        for p in pairs {
            self.by_pair.entry(p).or_default().push(id);
        }
        self.len += 1;
        self.ids = self.ids.max(id as usize + 1);
    }

    fn finish(mut self, share: usize) -> Self {
        // A character or pair in more than 1/`share` of the names (区, 村, 小区, 东街, 公司…)
        // says little about which one was meant; it is left out of retrieval.
        self.cutoff = (self.len / share).max(32);
        self
    }

    /// Candidates for `text`, best first with their points: a pair shared counts two, a
    /// character one. A candidate shares something with the open text, or at least two pairs
    /// with the window (a slip can leave nothing open of a name but a common character:
    /// `西苑柳荫花园` for `西园柳荫花园`, where `柳荫花园` is a name of its own).
    fn retrieve(&self, text: &[char], open: &[bool], out: &mut Vec<(u32, u32)>) {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Scratch> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
        }
        SCRATCH.with_borrow_mut(|(score, touched)| {
            if score.len() < self.ids {
                score.resize(self.ids, (0, 0));
            }
            let mut add = |list: Option<&Vec<u32>>, points: u32, is_open: bool| {
                let Some(list) = list.filter(|l| l.len() <= self.cutoff) else { return };
                for &id in list {
                    let s = &mut score[id as usize];
                    if *s == (0, 0) {
                        touched.push(id);
                    }
                    if is_open {
                        s.0 += points;
                    } else {
                        s.1 += points;
                    }
                }
            };
            // Each character and pair once, counted as open if it is open anywhere.
            let mut chars: Vec<(char, bool)> = text.iter().copied().zip(open.iter().map(|o| !o)).collect();
            chars.sort_unstable();
            chars.dedup_by_key(|c| c.0);
            for &(c, closed) in &chars {
                add(self.by_char.get(&c), 1, !closed);
            }
            let mut pairs: Vec<((char, char), bool)> =
                (1..text.len()).map(|i| ((text[i - 1], text[i]), !(open[i - 1] || open[i]))).collect();
            pairs.sort_unstable();
            pairs.dedup_by_key(|p| p.0);
            for &(p, closed) in &pairs {
                add(self.by_pair.get(&p), 2, !closed);
            }
            out.clear();
            for id in touched.drain(..) {
                let (o, w) = std::mem::take(&mut score[id as usize]);
                if o >= 1 || w >= 4 {
                    out.push((id, o + w));
                }
            }
        });
        // Only the best few are aligned: select them, then order them.
        let order = |a: &(u32, u32), b: &(u32, u32)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
        if out.len() > MAX_FUZZY_CANDIDATES {
            out.select_nth_unstable_by(MAX_FUZZY_CANDIDATES, order);
            out.truncate(MAX_FUZZY_CANDIDATES);
        }
        out.sort_unstable_by(order);
    }
}

/// Per name id: (points from open text, points from the rest of the window), and the ids
/// touched; kept per thread so retrieval allocates nothing.
type Scratch = (Vec<(u32, u32)>, Vec<u32>);

/// Names that may be matched by edit distance: places of three characters or more, written
/// in full. Two-character names are too easily made by a slip in other text.
fn fuzzy_eligible(chars: &[char], entities: &[Entity]) -> bool {
    (3..=MAX_PATTERN).contains(&chars.len())
        && entities.iter().any(|e| {
            !e.short && matches!(e.kind, Kind::Township | Kind::Village | Kind::Road | Kind::Compound | Kind::Poi)
        })
}

/// Most names aligned by edit distance per query: retrieval ranks them, so the right one is
/// near the top when it is there at all.
const MAX_FUZZY_CANDIDATES: usize = 128;

/// The names of a gazetteer, ready to be found in queries.
#[derive(Debug)]
pub(crate) struct Dictionary {
    /// Places, then parts of the names that are only POIs: each with the name ids of its
    /// patterns.
    automata: Vec<(AhoCorasick, Vec<u32>)>,
    chars: Vec<Box<[char]>>,
    entities: Vec<Box<[Entity]>>,
    /// Indexes of the places' names and of the POIs'.
    indexes: [NameIndex; 2],
}

impl Dictionary {
    /// What name `id` stands for.
    pub fn entities(&self, id: u32) -> &[Entity] {
        &self.entities[id as usize]
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// Exact occurrences in `text`, leftmost-longest, with char offsets; then the places
    /// inside each POI's name, which overlap it.
    pub fn exact(&self, text: &str, out: &mut Vec<Spot>) {
        let mut char_at = vec![0usize; text.len() + 1];
        let mut byte_of = Vec::with_capacity(text.len() + 1);
        for (n, (b, _)) in text.char_indices().enumerate() {
            char_at[b] = n;
            byte_of.push(b);
        }
        char_at[text.len()] = byte_of.len();
        byte_of.push(text.len());
        let first = out.len();
        for (ac, ids) in &self.automata {
            for m in ac.find_iter(text) {
                out.push(Spot {
                    name: ids[m.pattern().as_usize()],
                    start: char_at[m.start()],
                    end: char_at[m.end()],
                    edits: 0,
                });
            }
        }
        // Leftmost-longest over both automata together.
        let found = &mut out[first..];
        found.sort_unstable_by_key(|s| (s.start, usize::MAX - s.end));
        let mut end = 0;
        let mut kept = first;
        for k in first..out.len() {
            if out[k].start >= end {
                end = out[k].end;
                out[kept] = out[k];
                kept += 1;
            }
        }
        out.truncate(kept);
        // Places inside a POI's name (`泉河街道` in `泉河街道办事处`): the query may mean the
        // place, with the POI's name only a longer match that happens to start there.
        let (places, ids) = &self.automata[0];
        for k in first..kept {
            let poi = out[k];
            if !self.entities(poi.name).iter().all(|e| e.kind == Kind::Poi) {
                continue;
            }
            let from = byte_of[poi.start];
            for m in places.find_iter(&text[from..byte_of[poi.end]]) {
                let (start, end) = (char_at[from + m.start()], char_at[from + m.end()]);
                out.push(Spot { name: ids[m.pattern().as_usize()], start, end, edits: 0 });
            }
        }
    }

    /// Names within one edit (two for names of seven characters or more) of some substring of
    /// `chars` that takes in text marked `open` (text no exact name explains): at least one
    /// open char that the name itself has, so a near name explains some of what was left,
    /// not only the slip.
    pub fn fuzzy(&self, chars: &[char], open: &[bool], out: &mut Vec<Spot>) {
        let first = out.len();
        let mut k = 0;
        while k < chars.len() {
            if !open[k] {
                k += 1;
                continue;
            }
            let a = k;
            while k < chars.len() && open[k] {
                k += 1;
            }
            // A name typed with a slip lies over the open run and what touches it.
            let (lo, hi) = (a.saturating_sub(FUZZY_WINDOW), (k + FUZZY_WINDOW).min(chars.len()));
            self.fuzzy_window(chars, open, lo, hi, out);
        }
        let found = &mut out[first..];
        found.sort_unstable_by_key(|s| (s.name, s.start, s.end, s.edits));
        let mut kept = first;
        for i in first..out.len() {
            if kept == first || (out[kept - 1].name, out[kept - 1].start) != (out[i].name, out[i].start) {
                out[kept] = out[i];
                kept += 1;
            }
        }
        out.truncate(kept);
    }

    fn fuzzy_window(&self, chars: &[char], open: &[bool], lo: usize, hi: usize, out: &mut Vec<Spot>) {
        let text = &chars[lo..hi];
        // Open chars before each position of the window, for preferring alignments over them.
        let mut open_before = Vec::with_capacity(text.len() + 1);
        open_before.push(0);
        for i in lo..hi {
            open_before.push(open_before[i - lo] + usize::from(open[i]));
        }
        let mut sorted_text = text.to_vec();
        sorted_text.sort_unstable();
        let mut ranked = Vec::new();
        for index in &self.indexes {
            index.retrieve(text, &open[lo..hi], &mut ranked);
            for &(id, _) in &ranked {
                let name = &self.chars[id as usize];
                let max = if name.len() >= 7 { 2 } else { 1 };
                // Each edit loses at most one of the name's characters: a name missing more
                // from the window than edits allow cannot align (a cheap test before the
                // alignment's table).
                let missing = name.iter().filter(|c| sorted_text.binary_search(c).is_err()).count();
                if missing > usize::from(max) {
                    continue;
                }
                let open_in = |s: usize, e: usize| open_before[e] - open_before[s];
                let Some(a) = best_substring(name, text, max, open_in) else { continue };
                let (start, end) = (lo + a.start, lo + a.end);
                let explains_open = (start..end).any(|i| open[i] && name.contains(&chars[i]));
                if end - start >= 2 && explains_open {
                    out.push(Spot { name: id, start, end, edits: a.edits });
                }
            }
        }
    }
}

/// Chars on each side of a run of unexplained text that a name typed with a slip may reach
/// over (the longest compound and road names are about this long).
const FUZZY_WINDOW: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    fn dict() -> Dictionary {
        let mut b = DictionaryBuilder::default();
        let e = |kind, id| Entity { kind, id, short: false };
        b.add("怀柔", e(Kind::District, 0));
        b.add("怀柔区", e(Kind::District, 0));
        b.add("怀柔地区", e(Kind::Township, 3));
        b.add("望怀小区", e(Kind::Compound, 0));
        b.add("望怀小区", e(Kind::Poi, 9));
        b.add("新后路", e(Kind::Road, 1));
        b.add("新后横街", e(Kind::Road, 2));
        b.add("渤海所村", e(Kind::Village, 40));
        b.add("渤海所", Entity { kind: Kind::Village, id: 40, short: true });
        b.add("泉河街道", e(Kind::Township, 0));
        b.add("泉河街道办事处", e(Kind::Poi, 10));
        b.build().unwrap()
    }

    fn names(d: &Dictionary, text: &str) -> Vec<(String, usize, usize)> {
        let mut out = Vec::new();
        d.exact(text, &mut out);
        out.iter().map(|s| (d.chars[s.name as usize].iter().collect(), s.start, s.end)).collect()
    }

    #[test]
    fn exact_is_leftmost_longest_in_chars() {
        let d = dict();
        assert_eq!(
            names(&d, "怀柔区怀柔地区新后路12号望怀小区"),
            vec![
                ("怀柔区".into(), 0, 3),
                ("怀柔地区".into(), 3, 7),
                ("新后路".into(), 7, 10),
                ("望怀小区".into(), 13, 17)
            ]
        );
        let mut out = Vec::new();
        d.exact("望怀小区", &mut out);
        assert_eq!(d.entities(out[0].name).len(), 2, "one name, two things");
    }

    #[test]
    fn places_inside_a_poi_name_are_found_too() {
        let d = dict();
        // The POI's name is the longest match; the township inside it is a reading as well.
        assert_eq!(
            names(&d, "泉河街道办事处新后路"),
            vec![("泉河街道办事处".into(), 0, 7), ("新后路".into(), 7, 10), ("泉河街道".into(), 0, 4)]
        );
    }

    #[test]
    fn fuzzy_finds_one_slip_in_open_text() {
        let d = dict();
        let q: Vec<char> = "新后路12号望坏小区".chars().collect();
        // What no exact name explains: `望坏小区` (`新后路` is a road, `12号` a number).
        let mut open = vec![false; q.len()];
        open[6..10].fill(true);
        let mut out = Vec::new();
        d.fuzzy(&q, &open, &mut out);
        let found: Vec<String> = out.iter().map(|s| d.chars[s.name as usize].iter().collect()).collect();
        assert_eq!(found, vec!["望怀小区".to_string()]);
        assert_eq!((out[0].start, out[0].end, out[0].edits), (6, 10, 1));
        // The same text with nothing open: no fuzzy match may explain what is already explained.
        let mut out = Vec::new();
        d.fuzzy(&q, &vec![false; q.len()], &mut out);
        assert!(out.is_empty());
    }
}
