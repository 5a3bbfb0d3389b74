//! Findings on a chart's template lines: each rendered document is aligned with the template
//! that printed it, and a finding on the rendered output is moved to the template line that
//! printed its key.
//!
//! `helm template` output is linted (it is what deploys), but its line numbers mean nothing in
//! the repository. [`TemplateMap`] aligns a template's rendered documents with the template's
//! own text (see `align.rs`) and [`remap`] moves each finding:
//!
//! - **exact**: the rendered line comes, with certainty, from one template line whose key is
//!   literal: the finding goes to that line, at the same column for literal text, or at the
//!   `{{ … }}` that printed the value;
//! - **enclosing key**: otherwise (a value printed by `toYaml | nindent`, an `include`, a key
//!   printed by an action, an uncertain alignment) the finding goes to the nearest enclosing key
//!   that is literal on a certain template line, with a related note at the action that printed
//!   the value;
//! - **unmapped**: when no enclosing key is certain, the finding goes to the action that printed
//!   the document (or the template's first line), with a note giving the rendered line.
//!
//! When the value comes from `.Values.<path>` (directly, through `with`, or inside a `toYaml`
//! block) and a values file sets that path to the rendered value, a related location points at
//! the key in that file: that is where a user changes it. Fixes are dropped: the rendered text is
//! not a file, and a template is not YAML k8sec can edit.

mod align;
mod chart;
mod template;

pub use chart::{read_templates, unstable_output};

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::diagnostic::{Finding, Related};
use crate::source::Sources;
use crate::text::TextRange;
use crate::yaml::{FileId, NodeId, NodeRef, Span, Tree};

use align::{match_line, LineOrigin};
use template::{ActionKind, Template};

/// A parsed values file of a chart (`values.yaml`, or one given with `--helm-values`).
#[derive(Debug)]
pub struct ValuesFile {
    pub file: FileId,
    pub docs: Vec<Arc<Tree>>,
}

/// One rendered template aligned with its source.
#[derive(Debug)]
pub struct TemplateMap {
    /// The template's text, as a source of the run.
    template: FileId,
    parsed: Template,
    /// The rendered documents (their spans are in the rendered source).
    docs: Vec<Arc<Tree>>,
    /// Per line of the rendered source: where it comes from.
    origins: Vec<LineOrigin>,
    /// The chart's values files, the one that wins first.
    values: Arc<[ValuesFile]>,
}

/// A finding's place in the template, and the related locations that explain it.
struct Placed {
    span: Span,
    related: Vec<Related>,
}

impl TemplateMap {
    /// Aligns the rendered source `rendered` (documents separated by `---` lines, as
    /// [`super::helm::split_sources`] makes them, parsed into `docs`) with `template_text`, a
    /// source of the run with id `template`. `values`: the chart's values files, in the order
    /// their settings win (the last `--helm-values` file first, `values.yaml` last).
    pub fn new(
        rendered: &str,
        docs: Vec<Arc<Tree>>,
        template: FileId,
        template_text: &str,
        values: Arc<[ValuesFile]>,
    ) -> TemplateMap {
        let parsed = Template::parse(template_text.to_string());
        let lines: Vec<&str> = rendered
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        let mut origins = Vec::with_capacity(lines.len());
        let mut start = 0;
        for end in (0..=lines.len()).filter(|&i| i == lines.len() || lines[i] == "---") {
            origins.extend(align::align(&parsed, &lines[start..end]));
            if end < lines.len() {
                origins.push(LineOrigin::Unknown);
            }
            start = end + 1;
        }
        TemplateMap {
            template,
            parsed,
            docs,
            origins,
            values,
        }
    }

    /// The template line (0-based) that printed rendered line `line` with certainty, and how
    /// the line matched it.
    fn certain_head(&self, sources: &Sources, rendered: FileId, line: usize) -> Option<Head> {
        let LineOrigin::Head {
            line: t,
            certain: true,
        } = self.origins.get(line).copied()?
        else {
            return None;
        };
        let source = sources.get(rendered);
        let range = source.line_index.line_range(line)?;
        let start = range.start as usize;
        let text = source.text[range.to_range()].trim_end_matches(['\n', '\r']);
        let segments = match_line(&self.parsed, &self.parsed.lines[t], text)?;
        Some(Head {
            line: t,
            start,
            segments,
        })
    }

