//! `roster.xlsx`: the planner's workbook — a summary sheet, a week sheet with
//! one row per agent, then one sheet per day with each agent's shift, breaks
//! and hours, sorted by start time.
//!
//! Numbers, percentages, money, dates and times are typed cells with number
//! formats (a spreadsheet can sum and sort them); every sheet has its header
//! row frozen and printed on each page, landscape, fitted to the page width.

use super::summary::Summary;
use super::tables::agent_weeks;
use crate::pipeline::WeeklyPlan;
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// The cell formats of the workbook.
struct Formats {
    bold: Format,
    header: Format,
    count: Format,
    hours: Format,
    percent: Format,
    money: Format,
    date: Format,
    time: Format,
}

impl Formats {
    fn new(currency: &str) -> Self {
        Formats {
            bold: Format::new().set_bold(),
            header: Format::new().set_bold().set_background_color("#E3E9F2").set_text_wrap(),
            count: Format::new().set_num_format("#,##0"),
            hours: Format::new().set_num_format("#,##0.00"),
            percent: Format::new().set_num_format("0.0%"),
            money: Format::new().set_num_format(format!("#,##0 \"{}\"", currency.replace('"', ""))),
            date: Format::new().set_num_format("ddd dd mmm yyyy").set_align(rust_xlsxwriter::FormatAlign::Left),
            time: Format::new().set_num_format("hh:mm"),
        }
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

fn excel_time(t: NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_hms(t.hour() as u16, t.minute() as u8, 0)
}

/// Header row in row 0, frozen and repeated on printed pages; landscape,
/// fitted to one page wide.
fn table_sheet(ws: &mut Worksheet, heads: &[&str], f: &Formats, frozen_columns: u16) -> Result<(), XlsxError> {
    for (j, h) in heads.iter().enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &f.header)?;
    }
    ws.set_freeze_panes(1, frozen_columns)?;
    ws.set_repeat_rows(0, 0)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

pub fn write_roster_workbook(p: &WeeklyPlan, s: &Summary, path: &Path) -> anyhow::Result<()> {
    let mut wb = Workbook::new();
    // A fixed creation time (the planning week's first day) keeps the file
    // byte-identical between runs.
    let created = excel_date(p.loaded.week)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let f = Formats::new(&s.currency);
    summary_sheet(wb.add_worksheet(), p, s, &f)?;
    week_sheet(wb.add_worksheet(), p, &f)?;
    for (d, day) in p.loaded.days.iter().enumerate() {
        day_sheet(wb.add_worksheet(), p, d, *day, &f)?;
    }
    wb.save(path)?;
    Ok(())
}

fn summary_sheet(ws: &mut Worksheet, p: &WeeklyPlan, s: &Summary, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    ws.write_string_with_format(0, 0, format!("{} — week of {}", p.settings().name, s.week), &f.bold)?;
    let rows: [(&str, f64, &Format); 11] = [
        ("Calls forecast", s.calls_forecast.round(), &f.count),
        ("Calls forecast, 95% low", s.calls_forecast_low95.round(), &f.count),
        ("Calls forecast, 95% high", s.calls_forecast_high95.round(), &f.count),
        ("Calls from campaigns", s.calls_from_campaigns.round(), &f.count),
        ("Agent-hours needed on the phones", s.agent_hours_needed_on_phones, &f.hours),
        ("Agent-hours to roster (after shrinkage)", s.agent_hours_needed_rostered, &f.hours),
        ("Agent-hours rostered (paid)", s.agent_hours_rostered, &f.hours),
        ("Shifts", s.shifts as f64, &f.count),
        ("Unfilled shifts", s.unfilled_shifts as f64, &f.count),
        ("Agents below contract minimum", s.agents_below_contract_minimum as f64, &f.count),
        ("Cost", s.cost, &f.money),
    ];
    for (i, (label, value, format)) in rows.iter().enumerate() {
        ws.write_string(i as u32 + 2, 0, *label)?;
        ws.write_number_with_format(i as u32 + 2, 1, *value, format)?;
    }
    let base = rows.len() as u32 + 4;
    let heads = [
        "Day",
        "Calls",
        "Service level (projected)",
        "Service level (simulated)",
        "Simulated, 95% low",
        "Simulated, 95% high",
        "Abandoned calls",
        "Under-staffed intervals",
    ];
    for (j, h) in heads.iter().enumerate() {
        ws.write_string_with_format(base, j as u16, *h, &f.header)?;
    }
    for (i, (d, date)) in s.days.iter().zip(&p.loaded.days).enumerate() {
        let r = base + 1 + i as u32;
        ws.write_datetime_with_format(r, 0, excel_date(*date)?, &f.date)?;
        ws.write_number_with_format(r, 1, d.calls.round(), &f.count)?;
        match d.service_level {
            Some(v) => ws.write_number_with_format(r, 2, v, &f.percent)?,
            None => ws.write_string(r, 2, "closed")?,
        };
        if let Some(e) = &d.simulated_service_level {
            ws.write_number_with_format(r, 3, e.mean, &f.percent)?;
            ws.write_number_with_format(r, 4, e.low95, &f.percent)?;
            ws.write_number_with_format(r, 5, e.high95, &f.percent)?;
        }
        if let Some(a) = d.abandoned_calls {
            ws.write_number_with_format(r, 6, a.round(), &f.count)?;
        }
        ws.write_number_with_format(r, 7, d.understaffed_intervals as f64, &f.count)?;
    }
    ws.set_column_width(0, 40)?;
    for c in 1..heads.len() as u16 {
        ws.set_column_width(c, 16)?;
    }
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// One row per rostered agent: a column per day with the shift's hours.
fn week_sheet(ws: &mut Worksheet, p: &WeeklyPlan, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Week by agent")?;
    let days: Vec<String> = p.loaded.days.iter().map(|d| d.format("%a %d %b").to_string()).collect();
    let mut heads = vec!["Agent", "Name", "Contract"];
    heads.extend(days.iter().map(String::as_str));
    heads.push("Paid hours");
    table_sheet(ws, &heads, f, 2)?;
    for (i, a) in agent_weeks(p).iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &a.id)?;
        ws.write_string(r, 1, &a.name)?;
        ws.write_string(r, 2, &a.contract)?;
        for (j, cell) in a.days.iter().enumerate() {
            ws.write_string(r, 3 + j as u16, cell)?;
        }
        ws.write_number_with_format(r, 3 + a.days.len() as u16, a.paid_hours, &f.hours)?;
    }
    ws.set_column_width(1, 22)?;
    for c in 3..3 + days.len() as u16 {
        ws.set_column_width(c, 13)?;
    }
    Ok(())
}

