//! `gridgis layers` (the catalog as a table) and `gridgis rollback ID`.

use std::process::ExitCode;

/// Arguments of `gridgis layers`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the catalog as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Only layers of this category.
    #[arg(long)]
    category: Option<String>,
}

/// Prints the catalog.
pub fn run(place: &crate::data::Place, args: Args) -> anyhow::Result<ExitCode> {
    let store = place.open_store()?;
    let layers: Vec<_> =
        store.catalog().layers.iter().filter(|l| args.category.as_ref().is_none_or(|c| &l.category == c)).collect();
    if args.json {
        super::print_stdout(&format!("{}\n", serde_json::to_string_pretty(&layers)?))?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<[String; 7]> = layers
        .iter()
        .map(|l| {
            [
                l.id.clone(),
                l.version.to_string(),
                l.geometry_type.clone(),
                l.feature_count.to_string(),
                l.category.clone(),
                l.name.clone(),
                l.updated_at.clone(),
            ]
        })
        .collect();
    let header = ["id", "version", "geometry", "features", "category", "name", "updated_at"].map(String::from);
    let width =
        |i: usize| std::iter::once(&header).chain(&rows).map(|r| super::display_width(&r[i])).max().unwrap_or(0);
    let widths: Vec<usize> = (0..7).map(width).collect();
    let mut table = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(super::display_width(c)))))
            .collect();
        table.push_str(cells.join("  ").trim_end());
        table.push('\n');
    }
    super::print_stdout(&table)?;
    eprintln!("gridgis: {} layers, {} features", layers.len(), layers.iter().map(|l| l.feature_count).sum::<u64>());
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `gridgis rollback`.
#[derive(Debug, clap::Args)]
pub struct RollbackArgs {
    /// The layer to roll back to its previous kept version.
    layer: String,
}

/// Rolls a layer back; a running server swaps the version in within a second.
pub fn rollback(place: &crate::data::Place, args: RollbackArgs) -> anyhow::Result<ExitCode> {
    let mut store = place.open_store()?;
    let entry = store.rollback(&args.layer)?;
    eprintln!("gridgis: layer '{}' is back at version {} ({} features)", entry.id, entry.version, entry.feature_count);
    Ok(ExitCode::SUCCESS)
}
