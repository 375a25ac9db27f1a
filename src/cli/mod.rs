//! One module per subcommand.

pub mod config;
pub mod demo;
pub mod export;
pub mod geocode;
pub mod import;
pub mod keys;
pub mod layers;
pub mod locate;
pub mod route;
pub mod serve;
pub mod store;
pub mod tiles;

/// Exit status of a batch command that completed but skipped malformed lines.
pub const EXIT_SKIPPED_LINES: u8 = 2;

/// The CSV input of a batch command (`locate --input`, `geocode --input`): a file, or stdin
/// for `-`. Malformed lines are reported on stderr as `FILE line N: …` and counted, so the
/// command can answer the rest and say at the end what it skipped.
pub struct CsvInput {
    name: String,
    reader: csv::Reader<std::io::BufReader<Box<dyn std::io::Read>>>,
    first: bool,
    skipped: usize,
}

impl CsvInput {
    /// Opens `path` (`-`: stdin).
    pub fn open(path: &std::path::Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let name = path.display().to_string();
        let input: Box<dyn std::io::Read> = if path.as_os_str() == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            Box::new(std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?)
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(std::io::BufReader::with_capacity(1 << 20, input));
        Ok(Self { name, reader, first: true, skipped: 0 })
    }

    /// Reads the next record into `record`: its line number and whether it is the file's first
    /// record (which may be a header), or `None` at the end. A line the CSV reader cannot read
    /// is reported and skipped; an I/O error ends the batch.
    pub fn next(&mut self, record: &mut csv::ByteRecord) -> anyhow::Result<Option<(u64, bool)>> {
        loop {
            match self.reader.read_byte_record(record) {
                Ok(false) => return Ok(None),
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line());
                    return Ok(Some((line, std::mem::take(&mut self.first))));
                }
                Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => anyhow::bail!("{}: {e}", self.name),
                Err(e) => self.skip(e.position().map_or(0, |p| p.line()), &e),
            }
        }
    }

    /// Reports line `line` as skipped, and why.
    pub fn skip(&mut self, line: u64, why: &dyn std::fmt::Display) {
        eprintln!("gridgis: {} line {line}: {why}", self.name);
        self.skipped += 1;
    }

    /// Reports a line that was answered but not as asked (the answer says how).
    pub fn note(&self, line: u64, what: &dyn std::fmt::Display) {
        eprintln!("gridgis: {} line {line}: {what}", self.name);
    }

    /// The exit status: success, or [`EXIT_SKIPPED_LINES`] (saying how many) when lines were
    /// skipped.
    pub fn finish(&self) -> std::process::ExitCode {
        if self.skipped > 0 {
            eprintln!("gridgis: {}: {} malformed line(s) skipped", self.name, self.skipped);
            return std::process::ExitCode::from(EXIT_SKIPPED_LINES);
        }
        std::process::ExitCode::SUCCESS
    }
}

/// Writes `text` to stdout. A reader that went away (`gridgis layers | head`) is not an error:
/// the output was wanted only in part.
pub fn print_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Columns a string takes in a terminal: East Asian wide and full-width characters (CJK,
/// Hangul, full-width forms) take two, so tables with Chinese names line up.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}
