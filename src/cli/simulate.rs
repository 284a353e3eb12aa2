//! `ringcast simulate`: a week of calls and agents on the phones (a plan's
//! `coverage.csv`, edited at will) → the service it delivers, simulated.

use super::{usage, Format};
use crate::ingest::requirements::{load_call_series, load_on_phones};
use crate::report::atomic::{check_out_file, write_file};
use crate::settings::{Settings, MAX_REPLICATIONS};
use crate::simulate::{days_of, simulate, week_input, HandleTimes, Outcome, SimSettings};
use anyhow::Context;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Simulate the agents of a coverage file against its calls.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Coverage CSV: `interval_start`, `calls`, `on_phones`, optional `open`
    /// (a plan's coverage.csv; change `on_phones` to try another roster).
    #[arg(long)]
    pub coverage: PathBuf,
    /// Centre configuration: the service goal, handle time, patience, `[simulation]`.
    #[arg(long, env = "RINGCAST_CONFIG", default_value = "data/centre.toml")]
    pub config: PathBuf,
    /// Replications (default: the config's `simulation.replications`, else 300).
    #[arg(long)]
    pub replications: Option<usize>,
    /// Seed of the random streams (default: the config's `simulation.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Coefficient of variation of log-normal handle times (default: the config's; none: exponential).
    #[arg(long)]
    pub handle_cv: Option<f64>,
    /// Per-interval results.
    #[arg(long, default_value = "simulation.csv")]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(a: &SimulateArgs) -> anyhow::Result<()> {
    check_out_file(&a.out)?;
    let settings = Settings::load(&a.config)?;
    let run = settings.simulation.run.unwrap_or_default();
    let replications = a.replications.unwrap_or(run.replications);
    if replications == 0 || replications > MAX_REPLICATIONS {
        return Err(usage(format!("--replications {replications}: expected 1 to {MAX_REPLICATIONS}")));
    }
    let handle_times = match a.handle_cv {
        None => settings.simulation.handle_times,
        Some(cv) if cv > 0.0 && cv <= 5.0 => HandleTimes::LogNormal { cv },
        Some(cv) => {
            return Err(usage(format!("--handle-cv {cv}: expected a coefficient of variation above 0 and at most 5")))
        }
    };
    let series = load_call_series(&a.coverage, Some(settings.calendar.interval.minutes()))?;
    let on_phones = load_on_phones(&a.coverage)?;
    let input = week_input(&series, &on_phones, &settings.service, handle_times, None);
    let sim = SimSettings { replications, seed: a.seed.unwrap_or(run.seed) };
    let days = days_of(&series.starts);
    let report = simulate(&input, &sim, &days);
    let mut csv = String::from(
        "interval_start,calls,on_phones,service_level,sl_low95,sl_high95,asa_seconds,abandon_rate,occupancy\n",
    );
    let f = |v: Option<f64>| v.map(|x| format!("{x:.4}")).unwrap_or_default();
    for (t, o) in report.intervals.iter().enumerate() {
        let _ = writeln!(
            csv,
            "{},{:.3},{},{},{},{},{},{},{}",
            series.starts[t].format("%Y-%m-%d %H:%M"),
            input.slots[t].calls,
            on_phones[t],
            f(o.service_level.map(|e| e.mean)),
            f(o.service_level.map(|e| e.low95)),
            f(o.service_level.map(|e| e.high95)),
            f(o.asa_seconds.map(|e| e.mean)),
            f(o.abandon_rate.map(|e| e.mean)),
            f(o.occupancy.map(|e| e.mean)),
        );
    }
    write_file(&a.out, csv).with_context(|| format!("writing {}", a.out.display()))?;
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report.days)?),
        Format::Text => {
            println!("{} replications (seed {}) of {} intervals", sim.replications, sim.seed, series.len());
            println!("day          service level (95% range)    ASA      abandoned   occupancy");
            for (slots, o) in days.iter().zip(&report.days) {
                println!("{}   {}", series.starts[slots[0]].format("%a %Y-%m-%d"), day_line(o));
            }
            println!("written to {}", a.out.display());
        }
    }
    Ok(())
}

fn day_line(o: &Outcome) -> String {
    let Some(sl) = o.service_level else { return "no calls".into() };
    format!(
        "{:>5.1}% ({:.1}–{:.1}%)   {:>5.1} s   {:>6.1}%     {:>5.1}%",
        sl.mean * 100.0,
        sl.low95 * 100.0,
        sl.high95 * 100.0,
        o.asa_seconds.map_or(0.0, |e| e.mean),
        o.abandon_rate.map_or(0.0, |e| e.mean * 100.0),
        o.occupancy.map_or(0.0, |e| e.mean * 100.0)
    )
}
