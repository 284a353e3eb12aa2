//! Media plans: what marketing ran (past plans, for learning) or will run (next
//! week's plan). One row per activity: a TV spot at its exact air time, a
//! retargeting flight over days, an email drop.

use crate::config::{ChannelKind, ChannelKinds};
use crate::error::{InputError, InputResult};
use crate::ingest::table::{sheet_row, Moment, ReadFormat, Table};
use crate::limits;
use chrono::NaiveDateTime;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One validated media-plan line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediaLine {
    /// Spreadsheet row in its file (header = row 1): how marketing finds the line.
    pub row: usize,
    /// Optional line id from the file, else `L<row>`.
    pub id: String,
    /// Channel name, lower-cased (`tv`, `retargeting`, …).
    pub channel: String,
    pub kind: ChannelKind,
    /// Air time (spots, to the minute), send time (drops) or first day (flights).
    pub start: NaiveDateTime,
    /// Last moment of a flight; `None` for spots and drops.
    pub end: Option<NaiveDateTime>,
    /// Spend in the centre's currency.
    pub spend: f64,
    pub grps: Option<f64>,
    pub impressions: Option<f64>,
    pub audience: Option<f64>,
    pub campaign: String,
    pub station: String,
    pub creative: String,
}

impl MediaLine {
    /// The size of the activity that drives calls: GRPs for spots when given,
    /// else spend (in thousands), for flights and drops spend in thousands.
    pub fn weight(&self) -> f64 {
        match (self.kind, self.grps) {
            (ChannelKind::Spot, Some(g)) => g,
            _ => self.spend / 1000.0,
        }
    }
}

/// A media plan: its lines in file order, and warnings about usable oddities.
#[derive(Debug, Clone, Default)]
pub struct MediaPlan {
    pub lines: Vec<MediaLine>,
    pub warnings: Vec<String>,
    /// The file the plan was read from (empty when none was given), so a
    /// later check can name it without going back to the command line.
    pub source: PathBuf,
}

impl MediaPlan {
    pub fn channels(&self) -> Vec<String> {
        let mut c: Vec<String> = self.lines.iter().map(|l| l.channel.clone()).collect();
        c.sort();
        c.dedup();
        c
    }
}

/// How a media file is read: its columns and formats (`[media]` in the
/// config), and the channel of a file without a channel column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaReading {
    pub format: ReadFormat,
    /// The channel of every line when the file has no channel column.
    pub channel: Option<String>,
}

/// Accepted header names of each field, ringcast's name first (the key under
/// `[media.columns]`); an agency's spot schedule or as-run log
/// (`Date, Time, Station, Programme, Duration, TVR, Cost`) reads as it is.
pub const CHANNEL_COLUMNS: &[&str] = &["channel", "media", "medium", "media_type"];
pub const START_COLUMNS: &[&str] =
    &["start", "air_time", "start_time", "datetime", "send_time", "date_time", "airtime", "aired_at", "send_at"];
pub const DATE_COLUMNS: &[&str] = &["date", "air_date", "spot_date", "send_date", "start_date", "transmission_date"];
pub const TIME_COLUMNS: &[&str] = &["time", "spot_time", "time_aired", "transmission_time", "time_of_day"];
pub const END_COLUMNS: &[&str] = &["end", "end_time", "until", "end_date"];
pub const SPEND_COLUMNS: &[&str] = &["spend", "cost", "budget", "media_cost", "price", "amount"];
/// GRPs: TVR (TV rating points, the UK's name) and TRPs are the same measure.
pub const GRPS_COLUMNS: &[&str] = &["grps", "grp", "trps", "trp", "tvr", "tvrs", "rating", "ratings"];
pub const IMPRESSIONS_COLUMNS: &[&str] = &["impressions", "imps", "impacts"];
pub const AUDIENCE_COLUMNS: &[&str] = &["audience", "reach", "recipients"];
pub const CAMPAIGN_COLUMNS: &[&str] = &["campaign", "campaign_name"];
pub const STATION_COLUMNS: &[&str] = &["station", "network", "publisher", "broadcaster", "station_name"];
pub const CREATIVE_COLUMNS: &[&str] = &["creative", "spot_name", "ad", "creative_name", "ad_name", "copy"];
pub const ID_COLUMNS: &[&str] = &["id", "line_id", "line", "spot_id"];

