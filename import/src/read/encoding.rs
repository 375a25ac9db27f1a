//! Text encodings of attribute data: UTF-8, and the GBK/GB18030 that Chinese shapefiles and
//! CSV files exported from Excel usually carry. Decoding is strict: a byte sequence that is
//! not valid in the encoding is an error, never silently replaced.

use encoding_rs::{Encoding, GB18030, GBK, UTF_8};

/// A text encoding, by its WHATWG definition (encoding_rs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextEncoding(&'static Encoding);

impl TextEncoding {
    /// UTF-8.
    pub const UTF8: Self = TextEncoding(UTF_8);
    /// GB18030 (a superset of GBK and GB2312).
    pub const GB18030: Self = TextEncoding(GB18030);

    /// The encoding a label names: WHATWG labels (`gbk`, `gb2312`, `gb18030`, `utf-8`…), plus
    /// the Windows code page forms ArcGIS writes into `.cpg` files (`936`, `cp936`,
    /// `ANSI 936`, `65001`) and `utf8`.
    pub fn from_label(label: &str) -> Option<Self> {
        let l = label.trim().trim_start_matches('\u{feff}').trim().to_ascii_lowercase();
        let l = l.strip_prefix("ansi").map_or(l.as_str(), str::trim);
        match l {
            "936" | "cp936" | "ms936" | "windows-936" => return Some(TextEncoding(GBK)),
            "65001" | "utf8" | "cp65001" => return Some(Self::UTF8),
            "54936" => return Some(Self::GB18030),
            _ => {}
        }
        Encoding::for_label(l.as_bytes()).map(TextEncoding)
    }

    /// The encoding a DBF header's language driver byte names, for the Chinese ones
    /// (0x4D: code page 936; 0x7A: PRC GBK), where no `.cpg` says otherwise.
    pub fn from_dbf_language_driver(byte: u8) -> Option<Self> {
        match byte {
            0x4D | 0x7A => Some(TextEncoding(GBK)),
            _ => None,
        }
    }

    /// UTF-8 when `sample` is valid UTF-8, else GB18030: what an unlabelled Chinese file is.
    pub fn detect(sample: &[u8]) -> Self {
        if std::str::from_utf8(sample).is_ok() { Self::UTF8 } else { Self::GB18030 }
    }

    /// The WHATWG name (`UTF-8`, `GBK`, `gb18030`…).
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// Decodes `bytes` strictly: `None` when they are not valid in this encoding. A UTF-8 BOM
    /// at the start is dropped.
    pub fn decode(self, bytes: &[u8]) -> Option<String> {
        if self.0 == UTF_8 {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            return std::str::from_utf8(bytes).ok().map(str::to_string);
        }
        self.0.decode_without_bom_handling_and_without_replacement(bytes).map(|c| c.into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_from_cpg_files() {
        assert_eq!(TextEncoding::from_label("936").map(TextEncoding::name), Some("GBK"));
        assert_eq!(TextEncoding::from_label("ANSI 936\r\n").map(TextEncoding::name), Some("GBK"));
        assert_eq!(TextEncoding::from_label("GBK").map(TextEncoding::name), Some("GBK"));
        assert_eq!(TextEncoding::from_label("UTF-8").map(TextEncoding::name), Some("UTF-8"));
        assert_eq!(TextEncoding::from_label("65001").map(TextEncoding::name), Some("UTF-8"));
        assert_eq!(TextEncoding::from_label("gb18030").map(TextEncoding::name), Some("gb18030"));
        assert_eq!(TextEncoding::from_label("klingon"), None);
    }

    #[test]
    fn strict_decoding() {
        // 怀柔区 in GBK.
        let gbk = [0xBB, 0xB3, 0xC8, 0xE1, 0xC7, 0xF8];
        assert_eq!(TextEncoding::from_label("gbk").and_then(|e| e.decode(&gbk)).as_deref(), Some("怀柔区"));
        assert_eq!(TextEncoding::detect(&gbk), TextEncoding::GB18030);
        assert_eq!(TextEncoding::GB18030.decode(&gbk).as_deref(), Some("怀柔区"));
        assert_eq!(TextEncoding::detect("怀柔区".as_bytes()), TextEncoding::UTF8);
        // A lead byte with no trail byte is not GBK, and not UTF-8 either.
        assert_eq!(TextEncoding::GB18030.decode(&[0x41, 0xBB]), None);
        assert_eq!(TextEncoding::UTF8.decode(&[0xBB, 0xB3]), None);
        assert_eq!(TextEncoding::UTF8.decode(b"\xEF\xBB\xBFabc").as_deref(), Some("abc"));
    }
}
