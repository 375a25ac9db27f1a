//! A zip holding a shapefile: which members are its parts, and reading them without trusting
//! the sizes the zip declares.

use std::io::{Cursor, Read};
use std::path::Path;

use ::zip::ZipArchive;

use super::{Files, MAX_SIDECAR_BYTES, Part};
use crate::read::{Format, MAX_FILE_BYTES, ReadError, ReadOptions};

/// The most member names listed in a message.
const MAX_LISTED: usize = 20;
/// The most memory reserved up front for a member, whatever size it declares: the buffer
/// grows from there as bytes actually arrive.
const MAX_PREALLOCATED: u64 = 64 << 20;

/// A member of the zip, by its safe path.
struct Member {
    index: usize,
    /// The path inside the zip, `/`-separated.
    path: String,
    /// The folder part of `path` (empty at the top).
    dir: String,
    stem: String,
    /// The extension, lower-case.
    ext: String,
    /// The uncompressed size the zip declares.
    size: u64,
}

/// Finds the shapefile in the zip `bytes` and reads its parts.
pub(super) fn extract(name: &str, bytes: Vec<u8>, options: &ReadOptions) -> Result<Files, ReadError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ReadError::invalid(name, format!("not a readable zip archive: {e}")))?;
    let members = list(name, &zip)?;
    let shp = choose_shp(name, &members, options)?;
    let sibling = |ext: &str| find_sibling(&members, shp, ext);
    let parts = [sibling("shx"), sibling("dbf"), sibling("prj"), sibling("cpg")];

    // All sizes checked before any byte is decompressed.
    let mut total = 0u64;
    for m in std::iter::once(shp).chain(parts.iter().flatten().copied()) {
        let cap = if m.ext == "prj" || m.ext == "cpg" { MAX_SIDECAR_BYTES } else { MAX_FILE_BYTES };
        if m.size > cap {
            return Err(ReadError::invalid(
                name,
                format!("{}: {} bytes uncompressed is more than the {cap} gridgis reads", m.path, m.size),
            ));
        }
        total += m.size;
    }
    if total > MAX_FILE_BYTES {
        return Err(ReadError::invalid(
            name,
            format!("the shapefile is {total} bytes uncompressed, more than the {MAX_FILE_BYTES} gridgis reads"),
        ));
    }

    let shp_bytes = read_member(name, &mut zip, shp)?;
    let mut read = |m: Option<&Member>| -> Result<Option<(Part, Vec<u8>)>, ReadError> {
        let Some(m) = m else { return Ok(None) };
        Ok(Some((Part::member(name, &m.path), read_member(name, &mut zip, m)?)))
    };
    let [shx, dbf, prj, cpg] = parts;
    Ok(Files {
        source: name.to_string(),
        format: Format::Zip,
        stem: shp.stem.clone(),
        shp: (Part::member(name, &shp.path), shp_bytes),
        shx: read(shx)?,
        dbf: read(dbf)?,
        prj: read(prj)?,
        cpg: read(cpg)?,
    })
}

/// The zip's files (not folders), refusing the whole zip when any name could escape a folder
/// it were extracted to. macOS resource forks (`__MACOSX/`, `._name`) are left out.
fn list(name: &str, zip: &ZipArchive<Cursor<Vec<u8>>>) -> Result<Vec<Member>, ReadError> {
    let mut members = Vec::new();
    for index in 0..zip.len() {
        let entry = zip
            .by_index_data(index)
            .map_err(|e| ReadError::invalid(name, format!("entry {index} of the zip cannot be read: {e}")))?;
        let raw =
            entry.name().map_or_else(|_| String::from_utf8_lossy(entry.name_raw()).into_owned(), |n| n.into_owned());
        // `enclosed_name` refuses `..` out of the archive but quietly makes `/etc/x` relative;
        // an absolute name (or a Windows drive) is refused here too: no honest zip has one.
        let absolute = raw.starts_with(['/', '\\']) || raw.as_bytes().get(1) == Some(&b':');
        let Some(path) = entry.enclosed_name().filter(|_| !absolute) else {
            return Err(ReadError::invalid(
                name,
                format!("unsafe path in zip: {raw:?} (absolute, or leading out of the archive with ..)"),
            ));
        };
        if entry.is_dir() {
            continue;
        }
        let path_str = path.to_string_lossy().replace('\\', "/");
        let file_name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        if path_str.starts_with("__MACOSX/") || file_name.starts_with("._") {
            continue;
        }
        let p = Path::new(&path_str);
        members.push(Member {
            index,
            dir: p.parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default(),
            stem: p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
            ext: p.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default(),
            size: entry.size(),
            path: path_str,
        });
    }
    Ok(members)
}