    /// Where the finding at `span` (in the rendered source) belongs in the template.
    fn place(&self, sources: &Sources, span: Span) -> Placed {
        let source = sources.get(span.file);
        let offset = span.range.start;
        let line = source.line_index.line_of(offset);
        let path = self.path_to(offset);
        // Exact: the line's own key (or list item) is literal on its certain template line.
        if let Some(head) = self.certain_head(sources, span.file, line) {
            let token = head.start + token_start(&source.text[head.start..]);
            if head.literal_at(token) {
                let range = head.to_template(span.range.to_range());
                let mut related = Vec::new();
                for segment in head.values_in(span.range.to_range()) {
                    let Some(action) = segment.action else {
                        continue;
                    };
                    let base = self.value_path(action, head.line);
                    let printed = &source.text[head.start..][segment.rendered.clone()];
                    related.extend(self.values_location(base, &[], Some(printed)));
                }
                return self.placed(range, related);
            }
        }
        // Enclosing: the nearest key on the path that is literal on a certain line.
        for (depth, step) in path.iter().enumerate().rev() {
            let Some(key) = step.key else { continue };
            let key_line = source.line_index.line_of(key.start);
            let Some(head) = self.certain_head(sources, span.file, key_line) else {
                continue;
            };
            if !head.literal_at(key.start as usize) {
                continue;
            }
            let range = head.to_template(key.to_range());
            let mut related = Vec::new();
            if let LineOrigin::Block { line: t, .. } = self.origins[line] {
                if let Some(action) = self.parsed.lines[t].lines_action {
                    related.push(self.related(
                        self.parsed.actions[action].range.clone(),
                        "the value is printed by this template action".to_string(),
                    ));
                    let base = self.value_path(action, t);
                    let below = &path[depth + 1..];
                    let printed = self.node_at(&path).and_then(|n| n.as_str());
                    related.extend(self.values_location(base, below, printed));
                }
            }
            return self.placed(range, related);
        }
        // Unmapped: the action that printed the line, else the template's start.
        let rendered_line = line + 1;
        let note = format!(
            "k8sec could not tell which line of this template printed line {rendered_line} of its rendered output"
        );
        let range = match self.origins.get(line) {
            Some(LineOrigin::Block { line: t, .. }) => self.parsed.lines[*t]
                .lines_action
                .map(|a| self.parsed.actions[a].range.clone()),
            _ => None,
        }
        .unwrap_or(0..0);
        let related = vec![self.related(range.clone(), note)];
        self.placed(range, related)
    }

    fn placed(&self, range: Range<usize>, related: Vec<Related>) -> Placed {
        Placed {
            span: self.span(range),
            related,
        }
    }

    fn span(&self, range: Range<usize>) -> Span {
        Span::new(
            self.template,
            TextRange::new(range.start as u32, range.end as u32),
        )
    }

    fn related(&self, range: Range<usize>, message: String) -> Related {
        Related {
            span: self.span(range),
            message,
        }
    }

    /// The values path the action prints (`.Values.x`, `.` inside `with .Values.x`, the
    /// argument of `toYaml`, `quote`, …), if it is one.
    fn value_path(&self, action: usize, line: usize) -> Option<String> {
        let action = &self.parsed.actions[action];
        if !matches!(action.kind, ActionKind::Inline | ActionKind::Lines) {
            return None;
        }
        let dot = self.parsed.lines[line].dot.as_deref();
        let mut words = action
            .body
            .split(|c: char| c.is_whitespace() || c == '|')
            .filter(|w| !w.is_empty());
        let first = words.next()?;
        let arg = match first {
            "toYaml" | "quote" | "squote" | "toString" | "toJson" | "int" | "int64" => {
                words.next()?
            }
            _ => first,
        };
        template::values_path(arg, dot)
    }

    /// The key in a values file that sets `base` + the keys of `below` (the path inside a
    /// `toYaml` block), when that file's value is what was `printed` (a scalar; `None` for a
    /// collection, which is not compared).
    fn values_location(
        &self,
        base: Option<String>,
        below: &[Step],
        printed: Option<&str>,
    ) -> Option<Related> {
        let mut keys: Vec<Segment> = base?.split('.').map(|k| Segment::Key(k.into())).collect();
        keys.extend(below.iter().map(|s| s.segment.clone()));
        for values in self.values.iter() {
            for doc in &values.docs {
                let Some((key, value)) = lookup(doc.root(), &keys) else {
                    continue;
                };
                // The file that sets the path first wins; point at it only if its value is
                // what was printed (a `--helm-set` may have changed it).
                let same = match (printed, value.as_str()) {
                    (Some(p), Some(v)) => p == v || p.trim_matches(['"', '\'']) == v,
                    (None, _) => true,
                    (Some(_), None) => false,
                };
                return same.then(|| Related {
                    span: key,
                    message: format!("`{}` is set here", dotted(&keys)),
                });
            }
        }
        None
    }

    /// The steps from a document's root to the deepest node holding `offset`.
    fn path_to(&self, offset: u32) -> Vec<Step> {
        let mut out = Vec::new();
        let Some((doc, tree)) = self.docs.iter().enumerate().find(|(_, d)| {
            d.root()
                .span()
                .range
                .contains_range(TextRange::empty(offset))
        }) else {
            return out;
        };
        let mut node = tree.root();
        'descend: loop {
            if node.is_mapping() {
                for (key, value) in node.entries() {
                    let on_key = holds(key.span().range, offset);
                    if on_key || holds(value.span().range, offset) {
                        out.push(Step {
                            key: Some(key.span().range),
                            segment: Segment::Key(key.as_str().unwrap_or_default().into()),
                            node: (doc, value.id()),
                        });
                        if on_key {
                            break 'descend;
                        }
                        node = value;
                        continue 'descend;
                    }
                }
            } else if node.is_sequence() {
                for (index, item) in node.items().enumerate() {
                    if holds(item.span().range, offset) {
                        out.push(Step {
                            key: None,
                            segment: Segment::Index(index),
                            node: (doc, item.id()),
                        });
                        node = item;
                        continue 'descend;
                    }
                }
            }
            break;
        }
        out
    }

    /// The node the last step reaches.
    fn node_at(&self, path: &[Step]) -> Option<NodeRef<'_>> {
        let (doc, id) = path.last()?.node;
        Some(self.docs.get(doc)?.node(id).resolve())
    }
}

