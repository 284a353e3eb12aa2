//! The implicit-break formulation (Bechtold & Jacobs 1990) of the coverage model.
//!
//! Instead of one variable per (shift start × break placement), one integer per
//! shift start and one per break start: coverage is shifts minus the breaks
//! under way. Forward and backward constraints make sure the breaks can be
//! matched to the shifts (each break inside its shift's window); the windows
//! of one family move with the start, so these conditions are exact. Far fewer,
//! less symmetric columns: the absolute-deviation model of benchmark instance B
//! is solved several times faster. The solution is turned back into explicit
//! options by matching breaks to shifts earliest-deadline-first.

use super::shifts::ShiftOption;
use super::SchedulingRules;
use std::collections::BTreeMap;

/// A family's shifts in a block with the same start and end, grouped.
#[derive(Debug, Clone)]
pub struct Group {
    pub family: usize,
    pub start: usize,
    /// Option indices with their break start slot (`None` without breaks).
    pub placements: Vec<(usize, Option<usize>)>,
    pub break_len: usize,
}

impl Group {
    pub fn earliest(&self) -> usize {
        self.placements.iter().filter_map(|p| p.1).min().unwrap_or(0)
    }
    pub fn latest(&self) -> usize {
        self.placements.iter().filter_map(|p| p.1).max().unwrap_or(0)
    }
    pub fn has_break(&self) -> bool {
        self.placements.iter().any(|p| p.1.is_some())
    }
}

/// Group the block's options, or `None` when some family does not fit the
/// implicit model (more than one break, or break steps that do not divide the
/// start step).
pub fn groups(block: &[usize], options: &[ShiftOption], cfg: &SchedulingRules) -> Option<Vec<Group>> {
    let mut by: BTreeMap<(usize, usize, usize), Group> = BTreeMap::new();
    for &oi in block {
        let o = &options[oi];
        let fam = cfg.shifts.get(o.family)?;
        if o.breaks.len() > 1 || fam.breaks.len() > 1 {
            return None;
        }
        if let Some(b) = fam.breaks.first() {
            if b.step_minutes == 0 || fam.start_step_minutes % b.step_minutes != 0 {
                return None;
            }
        }
        let g = by.entry((o.family, o.start, o.end)).or_insert_with(|| Group {
            family: o.family,
            start: o.start,
            placements: vec![],
            break_len: 0,
        });
        let br = o.breaks.first().copied();
        g.break_len = br.map(|(a, b)| b - a).unwrap_or(0);
        g.placements.push((oi, br.map(|b| b.0)));
    }
    let groups: Vec<Group> = by.into_values().collect();
    // Every placement of a group's window must exist as an option (contiguous windows).
    for g in &groups {
        if g.has_break() {
            let mut ps: Vec<usize> = g.placements.iter().filter_map(|p| p.1).collect();
            ps.sort();
            let step = ps.windows(2).map(|w| w[1] - w[0]).min().unwrap_or(1);
            if ps.windows(2).any(|w| w[1] - w[0] != step) {
                return None;
            }
        }
    }
    Some(groups)
}

/// Match `breaks[p]` break starts to the shifts `count[g]` of each group,
/// earliest deadline first. Returns counts per option index.
pub fn assign(groups: &[Group], counts: &[u32], breaks: &BTreeMap<(usize, usize), u32>) -> Option<Vec<(usize, u32)>> {
    let mut out: BTreeMap<usize, u32> = BTreeMap::new();
    // Families without breaks: the group's only option.
    for (g, c) in groups.iter().zip(counts) {
        if !g.has_break() && *c > 0 {
            *out.entry(g.placements[0].0).or_default() += c;
        }
    }
    let families: std::collections::BTreeSet<usize> =
        groups.iter().filter(|g| g.has_break()).map(|g| g.family).collect();
    for f in families {
        // Open shifts of this family: (latest, earliest, group index, remaining).
        let mut open: Vec<(usize, usize, usize, u32)> = groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.family == f && g.has_break())
            .map(|(i, g)| (g.latest(), g.earliest(), i, counts[i]))
            .filter(|x| x.3 > 0)
            .collect();
        for (&(fam, p), &n) in breaks.range((f, 0)..(f + 1, 0)) {
            debug_assert_eq!(fam, f);
            for _ in 0..n {
                // Eligible shift with the earliest deadline.
                let pick = open.iter_mut().filter(|s| s.3 > 0 && s.1 <= p && p <= s.0).min_by_key(|s| (s.0, s.2))?;
                pick.3 -= 1;
                let g = &groups[pick.2];
                let oi = g.placements.iter().find(|q| q.1 == Some(p))?.0;
                *out.entry(oi).or_default() += 1;
            }
        }
        if open.iter().any(|s| s.3 > 0) {
            return None;
        }
    }
    Some(out.into_iter().collect())
}
