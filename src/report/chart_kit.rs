//! The pieces every chart is drawn with: the bundled font, the legend panel
//! beside the data, a time axis ticked at midnight, and the lossless
//! re-encoding that keeps the PNGs (and the HTML report embedding them) small.

use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::Path;
use std::sync::Once;

static FONT: Once = Once::new();
const FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

pub(super) fn register_font() {
    FONT.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT_BYTES);
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, FONT_BYTES);
    });
}

pub(super) type ChartResult = anyhow::Result<()>;

/// An axis tick: whole numbers without decimals ("140", not "140.0"), others
/// with the fewest decimals (up to 3) that show them, never "-0".
pub(super) fn tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        return format!("{:.0}", v.round() + 0.0);
    }
    let s = format!("{:.3}", v + 0.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub(super) fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing a chart: {e}")
}

/// Width of every chart, pixels.
const WIDTH: u32 = 1800;

/// A white chart `height` pixels tall with its title on top: the area below
/// the title.
pub(super) fn titled_canvas<'a>(path: &'a Path, height: u32, title: &str, title_size: u32) -> anyhow::Result<Area<'a>> {
    let root = BitMapBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    root.titled(title, ("sans-serif", title_size)).map_err(err)
}

/// The data's area and the legend panel to its right.
pub(super) fn beside_legend<'a>(area: &Area<'a>) -> (Area<'a>, Area<'a>) {
    area.split_horizontally(WIDTH - LEGEND_WIDTH)
}

/// Write the drawn chart to its file, re-encoded.
pub(super) fn finish(area: &Area<'_>, path: &Path) -> ChartResult {
    area.present().map_err(err)?;
    recompress(path)
}

/// Re-encode a drawn chart losslessly with adaptive row filters (plotters
/// writes unfiltered, large files: this halves them — the bundled report went
/// from 1.80 MB to 0.91 MB — for 0.12 s of the plan's 1.62 s, `farm-bench -n 5`;
/// the best compression level saved 9% more for 0.6 s).
fn recompress(path: &Path) -> ChartResult {
    let file = std::fs::File::open(path).map_err(err)?;
    let mut reader = png::Decoder::new(std::io::BufReader::new(file)).read_info().map_err(err)?;
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).map_err(err)?;
    pixels.truncate(info.buffer_size());
    let mut out = Vec::with_capacity(pixels.len() / 4);
    {
        let mut encoder = png::Encoder::new(&mut out, info.width, info.height);
        encoder.set_color(info.color_type);
        encoder.set_depth(info.bit_depth);
        encoder.set_compression(png::Compression::Default);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        encoder.write_header().map_err(err)?.write_image_data(&pixels).map_err(err)?;
    }
    std::fs::write(path, out).map_err(err)
}

/// How a legend entry is drawn, in its series' own colour and style.
#[derive(Debug, Clone, Copy)]
pub enum Mark {
    Fill(RGBAColor),
    Line(RGBAColor, u32),
    Dot(RGBAColor),
}

/// Width of the legend panel beside a chart's data.
const LEGEND_WIDTH: u32 = 400;

pub(super) type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

/// The legend in its own panel (outside the data), entries from the top,
/// long labels wrapped.
pub(super) fn legend_panel(area: &Area<'_>, items: &[(String, Mark)]) -> ChartResult {
    legend_panel_wrapped(area, items, 36)
}

/// [`legend_panel`] with labels wrapped at `wrap_at` characters.
pub(super) fn legend_panel_wrapped(area: &Area<'_>, items: &[(String, Mark)], wrap_at: usize) -> ChartResult {
    let font = ("sans-serif", 17).into_font();
    let mut y = 70i32;
    for (label, mark) in items {
        let (x0, x1) = (10i32, 36i32);
        match *mark {
            Mark::Fill(c) => area.draw(&Rectangle::new([(x0, y - 7), (x1, y + 7)], c.filled())),
            Mark::Line(c, w) => area.draw(&PathElement::new(vec![(x0, y), (x1, y)], c.stroke_width(w))),
            Mark::Dot(c) => area.draw(&Circle::new(((x0 + x1) / 2, y), 4, c.filled())),
        }
        .map_err(err)?;
        for (k, line) in wrap(label, wrap_at).iter().enumerate() {
            area.draw(&Text::new(line.clone(), (46, y - 9 + 20 * k as i32), font.clone())).map_err(err)?;
            if k > 0 {
                y += 20;
            }
        }
        y += 32;
    }
    Ok(())
}

/// Split `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for word in text.split(' ') {
        let last = lines.last_mut().expect("one line");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

/// An x axis of `n` points, `per_day` of them a day, whose ticks are the
/// midnights (so a day's label sits at its start, not wherever round numbers fall).
#[derive(Debug, Clone, Copy)]
pub(super) struct Midnights {
    n: f64,
    per_day: f64,
}

impl Midnights {
    pub(super) fn new(n: usize, per_day: usize) -> Self {
        Midnights { n: n.max(1) as f64, per_day: per_day.max(1) as f64 }
    }
}

impl plotters::coord::ranged1d::Ranged for Midnights {
    type FormatOption = plotters::coord::ranged1d::NoDefaultFormatting;
    type ValueType = f64;
    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        limit.0 + ((v / self.n) * (limit.1 - limit.0) as f64).round() as i32
    }
    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..=(self.n / self.per_day).floor() as usize).map(|d| d as f64 * self.per_day).collect()
    }
    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.n
    }
}

impl plotters::coord::ranged1d::ValueFormatter<f64> for Midnights {
    fn format(v: &f64) -> String {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_whole_numbers_without_decimals() {
        assert_eq!(super::tick(140.0), "140");
        assert_eq!(super::tick(-0.0), "0");
        assert_eq!(super::tick(2.5), "2.5");
        assert_eq!(super::tick(0.125), "0.125");
        assert_eq!(super::tick(1e-12), "0");
    }

    #[test]
    fn legend_labels_wrap_at_spaces() {
        assert_eq!(
            wrap("agents required (Erlang, service goal)", 20),
            ["agents required", "(Erlang, service", "goal)"]
        );
        assert_eq!(wrap("short", 20), ["short"]);
    }
}
