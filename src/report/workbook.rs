//! `roster.xlsx`: the planner's workbook — a summary sheet, then one sheet per
//! day with each agent's shift, breaks and hours, sorted by start time.

use crate::pipeline::WeeklyPlan;
use rust_xlsxwriter::{Format, Workbook};
use std::path::Path;

pub fn write_roster_workbook(p: &WeeklyPlan, s: &super::summary::Summary, path: &Path) -> anyhow::Result<()> {
    let mut wb = Workbook::new();
    // A fixed creation time (the planning week's Monday) keeps the file
    // byte-identical between runs.
    let week = p.loaded.week;
    use chrono::Datelike;
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(week.year() as u16, week.month() as u8, week.day() as u8)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    {
        let ws = wb.add_worksheet().set_name("Summary")?;
        ws.write_string_with_format(0, 0, format!("{} — week of {}", p.settings().name, s.week), &bold)?;
        let rows: Vec<(&str, String)> = vec![
            (
                "Calls forecast",
                format!("{:.0} (95%: {:.0}–{:.0})", s.calls_forecast, s.calls_forecast_low95, s.calls_forecast_high95),
            ),
            ("Calls from campaigns", format!("{:.0}", s.calls_from_campaigns)),
            ("Agent-hours needed on the phones", format!("{:.0}", s.agent_hours_needed_on_phones)),
            ("Agent-hours to roster (after shrinkage)", format!("{:.0}", s.agent_hours_needed_rostered)),
            ("Agent-hours rostered", format!("{:.0}", s.agent_hours_rostered)),
            ("Shifts", s.shifts.to_string()),
            ("Unfilled shifts", s.unfilled_shifts.to_string()),
            ("Cost", format!("{:.0} {}", s.cost, s.currency)),
        ];
        for (i, (k, v)) in rows.iter().enumerate() {
            ws.write_string(i as u32 + 2, 0, *k)?;
            ws.write_string(i as u32 + 2, 1, v)?;
        }
        let base = rows.len() as u32 + 4;
        let heads = [
            "Day",
            "Calls",
            "Service level",
            "Abandoned calls",
            "Under-staffed intervals",
            "Simulated service level (95% range)",
        ];
        for (j, h) in heads.iter().enumerate() {
            ws.write_string_with_format(base, j as u16, *h, &bold)?;
        }
        for (i, d) in s.days.iter().enumerate() {
            let r = base + 1 + i as u32;
            ws.write_string(r, 0, &d.date)?;
            ws.write_number(r, 1, d.calls.round())?;
            ws.write_string(
                r,
                2,
                d.service_level.map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_else(|| "closed".into()),
            )?;
            ws.write_string(r, 3, d.abandoned_calls.map(|v| format!("{v:.0}")).unwrap_or_default())?;
            ws.write_number(r, 4, d.understaffed_intervals as f64)?;
            let sim = d
                .simulated_service_level
                .map(|e| format!("{:.1}% ({:.1}–{:.1}%)", e.mean * 100.0, e.low95 * 100.0, e.high95 * 100.0));
            ws.write_string(r, 5, sim.unwrap_or_default())?;
        }
        ws.set_column_width(0, 40)?;
        ws.set_column_width(1, 28)?;
    }
    let sched = &p.scheduled;
    for (d, day) in p.loaded.days.iter().enumerate() {
        let ws = wb.add_worksheet().set_name(day.format("%a %d %b").to_string())?;
        for (j, h) in ["Agent", "Name", "Contract", "Start", "End", "Breaks", "Paid hours", "Shift"].iter().enumerate()
        {
            ws.write_string_with_format(0, j as u16, *h, &bold)?;
        }
        let mut rows: Vec<_> = p.roster.assignments.iter().filter(|a| sched.options[a.option].day == d).collect();
        rows.sort_by_key(|a| (sched.options[a.option].start, p.agents[a.agent].id.clone()));
        for (i, a) in rows.iter().enumerate() {
            let o = &sched.options[a.option];
            let ag = &p.agents[a.agent];
            let r = i as u32 + 1;
            ws.write_string(r, 0, &ag.id)?;
            ws.write_string(r, 1, &ag.name)?;
            ws.write_string(r, 2, &ag.contract)?;
            ws.write_string(r, 3, sched.req.slot_time(o.start).format("%H:%M").to_string())?;
            ws.write_string(r, 4, sched.req.slot_time(o.end).format("%H:%M").to_string())?;
            let breaks: Vec<String> = o
                .breaks
                .iter()
                .map(|(x, y)| {
                    format!("{}–{}", sched.req.slot_time(*x).format("%H:%M"), sched.req.slot_time(*y).format("%H:%M"))
                })
                .collect();
            ws.write_string(r, 5, breaks.join(", "))?;
            ws.write_number(r, 6, o.paid_hours)?;
            ws.write_string(r, 7, &p.settings().scheduling.shifts[o.family].name)?;
        }
        if rows.is_empty() {
            ws.write_string(1, 0, "closed — no shifts")?;
        }
        ws.set_column_width(1, 22)?;
        ws.set_column_width(5, 26)?;
    }
    wb.save(path)?;
    Ok(())
}