/// The `.shp` to read: the only one, or the one [`ReadOptions::table`] names.
fn choose_shp<'a>(name: &str, members: &'a [Member], options: &ReadOptions) -> Result<&'a Member, ReadError> {
    let shps: Vec<&Member> = members.iter().filter(|m| m.ext == "shp").collect();
    match (shps.as_slice(), options.table.as_deref()) {
        ([], _) => Err(no_shapefile(name, members)),
        ([only], None) => Ok(only),
        (_, Some(table)) => shps
            .iter()
            .copied()
            .find(|m| m.path == table || m.stem == table)
            .or_else(|| shps.iter().copied().find(|m| m.stem.eq_ignore_ascii_case(table)))
            .ok_or_else(|| {
                ReadError::invalid(name, format!("no shapefile {table:?} in this zip; it holds {}", listing(&shps)))
            }),
        (_, None) => Err(ReadError::invalid(
            name,
            format!(
                "this zip holds {} shapefiles: {}; set the table option to the one to import (its name without .shp)",
                shps.len(),
                listing(&shps)
            ),
        )),
    }
}

/// The error for a zip with no `.shp`: what it holds, and whether one of those should be
/// uploaded by itself.
fn no_shapefile(name: &str, members: &[Member]) -> ReadError {
    let all: Vec<&Member> = members.iter().collect();
    if all.is_empty() {
        return ReadError::invalid(
            name,
            "this zip is empty: a shapefile upload must hold the .shp, .shx, .dbf and .prj",
        );
    }
    let data: Vec<&Member> = members
        .iter()
        .filter(|m| {
            matches!(
                Format::from_path(Path::new(&m.path)),
                Some(Format::GeoJson | Format::FlatGeobuf | Format::GeoPackage)
            ) || m.ext == "csv"
        })
        .collect();
    let hint = match data.as_slice() {
        [] => String::new(),
        [one] => format!("; gridgis reads {} without a zip: upload that file directly", one.path),
        _ => "; gridgis reads GeoJSON, CSV, FlatGeobuf and GeoPackage files without a zip: upload each directly"
            .to_string(),
    };
    ReadError::invalid(name, format!("no .shp in this zip; it holds {}{hint}", listing(&all)))
}

fn listing(members: &[&Member]) -> String {
    let mut s = members.iter().take(MAX_LISTED).map(|m| m.path.as_str()).collect::<Vec<_>>().join(", ");
    if members.len() > MAX_LISTED {
        s.push_str(&format!(" and {} more", members.len() - MAX_LISTED));
    }
    s
}

/// The part with extension `ext` beside `shp`: same folder and stem (the stem in another case
/// only when no exact one exists).
fn find_sibling<'a>(members: &'a [Member], shp: &Member, ext: &str) -> Option<&'a Member> {
    let beside = || members.iter().filter(move |m| m.ext == ext && m.dir == shp.dir);
    beside().find(|m| m.stem == shp.stem).or_else(|| beside().find(|m| m.stem.eq_ignore_ascii_case(&shp.stem)))
}

/// Reads one member, never more than the size it declared (checked against the caps before):
/// a member whose data runs longer than its header says is refused, not followed.
fn read_member(name: &str, zip: &mut ZipArchive<Cursor<Vec<u8>>>, m: &Member) -> Result<Vec<u8>, ReadError> {
    let fail = |what: String| ReadError::invalid(name, format!("{}: {what}", m.path));
    let file = zip.by_index(m.index).map_err(|e| fail(format!("cannot be read: {e}")))?;
    if file.encrypted() {
        return Err(fail("is encrypted; upload a zip without a password".into()));
    }
    let capacity = usize::try_from(m.size.min(MAX_PREALLOCATED)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(m.size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot be decompressed: {e}")))?;
    if bytes.len() as u64 != m.size {
        return Err(fail(format!(
            "holds {} bytes where the zip declares {}: the archive is damaged",
            if bytes.len() as u64 > m.size { "more".to_string() } else { bytes.len().to_string() },
            m.size
        )));
    }
    Ok(bytes)
}