/// A certain head line: the template line, where the rendered line starts, how it matched.
struct Head {
    line: usize,
    start: usize,
    segments: Vec<align::Segment>,
}

impl Head {
    /// Whether rendered byte `offset` (of the whole source) is in a literal piece.
    fn literal_at(&self, offset: usize) -> bool {
        let Some(at) = offset.checked_sub(self.start) else {
            return false;
        };
        self.segments
            .iter()
            .any(|s| s.literal && s.rendered.start <= at && at < s.rendered.end)
    }

    /// The segment holding rendered byte `at` (relative to the line).
    fn segment_at(&self, at: usize) -> Option<&align::Segment> {
        self.segments
            .iter()
            .find(|s| s.rendered.start <= at && at < s.rendered.end.max(s.rendered.start + 1))
    }

    /// The template range for the rendered bytes `range` (of the whole source): the same bytes
    /// in a literal piece; a value's whole `{{ … }}` action; from the piece that holds the
    /// start to the one that holds the end when it spans several.
    fn to_template(&self, range: Range<usize>) -> Range<usize> {
        let start = range.start.saturating_sub(self.start);
        let end = range.end.saturating_sub(self.start).max(start);
        let map = |at: usize, is_end: bool| {
            self.segment_at(at).map(|s| {
                if s.literal {
                    s.template.start + (at - s.rendered.start) + usize::from(is_end)
                } else if is_end {
                    s.template.end
                } else {
                    s.template.start
                }
            })
        };
        let first = self.segments.first().map_or(0, |s| s.template.start);
        let Some(from) = map(start, false) else {
            return first..first;
        };
        let to = if end > start {
            map(end - 1, true).unwrap_or(from)
        } else {
            from
        };
        from..to.max(from)
    }

    /// The value segments the rendered bytes `range` (of the whole source) overlap.
    fn values_in(&self, range: Range<usize>) -> impl Iterator<Item = &align::Segment> {
        let start = range.start.saturating_sub(self.start);
        let end = range.end.saturating_sub(self.start).max(start + 1);
        self.segments.iter().filter(move |s| {
            !s.literal && s.rendered.start < end && start < s.rendered.end.max(s.rendered.start + 1)
        })
    }
}

/// One step of a path from a document's root: a mapping key (with its span) or a sequence
/// index, and the node reached (document index, node).
#[derive(Clone)]
struct Step {
    key: Option<TextRange>,
    segment: Segment,
    node: (usize, NodeId),
}

/// Whether `range` holds `offset` (an empty range holds its own offset).
fn holds(range: TextRange, offset: u32) -> bool {
    range.start <= offset && (offset < range.end || (range.is_empty() && offset == range.start))
}

/// A key or an index of a values path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Key(Box<str>),
    Index(usize),
}

/// The start of a rendered line's first token: after the indentation and `- ` markers.
fn token_start(line: &str) -> usize {
    let mut at = line.len() - line.trim_start_matches([' ', '\t']).len();
    while line[at..].starts_with("- ") {
        at += 2;
        at += line[at..].len() - line[at..].trim_start_matches(' ').len();
    }
    at
}

/// `a.b[0].c`.
fn dotted(keys: &[Segment]) -> String {
    let mut out = String::new();
    for segment in keys {
        match segment {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The key span and value of `keys` in a values document.
fn lookup<'a>(root: NodeRef<'a>, keys: &[Segment]) -> Option<(Span, NodeRef<'a>)> {
    let mut node = root;
    let mut key_span = None;
    for segment in keys {
        match segment {
            Segment::Key(k) => {
                let (key, value) = node.entry(k)?;
                key_span = Some(key.span());
                node = value;
            }
            Segment::Index(i) => {
                let item = node.items().nth(*i)?;
                key_span = Some(item.span());
                node = item;
            }
        }
    }
    Some((key_span?, node))
}

/// Moves the findings (and related locations) that point into rendered templates to the
/// templates' lines, and drops their fixes.
pub fn remap(maps: &HashMap<FileId, TemplateMap>, sources: &Sources, findings: &mut [Finding]) {
    for finding in findings.iter_mut() {
        let Some(map) = maps.get(&finding.span.file) else {
            continue;
        };
        let placed = map.place(sources, finding.span);
        finding.span = placed.span;
        finding.fix = None;
        for related in &mut finding.related {
            if let Some(map) = maps.get(&related.span.file) {
                related.span = map.place(sources, related.span).span;
            }
        }
        for extra in placed.related {
            if !finding.related.contains(&extra) {
                finding.related.push(extra);
            }
        }
    }
}
