//! Geocoding: free-text Beijing addresses to gazetteer entries.
//!
//! Only the first stage exists so far: [`normalize`], which rewrites the text forms people
//! type into the written forms the gazetteer uses, so that the parser and matcher compare
//! like with like.

mod normalize;

pub use self::normalize::normalize;
