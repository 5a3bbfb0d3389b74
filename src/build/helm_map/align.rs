//! Aligning one rendered document with its template: which template line printed each
//! rendered line, and whether that is certain.
//!
//! The alignment is the cheapest explanation of the rendered lines by the template's lines, in
//! order: a literal line prints itself, a pattern line prints its literal pieces around values,
//! a multi-line action prints any lines, a line inside a condition may be skipped cheaply, a
//! `range` body may repeat, and a line nothing explains is left unmapped at a high cost. A
//! min-sum forward–backward pass gives, for every rendered line, every template line some
//! cheapest explanation uses for it: the mapping is certain only when there is exactly one
//! (two identical branches of an `if`, or two identical lines the output could come from,
//! leave it uncertain, and the finding then goes to an enclosing key: never to a wrong line).

use std::ops::Range;

use super::template::{Class, Line, Piece, Template};

/// Cost of a pattern line printing a rendered line (a literal one costs nothing).
const PATTERN: i64 = 1;
/// Cost of each line a multi-line action prints.
const BLOCK: i64 = 2;
/// Cost of a rendered line nothing explains.
const JUNK: i64 = 50;
/// Cost of skipping a line that always prints.
const SKIP_ALWAYS: i64 = 30;
/// Cost of skipping a line inside a condition or loop.
const SKIP_OPTIONAL: i64 = 8;
/// Cost of going round a `range` body once more.
const LOOP: i64 = 10;
const INF: i64 = i64::MAX / 4;
/// Alignments larger than this (rendered lines × template states) are not attempted.
const MAX_CELLS: usize = 4_000_000;

/// Where one rendered line comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LineOrigin {
    /// Blank, or nothing explains it with certainty.
    Unknown,
    /// Printed by template line `line` itself (its literal text and values).
    Head { line: usize, certain: bool },
    /// Printed by the multi-line action of template line `line`.
    Block { line: usize, certain: bool },
}

/// One piece of a rendered line matched to the template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Segment {
    /// The template bytes: a literal piece, or a whole `{{ … }}` action.
    pub template: Range<usize>,
    /// The bytes of the rendered line it printed (relative to the line's start).
    pub rendered: Range<usize>,
    /// A literal piece (the bytes are the same on both sides), or an action's value.
    pub literal: bool,
    /// The action, for a value.
    pub action: Option<usize>,
}

/// Matches `rendered` (one line, without its break) against template line `line`: its pieces
/// in order, each action matching any text. `None` if it does not match.
pub(super) fn match_line(t: &Template, line: &Line, rendered: &str) -> Option<Vec<Segment>> {
    let pieces = &line.pieces;
    let mut out: Vec<Segment> = Vec::with_capacity(pieces.len());
    let mut pos = 0;
    let mut hole: Option<(usize, usize)> = None; // (action, start)
    for (k, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Action(a) => {
                if let Some((prev, start)) = hole.take() {
                    // Two actions in a row: the first prints nothing we can tell apart.
                    out.push(value(t, prev, start..start));
                }
                hole = Some((*a, pos));
            }
            Piece::Text(range) => {
                let text = t.slice(range);
                let at = match hole {
                    None => rendered[pos..].starts_with(text).then_some(pos)?,
                    Some(_) if k + 1 == pieces.len() => {
                        let at = rendered.len().checked_sub(text.len())?;
                        (at >= pos && rendered[at..].starts_with(text)).then_some(at)?
                    }
                    Some(_) => pos + rendered.get(pos..)?.find(text)?,
                };
                if let Some((a, start)) = hole.take() {
                    out.push(value(t, a, start..at));
                }
                out.push(Segment {
                    template: range.clone(),
                    rendered: at..at + text.len(),
                    literal: true,
                    action: None,
                });
                pos = at + text.len();
            }
        }
    }
    match hole {
        Some((a, start)) => out.push(value(t, a, start..rendered.len())),
        None if pos != rendered.len() => return None,
        None => {}
    }
    Some(out)
}

fn value(t: &Template, action: usize, rendered: Range<usize>) -> Segment {
    Segment {
        template: t.actions[action].range.clone(),
        rendered,
        literal: false,
        action: Some(action),
    }
}