/// One day: each agent's shift, sorted by start time.
fn day_sheet(ws: &mut Worksheet, p: &WeeklyPlan, d: usize, day: NaiveDate, f: &Formats) -> Result<(), XlsxError> {
    let sched = &p.scheduled;
    ws.set_name(day.format("%a %d %b").to_string())?;
    table_sheet(ws, &["Agent", "Name", "Contract", "Start", "End", "Breaks", "Paid hours", "Shift"], f, 0)?;
    let mut rows: Vec<_> = p.roster.assignments.iter().filter(|a| sched.options[a.option].day == d).collect();
    rows.sort_by_key(|a| (sched.options[a.option].start, p.agents[a.agent].id.clone()));
    for (i, a) in rows.iter().enumerate() {
        let o = &sched.options[a.option];
        let ag = &p.agents[a.agent];
        let r = i as u32 + 1;
        ws.write_string(r, 0, &ag.id)?;
        ws.write_string(r, 1, &ag.name)?;
        ws.write_string(r, 2, &ag.contract)?;
        ws.write_datetime_with_format(r, 3, excel_time(sched.req.slot_time(o.start))?, &f.time)?;
        ws.write_datetime_with_format(r, 4, excel_time(sched.req.slot_time(o.end))?, &f.time)?;
        let breaks: Vec<String> = o
            .breaks
            .iter()
            .map(|(x, y)| {
                format!("{}–{}", sched.req.slot_time(*x).format("%H:%M"), sched.req.slot_time(*y).format("%H:%M"))
            })
            .collect();
        ws.write_string(r, 5, breaks.join(", "))?;
        ws.write_number_with_format(r, 6, o.paid_hours, &f.hours)?;
        ws.write_string(r, 7, &p.settings().scheduling.shifts[o.family].name)?;
    }
    if rows.is_empty() {
        ws.write_string(1, 0, "closed — no shifts")?;
    }
    ws.set_column_width(1, 22)?;
    ws.set_column_width(5, 26)?;
    Ok(())
}