/// The fields `[media.columns]` may map.
pub const MEDIA_FIELDS: &[&str] = &[
    "id",
    "channel",
    "start",
    "date",
    "time",
    "end",
    "spend",
    "grps",
    "impressions",
    "audience",
    "campaign",
    "station",
    "creative",
];

/// Read a media plan CSV in ringcast's own names and formats.
pub fn load_media_plan(path: &Path, channels: &ChannelKinds) -> InputResult<MediaPlan> {
    load_media_plan_as(path, channels, &MediaReading::default())
}

/// Read a media plan CSV written as `reading` says. Campaigns are optional:
/// no path (`--media ""`), an empty file (`/dev/null`) or a header alone mean
/// a plan with no lines.
pub fn load_media_plan_as(path: &Path, channels: &ChannelKinds, reading: &MediaReading) -> InputResult<MediaPlan> {
    if path.as_os_str().is_empty() {
        return Ok(MediaPlan::default());
    }
    let plan = match read_media_table(path, reading)? {
        Some(t) => media_from_table(&t, channels, reading)?,
        None => MediaPlan::default(),
    };
    Ok(MediaPlan { source: path.to_path_buf(), ..plan })
}

/// The table of a media file; `None` for a plan without lines (an empty
/// file, a header alone).
pub fn read_media_table(path: &Path, reading: &MediaReading) -> InputResult<Option<Table>> {
    let bytes = std::fs::read(path).map_err(|e| InputError::file(path, format!("cannot read the file: {e}")))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let t = Table::from_bytes_as(path, bytes, &reading.format.in_section("media"))?;
    let has_rows = t.rows().next().is_some();
    Ok(has_rows.then_some(t))
}