/// The template's lines as the alignment sees them.
struct Model<'t> {
    t: &'t Template,
    /// Per line: can it print a head line, and can it print block lines.
    head: Vec<bool>,
    block: Vec<bool>,
    /// Cost of not printing each line; `prefix[i]` sums `skip[..i]`.
    skip: Vec<i64>,
    prefix: Vec<i64>,
    /// Per line: the first line of its `---`-delimited part, and the line after its last.
    part: Vec<(usize, usize)>,
}

impl<'t> Model<'t> {
    fn new(t: &'t Template) -> Self {
        let n = t.lines.len();
        let head: Vec<bool> = t
            .lines
            .iter()
            .map(|l| match l.class {
                Class::Literal | Class::Pattern => true,
                Class::Lines => l.has_head,
                Class::Nothing => false,
            })
            .collect();
        let block: Vec<bool> = t.lines.iter().map(|l| l.class == Class::Lines).collect();
        let skip: Vec<i64> = t
            .lines
            .iter()
            .zip(&head)
            .map(|(l, &h)| match (h, l.optional) {
                (false, _) => 0,
                (true, true) => SKIP_OPTIONAL,
                (true, false) => SKIP_ALWAYS,
            })
            .collect();
        let mut prefix = vec![0; n + 1];
        for i in 0..n {
            prefix[i + 1] = prefix[i] + skip[i];
        }
        let mut part = vec![(0, n); n];
        let mut start = 0;
        for i in 0..=n {
            if i == n || t.lines[i].separator {
                for p in &mut part[start..i] {
                    *p = (start, i);
                }
                start = i + 1;
            }
        }
        Model {
            t,
            head,
            block,
            skip,
            prefix,
            part,
        }
    }

    /// Extra cost of entering line `i`'s block state from another line: its head is skipped.
    fn block_entry(&self, i: usize) -> i64 {
        if self.head[i] {
            self.skip[i]
        } else {
            0
        }
    }

    fn start_cost(&self, i: usize) -> i64 {
        self.prefix[i] - self.prefix[self.part[i].0]
    }

    fn end_cost(&self, i: usize) -> i64 {
        self.prefix[self.part[i].1] - self.prefix[i + 1]
    }

    /// The emission costs of rendered line `r` by every state (`2i`: head, `2i+1`: block).
    fn emissions(&self, r: &str) -> Vec<i64> {
        let mut e = vec![INF; 2 * self.t.lines.len()];
        for (i, line) in self.t.lines.iter().enumerate() {
            if self.head[i] {
                e[2 * i] = match line.class {
                    Class::Literal if self.t.slice(&line.range) == r => 0,
                    Class::Literal => INF,
                    _ if match_line(self.t, line, r).is_some() => PATTERN,
                    _ => INF,
                };
            }
            if self.block[i] {
                e[2 * i + 1] = BLOCK;
            }
        }
        e
    }
}

/// For each of `rendered` (the lines of one document), the template line that printed it.
pub(super) fn align(t: &Template, rendered: &[&str]) -> Vec<LineOrigin> {
    let mut out = vec![LineOrigin::Unknown; rendered.len()];
    let rows: Vec<usize> = (0..rendered.len())
        .filter(|&j| !rendered[j].trim().is_empty())
        .collect();
    let n = t.lines.len();
    if rows.is_empty() || n == 0 || rows.len() * 2 * n > MAX_CELLS {
        return out;
    }
    let m = Model::new(t);
    let emit: Vec<Vec<i64>> = rows.iter().map(|&j| m.emissions(rendered[j])).collect();
    let (real, any) = forward(&m, &emit);
    let back = backward(&m, &emit);
    let last = rows.len() - 1;
    let best = (0..2 * n)
        .map(|s| any[last][s].saturating_add(m.end_cost(s / 2)))
        .min()
        .unwrap_or(INF);
    if best >= INF {
        return out;
    }
    for (k, &j) in rows.iter().enumerate() {
        let mut found: Option<usize> = None;
        let mut several = false;
        let mut junk = false;
        for s in 0..2 * n {
            if real[k][s] < INF && real[k][s] + back[k][s] == best {
                several |= found.is_some();
                found = Some(s);
            }
            let junk_cost = if k == 0 {
                m.start_cost(s / 2) + JUNK
            } else {
                any[k - 1][s].saturating_add(JUNK)
            };
            junk |= junk_cost + back[k][s] == best;
        }
        out[j] = match found {
            Some(s) if !junk => {
                let certain = !several;
                if s % 2 == 0 {
                    LineOrigin::Head {
                        line: s / 2,
                        certain,
                    }
                } else {
                    LineOrigin::Block {
                        line: s / 2,
                        certain,
                    }
                }
            }
            _ => LineOrigin::Unknown,
        };
    }
    out
}

