//! The as-run log (`ringcast review --as-run`): the lines as they really
//! aired, in a media plan's columns, matched to the plan by `id`.
//!
//! * A row whose id is in the plan is that line as aired (a spot that moved
//!   is reviewed at its aired time; its aired spend and GRPs are used).
//! * A row with an empty id aired without being planned: reviewed as
//!   unplanned.
//! * A row whose id is not in the plan is refused: most often a typo, and a
//!   line silently reviewed as unplanned would lose its forecast.
//! * A planned line absent from the log did not air.
//!
//! Every aired time must fall in the week under review.

use super::media::{media_from_table, read_media_table, MediaLine, MediaPlan, MediaReading, ID_COLUMNS, START_COLUMNS};
use crate::config::ChannelKinds;
use crate::error::InputError;
use crate::ingest::table::sheet_row;
use chrono::NaiveDate;
use std::path::Path;

/// One aired line, and the index of its planned line (none: unplanned).
#[derive(Debug, Clone)]
pub struct AiredLine {
    pub line: MediaLine,
    pub planned: Option<usize>,
}

/// The as-run log read and matched.
#[derive(Debug, Clone, Default)]
pub struct AsRun {
    pub aired: Vec<AiredLine>,
    pub warnings: Vec<String>,
}

/// Read the as-run log at `path` and match it to `plan` for the week `days`.
pub fn load_as_run(
    path: &Path,
    channels: &ChannelKinds,
    reading: &MediaReading,
    plan: &MediaPlan,
    days: &[NaiveDate],
) -> Result<AsRun, InputError> {
    let Some(t) = read_media_table(path, reading)? else {
        return Ok(AsRun {
            aired: vec![],
            warnings: vec![format!("{}: the as-run log has no lines: no planned line aired", path.display())],
        });
    };
    let id = t.column(ID_COLUMNS)?.ok_or_else(|| {
        t.missing(ID_COLUMNS, "the line id of each aired line (the media plan's id; empty for a line never planned)")
    })?;
    let start_name = t.column(START_COLUMNS)?.map_or("start", |c| c.name).to_string();
    let MediaPlan { lines, warnings, .. } = media_from_table(&t, channels, reading)?;
    let (first, last) = (days.first().copied().unwrap_or_default(), days.last().copied().unwrap_or_default());
    let mut aired = Vec::with_capacity(lines.len());
    for line in lines {
        let i = line.row - sheet_row(0);
        if !days.contains(&line.start.date()) {
            return Err(InputError::bad_value(
                path,
                line.row,
                &start_name,
                &line.start.format("%Y-%m-%d %H:%M").to_string(),
                format!("an aired time in the week under review, {first} .. {last}"),
            ));
        }
        let planned = match id.get(i) {
            None => None,
            Some(v) => Some(plan.lines.iter().position(|p| p.id == v).ok_or_else(|| {
                InputError::bad_value(
                    path,
                    line.row,
                    id.name,
                    v,
                    format!(
                        "the id of a line in the media plan ({}), or empty for a line that aired without being planned",
                        ids_hint(plan)
                    ),
                )
            })?),
        };
        aired.push(AiredLine { line, planned });
    }
    Ok(AsRun { aired, warnings })
}

fn ids_hint(plan: &MediaPlan) -> String {
    let ids: Vec<&str> = plan.lines.iter().map(|l| l.id.as_str()).collect();
    match ids.len() {
        0 => "the plan has no lines".into(),
        n if n <= 6 => ids.join(", "),
        n => format!("{} … {}, {n} lines", ids[..3].join(", "), ids[n - 1]),
    }
}
