//! `report.html`: opened in a real (headless) browser, and every number it
//! shows checked against the file it comes from.

use super::common::{bundled_plan, read_csv, ringcast, root, stderr};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A headless Chromium: `RINGCAST_CHROMIUM`, else `chromium`,
/// `chromium-headless-shell` or `google-chrome` on the PATH (`make test`
/// installs Debian's `chromium` where it can).
fn browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RINGCAST_CHROMIUM").map(PathBuf::from).filter(|p| p.exists()) {
        return Some(p);
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-headless-shell", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Render `page` headless into `shot` (1280 px wide); the browser's console
/// messages. The report has no scripts, and its Content-Security-Policy makes
/// the browser refuse and log any request but its inline images, so any
/// console message is an error or a failed request.
fn render(chromium: &Path, page: &Path, shot: &Path) -> Vec<String> {
    let profile = tempfile::tempdir().unwrap();
    let o = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--window-size=1280,2400")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("start the browser");
    assert!(shot.exists(), "no screenshot: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).lines().filter(|l| l.contains(":CONSOLE")).map(str::to_string).collect()
}

/// Share of the screenshot's pixels that are not (near) white, and the
/// number of distinct colours.
fn ink(shot: &Path) -> (f64, usize) {
    let decoder = png::Decoder::new(std::fs::File::open(shot).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let inked = pixels.iter().filter(|p| p[..3].iter().any(|v| *v < 235)).count();
    let colours: std::collections::BTreeSet<&[u8]> = pixels.iter().map(|p| &p[..3]).collect();
    (inked as f64 / pixels.len() as f64, colours.len())
}

/// The bundled plan's report opens offline in headless Chromium without a
/// console error or a refused request, under 2 MB, and draws a page that is
/// not blank; a broken page (a missing image, an outside request, a script
/// error) is caught by the same check. Skips, saying so, without a browser.
#[test]
fn report_opens_offline_in_a_real_browser() {
    let Some(chromium) = browser() else {
        eprintln!("skipping: no headless Chromium found (install Debian's chromium, or set RINGCAST_CHROMIUM)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = ringcast(&["plan", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = out.join("report.html");
    let size = std::fs::metadata(&page).unwrap().len();
    assert!(size < 2_000_000, "report.html is {size} bytes");
    let shot = dir.path().join("report.png");
    let console = render(&chromium, &page, &shot);
    assert!(console.is_empty(), "console: {console:#?}");
    let (share, colours) = ink(&shot);
    eprintln!(
        "report.html {size} bytes; screenshot {}: {:.1}% inked, {colours} colours",
        shot.display(),
        share * 100.0
    );
    assert!(share > 0.05 && colours > 50, "blank-looking screenshot: {share} inked, {colours} colours");
    if let Some(keep) = std::env::var_os("RINGCAST_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }

    // The same check on a page with what the report must never do.
    let text = std::fs::read_to_string(&page).unwrap();
    let broken = text.replacen(
        "<main>",
        "<main><img src=\"missing.png\"><img src=\"https://example.com/x.png\"><script>throw new Error('x')</script>",
        1,
    );
    let bad = dir.path().join("broken.html");
    std::fs::write(&bad, broken).unwrap();
    let console = render(&chromium, &bad, &dir.path().join("broken.png"));
    for what in ["missing.png", "example.com", "script"] {
        assert!(console.iter().any(|l| l.contains(what)), "{what} not caught: {console:#?}");
    }
}

/// The cells of `report.html`'s tables: source → row key → column → text.
fn report_cells(html: &str) -> BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> {
    let mut out: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> = BTreeMap::new();
    for table in html.split("<table").skip(1) {
        let (tag, body) = table.split_once('>').unwrap();
        let Some((_, src)) = tag.split_once("data-src=\"") else { continue };
        let src = src.split('"').next().unwrap();
        let body = body.split("</table>").next().unwrap();
        for row in body.split("<tr data-key=\"").skip(1) {
            let (key, cells) = row.split_once('"').unwrap();
            let entry = out.entry(src.to_string()).or_default().entry(unescape(key)).or_default();
            for cell in cells.split("data-col=\"").skip(1) {
                let (col, rest) = cell.split_once('"').unwrap();
                let text = rest.split_once('>').unwrap().1.split('<').next().unwrap();
                entry.insert(col.to_string(), unescape(text));
            }
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// A CSV file's rows keyed by `key(row)`.
fn csv_rows(
    path: &Path,
    key: impl Fn(&BTreeMap<String, String>) -> String,
) -> BTreeMap<String, BTreeMap<String, String>> {
    read_csv(path).into_iter().map(|row| (key(&row), row)).collect()
}

/// Every `data-v` number of the page: (source, text shown).
fn sourced_numbers(html: &str) -> Vec<(String, String)> {
    html.split("data-v=\"")
        .skip(1)
        .map(|part| {
            let (source, rest) = part.split_once('"').unwrap();
            let text = rest.split_once('>').unwrap().1.split('<').next().unwrap();
            (unescape(source), unescape(text))
        })
        .collect()
}

/// Every sourced number of `html` (at least `least` of them) is its source's
/// value in `out` at the precision shown.
pub(crate) fn numbers_match_their_sources(out: &Path, html: &str, least: usize) {
    let numbers = sourced_numbers(html);
    for (source, shown) in &numbers {
        let value = source_value(out, source);
        assert!(shown_as(shown, value), "{}: {source} shows {shown}, the file has {value}", out.display());
    }
    assert!(numbers.len() >= least, "{}: {} sourced numbers", out.display(), numbers.len());
}

/// `value` written with as many decimals as `shown` has (a percentage when it
/// ends in %) equals `shown`.
fn shown_as(shown: &str, value: f64) -> bool {
    let (digits, scale) = match shown.strip_suffix('%') {
        Some(d) => (d, 100.0),
        None => (shown, 1.0),
    };
    let decimals = digits.split_once('.').map_or(0, |(_, f)| f.len());
    // A value on a rounding tie (a sum of a CSV's rounded cells can land on
    // one, give or take float noise) may be shown either way.
    let tie = digits
        .parse::<f64>()
        .is_ok_and(|d| (value * scale - d).abs() <= 0.5 * 10f64.powi(-(decimals as i32)) * (1.0 + 1e-9));
    format!("{:.*}", decimals, value * scale) == digits || tie
}

/// The value a `data-v` source names, from the output folder's files.
fn source_value(out: &Path, source: &str) -> f64 {
    let (file, locator) = source.split_once(':').unwrap();
    if file == "summary.json" {
        let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join(file)).unwrap()).unwrap();
        return s.pointer(locator).and_then(|v| v.as_f64()).unwrap_or_else(|| panic!("{source}"));
    }
    let rows = read_csv(&out.join(file));
    let num = |r: &BTreeMap<String, String>, c: &str| r[c].parse::<f64>().unwrap();
    let parts: Vec<&str> = locator.split(':').collect();
    match parts.as_slice() {
        ["sum", col] => rows.iter().map(|r| num(r, col)).sum(),
        ["agent", id, "paid_hours"] => {
            rows.iter().filter(|r| r["agent_id"] == *id).map(|r| num(r, "paid_hours")).sum::<f64>() + 0.0
        }
        ["day", day, what] => {
            let on: Vec<_> = rows.iter().filter(|r| r["day"] == *day).collect();
            let staffed = || on.iter().filter(|r| r["agent_id"] != "UNFILLED");
            match *what {
                "shifts" => staffed().count() as f64,
                "paid_hours" => staffed().map(|r| num(r, "paid_hours")).sum::<f64>() + 0.0,
                "unfilled" => on.iter().filter(|r| r["agent_id"] == "UNFILLED").count() as f64,
                _ => panic!("{source}"),
            }
        }
        _ => panic!("unknown source {source}"),
    }
}

/// Every number the report shows is that of the file it comes from: the
/// media-plan tables' cells are the text of the same column and row of
/// impact.csv / impact_campaigns.csv; every other figure names its source
/// (summary.json, a sum of impact.csv, roster.csv by agent or day) and is that
/// value at the precision shown. For `plan` and `impact`.
#[test]
fn report_numbers_are_those_of_its_files() {
    assert!(shown_as("92.3%", 0.9226) && !shown_as("92.2%", 0.9226));
    assert!(shown_as("62304", 62303.9) && !shown_as("62304", 62305.0) && shown_as("843.8", 843.78));
    let dir = tempfile::tempdir().unwrap();
    for command in ["plan", "impact"] {
        let out = dir.path().join(command);
        let o = ringcast(&[command, "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let cells = report_cells(&std::fs::read_to_string(out.join("report.html")).unwrap());
        let lines = csv_rows(&out.join("impact.csv"), |r| r["line"].clone());
        let groups = csv_rows(&out.join("impact_campaigns.csv"), |r| format!("{}/{}", r["group"], r["name"]));
        let mut checked = 0;
        for (src, rows) in [("impact.csv", &lines), ("impact_campaigns.csv", &groups)] {
            let shown = &cells[src];
            assert_eq!(shown.len(), rows.len(), "{command}: {src} rows");
            for (key, cols) in shown {
                for (col, text) in cols {
                    assert_eq!(text, &rows[key][col], "{command}: {src} {key} {col}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "{command}: only {checked} cells checked");
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        numbers_match_their_sources(&out, &html, if command == "plan" { 150 } else { 6 });
        if command == "impact" {
            assert!(!cells.contains_key("summary.json#days"), "the impact report is marketing's");
            continue;
        }
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        let days = &cells["summary.json#days"];
        assert_eq!(days.len(), 7);
        for d in summary["days"].as_array().unwrap() {
            let shown = &days[d["date"].as_str().unwrap()];
            for (col, text) in shown {
                let value = col.split('.').fold(d, |v, k| &v[k]);
                let expected = match (col.as_str(), value.as_f64()) {
                    (_, None) if col.contains("service_level") => "closed".to_string(),
                    (_, None) => "-".to_string(),
                    (c, Some(v)) if c.contains("service_level") => format!("{:.1}%", v * 100.0),
                    (_, Some(v)) => format!("{v:.0}"),
                };
                assert_eq!(text, &expected, "day {} {col}", d["date"]);
            }
        }
    }
}

/// The parts of `roster.xlsx` (an xlsx is a zip of XML files).
fn xlsx_part(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
    text
}

/// The workbook's figures are typed cells with number formats (not text),
/// each table's header row is frozen and printed on every page, sheets print
/// landscape one page wide, and a week sheet has one row per rostered agent.
#[test]
fn workbook_cells_are_typed_and_sheets_print() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = ringcast(&["plan", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let xlsx = out.join("roster.xlsx");
    let book = xlsx_part(&xlsx, "xl/workbook.xml");
    assert!(book.contains("name=\"Week by agent\""), "{book}");
    // Print titles: a defined name per table sheet repeating row 1.
    assert!(book.matches("_xlnm.Print_Titles").count() >= 8, "{book}");
    let styles = xlsx_part(&xlsx, "xl/styles.xml");
    for format in ["0.0%", "hh:mm", "#,##0.00", "ddd dd mmm yyyy", "GBP"] {
        assert!(styles.contains(format), "number format {format} missing");
    }
    // Summary: the cost and the first day's service level are numbers.
    let summary = xlsx_part(&xlsx, "xl/worksheets/sheet1.xml");
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    // A cell's stored number (None for text: shared strings carry t="s").
    let cell = |sheet: &str, at: &str| -> Option<f64> {
        let c = sheet.split(&format!("<c r=\"{at}\"")).nth(1)?.split("</c>").next()?;
        if c.contains("t=\"s\"") {
            return None;
        }
        c.split("<v>").nth(1)?.split("</v>").next()?.parse().ok()
    };
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() <= 1e-9 * b.abs().max(1.0));
    // Row 13: the cost; row 17, column C: the first day's projected service level.
    assert!(close(cell(&summary, "B13"), s["cost"].as_f64().unwrap()), "cost not a number cell");
    assert!(
        close(cell(&summary, "C17"), s["days"][0]["service_level"].as_f64().unwrap()),
        "service level not a number"
    );
    // Week by agent: one row per rostered agent, header frozen, landscape, fit to width.
    let week = xlsx_part(&xlsx, "xl/worksheets/sheet2.xml");
    let agents = read_csv(&out.join("roster.csv"))
        .iter()
        .map(|r| r["agent_id"].clone())
        .filter(|a| a != "UNFILLED")
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert_eq!(week.matches("<row ").count(), agents + 1, "one row per agent and the header");
    for sheet in 2..=9 {
        let x = xlsx_part(&xlsx, &format!("xl/worksheets/sheet{sheet}.xml"));
        assert!(x.contains("state=\"frozen\""), "sheet {sheet} header not frozen");
        assert!(
            x.contains("orientation=\"landscape\"") && x.contains("fitToHeight=\"0\""),
            "sheet {sheet} print set-up"
        );
    }
    // A day sheet's start times are time cells (fractions of a day), not text.
    let monday = xlsx_part(&xlsx, "xl/worksheets/sheet3.xml");
    let first_start = monday.split("<c r=\"D2\"").nth(1).unwrap().split("</c>").next().unwrap();
    assert!(!first_start.contains("t=\"s\"") && first_start.contains("<v>0."), "{first_start}");
}

/// Names from the inputs that a spreadsheet would run as formulas are written
/// as text: a leading apostrophe in every CSV, strings (never formulas) in the
/// workbook; in report.html a `<script>` name is escaped and the page's
/// Content-Security-Policy allows no scripts. The inputs warn once per file.
#[test]
fn hostile_names_are_written_as_text_in_every_output() {
    let data = root().join("data");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for f in ["history.csv", "media_history.csv", "centre.toml"] {
        std::fs::copy(data.join(f), p.join(f)).unwrap();
    }
    let plan = std::fs::read_to_string(data.join("media_plan_next_week.csv")).unwrap();
    let plan = plan
        .replacen(",Loyalty Plus,ITV1", ",\"=HYPERLINK(\"\"http://example.invalid\"\",\"\"x\"\")\",ITV1", 1)
        .replacen(",Black Friday,", ",<script>alert(1)</script>,", 1);
    std::fs::write(p.join("media_plan_next_week.csv"), plan).unwrap();
    let agents = std::fs::read_to_string(data.join("agents.csv")).unwrap().replacen("Grace Patel", "@SUM(A1)", 1);
    std::fs::write(p.join("agents.csv"), agents).unwrap();
    let o = super::common::ringcast_in(
        p,
        &[
            "plan",
            "--history",
            "history.csv",
            "--media",
            "media_history.csv",
            "--media-plan",
            "media_plan_next_week.csv",
            "--config",
            "centre.toml",
            "--agents",
            "agents.csv",
            "--out",
            "out",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert_eq!(e.matches("starts like a spreadsheet formula").count(), 2, "one warning per file: {e}");
    assert!(
        e.contains("media_plan_next_week.csv:3: column 'campaign'") && e.contains("agents.csv:2: column 'name'"),
        "{e}"
    );
    let out = p.join("out");
    let impact = std::fs::read_to_string(out.join("impact.csv")).unwrap();
    assert!(impact.contains(",\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"x\"\")\","), "{impact}");
    let campaigns = std::fs::read_to_string(out.join("impact_campaigns.csv")).unwrap();
    assert!(campaigns.contains("\"'=HYPERLINK("), "{campaigns}");
    assert!(!campaigns.lines().any(|l| l.split(',').any(|c| c.starts_with('='))), "{campaigns}");
    let roster = std::fs::read_to_string(out.join("roster.csv")).unwrap();
    assert!(roster.contains(",'@SUM(A1),"), "{roster}");
    // Numbers are never touched: no cell of a number column gains an apostrophe.
    assert!(!std::fs::read_to_string(out.join("coverage.csv")).unwrap().contains('\''));
    let xlsx = out.join("roster.xlsx");
    let strings = xlsx_part(&xlsx, "xl/sharedStrings.xml");
    assert!(strings.contains("@SUM(A1)"), "the name is a string of the workbook");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap()).unwrap();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut text = String::new();
        if f.name().starts_with("xl/worksheets/") {
            std::io::Read::read_to_string(&mut f, &mut text).unwrap();
            assert!(!text.contains("<f>"), "{}: a formula cell", f.name());
        }
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script"), "the name is escaped");
    assert!(html.contains("default-src 'none'"), "the page's CSP allows no scripts");
}

/// No output of the bundled plan, nor of a plan without campaigns, prints a
/// negative zero ("-0.00" paid hours on a closed day): the sum of no values
/// is -0.0 in IEEE arithmetic.
#[test]
fn no_output_prints_a_negative_zero() {
    let negative_zero = |text: &str| {
        let b = text.as_bytes();
        (0..b.len()).find(|&i| {
            let starts = b[i] == b'-' && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
            let zero = b.get(i + 1) == Some(&b'0') && b.get(i + 2) == Some(&b'.');
            let rest = &b[(i + 3).min(b.len())..];
            let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            starts && zero && digits > 0 && rest[..digits].iter().all(|c| *c == b'0')
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("bare");
    let o = ringcast(&["plan", "--media-plan", "", "--out", bare.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (out, printed) in
        [(crate::common::bundled_plan().to_path_buf(), String::new()), (bare.clone(), crate::common::stdout(&o))]
    {
        if let Some(i) = negative_zero(&printed) {
            panic!("stdout prints a negative zero: …{}…", &printed[i.saturating_sub(60)..(i + 10).min(printed.len())]);
        }
        for f in crate::common::files_under(&out) {
            let Ok(text) = std::fs::read_to_string(out.join(&f)) else { continue };
            if let Some(i) = negative_zero(&text) {
                panic!(
                    "{} prints a negative zero: …{}…",
                    f.display(),
                    &text[i.saturating_sub(80)..(i + 10).min(text.len())]
                );
            }
        }
    }
}

/// A plan without campaigns draws no empty media charts: the report says in
/// one sentence why they are left out, and a previous plan's media charts in
/// the same folder do not stay beside the new outputs.
#[test]
fn media_charts_are_left_out_without_campaigns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = ringcast(&["plan", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("charts/impact.png").exists() && out.join("charts/channel_response.png").exists());
    let o = ringcast(&["plan", "--media", "", "--media-plan", "", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["impact.png", "channel_response.png"] {
        assert!(!out.join("charts").join(f).exists(), "charts/{f} is left from the previous plan");
    }
    for f in ["forecast.png", "coverage.png", "roster.png"] {
        assert!(out.join("charts").join(f).exists(), "charts/{f} missing");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("No media charts: the media plan has no lines"), "report.html lacks the sentence");
    assert_eq!(html.matches("<img").count(), 3, "three charts in the report");
}

/// A roster too large for a legible named chart (the bundled 150 agents) is
/// drawn as a heat map, and report.html still shows every agent's week as a
/// Gantt: one bar per rostered shift in "Roster by agent", each inside its day.
#[test]
fn every_rostered_shift_is_a_bar_in_the_report() {
    let out = bundled_plan();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let roster = std::fs::read_to_string(out.join("roster.csv")).unwrap();
    let shifts = roster.lines().skip(1).filter(|l| !l.starts_with("UNFILLED")).count();
    assert!(shifts > 100, "{shifts} shifts");
    let by_agent = html.split("<h2>Roster by agent</h2>").nth(1).expect("a roster by agent");
    let bars: Vec<&str> = by_agent.split("class=\"on\" style=\"").skip(1).collect();
    assert_eq!(bars.len(), shifts, "one bar per rostered shift");
    for b in bars {
        let style = b.split('"').next().unwrap();
        let pct = |key: &str| -> f64 {
            style.split(key).nth(1).and_then(|v| v.split('%').next()).and_then(|v| v.parse().ok()).unwrap()
        };
        let (left, width) = (pct("left:"), pct("width:"));
        assert!(left >= 0.0 && width > 0.0 && left + width <= 100.0 + 1e-9, "{style}");
    }
    assert!(html.contains("agents on shift per day and quarter-hour"), "the heat map's caption");
}