/// `real[k][s]`: the cheapest explanation of rows `..=k` with row `k` printed by state `s`;
/// `any[k][s]`: the same, row `k` printed by `s` or left unexplained while in `s`.
fn forward(m: &Model<'_>, emit: &[Vec<i64>]) -> (Vec<Vec<i64>>, Vec<Vec<i64>>) {
    let n = m.t.lines.len();
    let mut real = vec![vec![INF; 2 * n]; emit.len()];
    let mut any = vec![vec![INF; 2 * n]; emit.len()];
    for k in 0..emit.len() {
        // The cost of arriving at each line (and at its block) before row k is printed.
        let arrive: Vec<(i64, i64)> = if k == 0 {
            (0..n)
                .map(|i| (m.start_cost(i), m.start_cost(i) + m.block_entry(i)))
                .collect()
        } else {
            arrivals(m, &any[k - 1])
        };
        for (i, &(head, block)) in arrive.iter().enumerate() {
            for (s, reach) in [(2 * i, head), (2 * i + 1, block)] {
                if emit[k][s] < INF && reach < INF {
                    real[k][s] = reach + emit[k][s];
                }
                let stay = if k == 0 {
                    m.start_cost(i) + JUNK
                } else {
                    any[k - 1][s].saturating_add(JUNK)
                };
                any[k][s] = real[k][s].min(stay);
            }
        }
    }
    (real, any)
}

/// From the costs `prev` of each state after a row, the cheapest way to arrive at each line's
/// head and block state for the next row: staying in a block, moving on (skipping lines), or
/// going round a loop.
fn arrivals(m: &Model<'_>, prev: &[i64]) -> Vec<(i64, i64)> {
    let n = m.t.lines.len();
    let at = |i: usize| prev[2 * i].min(prev[2 * i + 1]);
    let mut out = vec![(INF, INF); n];
    // Forward: min over i < i' of at(i) - prefix[i+1], plus prefix[i'].
    let mut running = INF;
    for (i, slot) in out.iter_mut().enumerate() {
        if running < INF {
            let reach = running + m.prefix[i];
            *slot = (reach, reach + m.block_entry(i));
        }
        if at(i) < INF {
            running = running.min(at(i) - m.prefix[i + 1]);
        }
    }
    // A block goes on; a head line's block follows it.
    for (i, slot) in out.iter_mut().enumerate() {
        slot.1 = slot.1.min(prev[2 * i]).min(prev[2 * i + 1]);
    }
    // Loops: from i back to i' <= i in the same body (a, b): the rest of the body after i and
    // its start before i' are skipped, and the loop costs LOOP.
    let mut i = 0;
    while i < n {
        let Some((a, b)) = m.t.lines[i].loop_body.filter(|&(a, b)| a == i && b > a) else {
            i += 1;
            continue;
        };
        let mut suffix = INF;
        for i2 in (a..b).rev() {
            if at(i2) < INF {
                suffix = suffix.min(at(i2) - m.prefix[i2 + 1]);
            }
            if suffix < INF {
                let reach = suffix + m.prefix[b] + m.prefix[i2] - m.prefix[a] + LOOP;
                out[i2].0 = out[i2].0.min(reach);
                out[i2].1 = out[i2].1.min(reach + m.block_entry(i2));
            }
        }
        i = b;
    }
    out
}