/// [`load_media_plan_as`] on a table already read.
pub fn media_from_table(t: &Table, channels: &ChannelKinds, reading: &MediaReading) -> InputResult<MediaPlan> {
    let path = t.path.as_path();
    let channel = match (t.column(CHANNEL_COLUMNS)?, &reading.channel) {
        (Some(c), _) => Ok(c),
        (None, Some(fixed)) => Err(fixed.clone()),
        (None, None) => {
            return Err(t.missing(
                CHANNEL_COLUMNS,
                "the channel (tv, radio, retargeting, email…; a file of one channel: set channel = \"tv\" under [media] in the config)",
            ))
        }
    };
    let start = Moment::find(t, START_COLUMNS, DATE_COLUMNS, TIME_COLUMNS, &[])?
        .ok_or_else(|| t.missing(START_COLUMNS, "the start (a spot's air time; or columns 'date' and 'time')"))?;
    let end = t.column(END_COLUMNS)?;
    let spend = t.require(SPEND_COLUMNS, "the spend")?;
    let grps = t.column(GRPS_COLUMNS)?;
    let impressions = t.column(IMPRESSIONS_COLUMNS)?;
    let audience = t.column(AUDIENCE_COLUMNS)?;
    let campaign = t.column(CAMPAIGN_COLUMNS)?;
    let station = t.column(STATION_COLUMNS)?;
    let creative = t.column(CREATIVE_COLUMNS)?;
    let id = t.column(ID_COLUMNS)?;
    let mut plan = MediaPlan::default();
    let mut ids: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for i in t.rows() {
        if let Some((c, v)) = id.and_then(|c| c.get(i).map(|v| (c, v))) {
            if let Some(prev) = ids.insert(v.to_string(), sheet_row(i)) {
                return Err(InputError::bad_value(
                    path,
                    sheet_row(i),
                    c.name,
                    v,
                    format!("a line id not used before (row {prev} has it)"),
                ));
            }
        }
        // The channel column, or the config's channel for a file of one channel.
        let ch = match &channel {
            Ok(c) => t.required(*c, i, "a channel name such as tv or email")?.to_ascii_lowercase(),
            Err(fixed) => fixed.clone(),
        };
        let kind = channels.kind(&ch);
        if !ChannelKind::is_known_name(&ch) && !channels.is_configured(&ch) {
            plan.warnings.push(format!(
                "{}:{}: unknown channel '{ch}', treated as a {kind:?} (name it under [channels] in the config to choose)",
                path.display(),
                sheet_row(i)
            ));
        }
        let s = start.at(t, i)?;
        let e = t.opt_datetime_at(end, i)?;
        if let Some(e) = e {
            if e < s {
                return Err(InputError::bad_value(
                    path,
                    sheet_row(i),
                    end.map(|c| c.name).unwrap_or("end"),
                    &e.format("%Y-%m-%d %H:%M").to_string(),
                    format!("an end at or after the start {}", s.format("%Y-%m-%d %H:%M")),
                ));
            }
        }
        let grps_v = t.opt_number_at(grps, i, &limits::GRPS)?;
        if kind == ChannelKind::Spot && e.is_some() {
            plan.warnings.push(format!(
                "{}:{}: a {ch} spot has an end time; spots are modelled at their air time (start)",
                path.display(),
                sheet_row(i)
            ));
        }
        let text = |c: Option<crate::ingest::table::Col<'_>>| c.and_then(|c| c.get(i)).unwrap_or("").to_string();
        plan.lines.push(MediaLine {
            row: sheet_row(i),
            id: id.and_then(|c| c.get(i)).map(str::to_string).unwrap_or_else(|| format!("L{}", sheet_row(i))),
            channel: ch,
            kind,
            start: s,
            end: if kind == ChannelKind::Flight { Some(e.unwrap_or(s)) } else { None },
            spend: t.number_at(spend, i, &limits::SPEND)?,
            grps: grps_v,
            impressions: t.opt_number_at(impressions, i, &limits::IMPRESSIONS)?,
            audience: t.opt_number_at(audience, i, &limits::AUDIENCE)?,
            campaign: text(campaign),
            station: text(station),
            creative: text(creative),
        });
    }
    plan.warnings.extend(t.reading_warnings());
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn load(text: &str) -> InputResult<MediaPlan> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.csv");
        std::fs::File::create(&p).unwrap().write_all(text.as_bytes()).unwrap();
        load_media_plan(&p, &ChannelKinds::default()).map_err(|mut e| {
            e.at.file = "m.csv".into();
            e
        })
    }

    #[test]
    fn a_line_id_used_twice_is_refused() {
        let e = load("id,channel,start,spend\nA,tv,2026-11-24 20:14,10\nA,tv,2026-11-24 21:14,10\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("m.csv:3: column 'id': got 'A'") && e.contains("row 2 has it"), "{e}");
    }

    #[test]
    fn no_campaigns_is_a_plan_without_lines() {
        for text in ["", "\n", "channel,start,spend\n"] {
            let plan = load(text).unwrap();
            assert!(plan.lines.is_empty() && plan.warnings.is_empty(), "{text:?}");
        }
        assert!(load_media_plan(Path::new(""), &ChannelKinds::default()).unwrap().lines.is_empty());
        assert!(load_media_plan(Path::new("/dev/null"), &ChannelKinds::default()).unwrap().lines.is_empty());
    }

    #[test]
    fn reads_spots_flights_and_drops() {
        let p = load(
            "channel,start,end,spend,grps,campaign\nTV,2026-11-23 20:14,,12000,4.5,Winter\nretargeting,2026-11-23 00:00,2026-11-29 23:59,700,,Winter\nemail,2026-11-24 10:00,,200,,\n",
        )
        .unwrap();
        assert_eq!(p.lines.len(), 3);
        assert_eq!(p.lines[0].kind, ChannelKind::Spot);
        assert_eq!(p.lines[0].weight(), 4.5);
        assert_eq!(p.lines[1].kind, ChannelKind::Flight);
        assert_eq!(p.lines[2].kind, ChannelKind::Drop);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn end_before_start_names_row_and_column() {
        let e = load("channel,start,end,spend\nretargeting,2026-11-25 00:00,2026-11-24 00:00,10\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("m.csv:2: column 'end'") && e.contains("at or after the start"), "{e}");
    }

    #[test]
    fn unknown_channel_is_accepted_with_a_warning() {
        let p = load("channel,start,spend\npodcast,2026-11-25 08:00,10\n").unwrap();
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].contains("unknown channel 'podcast'"));
    }

    #[test]
    fn negative_spend_is_refused() {
        let e = load("channel,start,spend\ntv,2026-11-25 08:00,-5\n").unwrap_err().to_string();
        assert!(e.contains("m.csv:2: column 'spend'") && e.contains("'-5'"), "{e}");
    }
}