/// `back[k][s]`: the cheapest explanation of the rows after `k`, being in state `s` at row `k`.
fn backward(m: &Model<'_>, emit: &[Vec<i64>]) -> Vec<Vec<i64>> {
    let n = m.t.lines.len();
    let rows = emit.len();
    let mut back = vec![vec![INF; 2 * n]; rows];
    for (s, cost) in back[rows - 1].iter_mut().enumerate() {
        *cost = m.end_cost(s / 2);
    }
    for k in (0..rows - 1).rev() {
        let (head, tail) = back.split_at_mut(k + 1);
        let (here, next) = (&mut head[k], &tail[0]);
        let g = |s: usize| {
            if emit[k + 1][s] >= INF || next[s] >= INF {
                INF
            } else {
                emit[k + 1][s] + next[s]
            }
        };
        // Entering line i' from elsewhere: its head, or its block (skipping the head).
        let enter: Vec<i64> = (0..n)
            .map(|i| g(2 * i).min(g(2 * i + 1).saturating_add(m.block_entry(i))))
            .collect();
        // Forward moves: min over i' > i of prefix[i'] + enter(i'), minus prefix[i+1].
        let mut suffix = vec![INF; n + 1];
        for i in (0..n).rev() {
            let here = if enter[i] < INF {
                m.prefix[i] + enter[i]
            } else {
                INF
            };
            suffix[i] = suffix[i + 1].min(here);
        }
        // Loop moves: min over i' in [a, i] of prefix[i'] + enter(i').
        let mut loop_best = vec![INF; n];
        let mut i = 0;
        while i < n {
            match m.t.lines[i].loop_body.filter(|&(a, b)| a == i && b > a) {
                Some((a, b)) => {
                    let mut running = INF;
                    for i2 in a..b {
                        if enter[i2] < INF {
                            running = running.min(m.prefix[i2] + enter[i2]);
                        }
                        if running < INF {
                            loop_best[i2] = running - m.prefix[a] + m.prefix[b] + LOOP;
                        }
                    }
                    i = b;
                }
                None => i += 1,
            }
        }
        for i in 0..n {
            let forward = if suffix[i + 1] < INF {
                suffix[i + 1] - m.prefix[i + 1]
            } else {
                INF
            };
            let looped = if loop_best[i] < INF {
                loop_best[i] - m.prefix[i + 1]
            } else {
                INF
            };
            let moved = forward.min(looped);
            let block = g(2 * i + 1);
            for s in [2 * i, 2 * i + 1] {
                let stay = next[s].saturating_add(JUNK);
                here[s] = moved.min(block).min(stay);
            }
        }
    }
    back
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(template: &str, rendered: &str) -> Vec<LineOrigin> {
        let t = Template::parse(template.to_string());
        let lines: Vec<&str> = rendered.lines().collect();
        align(&t, &lines)
    }

    fn head(line: usize) -> LineOrigin {
        LineOrigin::Head {
            line,
            certain: true,
        }
    }

    #[test]
    fn literal_and_pattern_lines_map_to_themselves() {
        let got = origins(
            "kind: Pod\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  hostPID: true\n",
            "kind: Pod\nmetadata:\n  name: r-web\nspec:\n  hostPID: true\n",
        );
        assert_eq!(got, [head(0), head(1), head(2), head(3), head(4)]);
    }

    #[test]
    fn block_lines_map_to_their_action() {
        let got = origins(
            "spec:\n  securityContext:\n    {{- toYaml .Values.sc | nindent 4 }}\n  hostPID: true\n",
            "spec:\n  securityContext:\n    privileged: true\n    runAsUser: 0\n  hostPID: true\n",
        );
        let block = LineOrigin::Block {
            line: 2,
            certain: true,
        };
        assert_eq!(got, [head(0), head(1), block, block, head(3)]);
    }

    #[test]
    fn skipped_conditions_and_repeated_ranges() {
        let template = "ports:\n{{- range .Values.ports }}\n- name: {{ .name }}\n  port: {{ .port }}\n{{- end }}\n{{- if .Values.x }}\nx: 1\n{{- end }}\ny: 2\n";
        let got = origins(
            template,
            "ports:\n- name: a\n  port: 1\n- name: b\n  port: 2\ny: 2\n",
        );
        assert_eq!(got, [head(0), head(2), head(3), head(2), head(3), head(8)]);
    }

    #[test]
    fn identical_branches_are_not_certain() {
        let template = "a:\n{{- if .Values.x }}\n  b: 1\n{{- else }}\n  b: 1\n{{- end }}\n";
        let got = origins(template, "a:\n  b: 1\n");
        assert_eq!(got[0], head(0));
        assert!(
            !matches!(got[1], LineOrigin::Head { certain: true, .. }),
            "{:?}",
            got[1]
        );
    }

    #[test]
    fn patterns_match_pieces_in_order() {
        let t = Template::parse("  image: \"{{ .r }}:{{ .t }}\"\n".to_string());
        let segments = match_line(&t, &t.lines[0], "  image: \"nginx:1.2\"").unwrap();
        let rendered: Vec<_> = segments.iter().map(|s| s.rendered.clone()).collect();
        assert_eq!(rendered, [0..10, 10..15, 15..16, 16..19, 19..20]);
        assert!(match_line(&t, &t.lines[0], "  image: nginx").is_none());
    }
}
