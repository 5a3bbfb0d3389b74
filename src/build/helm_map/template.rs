//! A Helm template read as lines of literal text and `{{ … }}` actions: what each line can put
//! in the rendered output.
//!
//! Only what the alignment needs is modelled: which lines print literally, which print a
//! pattern (literal text around one-line values), which may print any number of lines (an
//! `include`, `toYaml | nindent`), which print nothing (control actions, comments, the bodies
//! of `define`), and which sit inside a condition or a `range` (they may be missing, or be
//! repeated). Whitespace trimming (`{{-`, `-}}`) is applied to the literal text next to an
//! action; a trim that joins two lines is not modelled (the alignment then leaves those lines
//! unmapped rather than guess).

use std::ops::Range;

/// One `{{ … }}` action.
#[derive(Clone, Debug)]
pub(super) struct Action {
    /// Byte range of `{{ … }}` in the template.
    pub range: Range<usize>,
    /// `{{-`: the whitespace before it is removed.
    pub trim_left: bool,
    /// `-}}`: the whitespace after it is removed.
    pub trim_right: bool,
    /// The text between the delimiters, without trim markers, trimmed.
    pub body: String,
    pub kind: ActionKind,
}

/// What an action does to the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ActionKind {
    /// `{{/* … */}}`, `$x := …`: prints nothing.
    Silent,
    /// `if`, `with`, `range`, `define`, `block`: opens a body closed by `end`.
    Open(Opens),
    /// `else`, `else if …`.
    Else,
    /// `end`.
    End,
    /// Prints one value on the line.
    Inline,
    /// May print several lines (`include`, `toYaml`, `nindent`, `tpl`, …).
    Lines,
}

/// The kind of body an action opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Opens {
    If,
    With,
    Range,
    Define,
    /// `block`: defines and prints a template.
    Block,
}

/// A piece of a line: literal text (a byte range of the template) or an action (by index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Piece {
    Text(Range<usize>),
    Action(usize),
}

/// What a line puts in the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    /// Nothing visible: blank, control actions and comments only, inside a `define`, or the
    /// continuation of an action started on an earlier line.
    Nothing,
    /// Exactly its text.
    Literal,
    /// One line: its literal pieces around one-line values.
    Pattern,
    /// Its pieces up to the first multi-line action (the head, when not blank), then any number
    /// of lines from that action.
    Lines,
}

/// One line of the template.
#[derive(Clone, Debug)]
pub(super) struct Line {
    /// Byte range of the line in the template, without its line break.
    pub range: Range<usize>,
    pub class: Class,
    /// The pieces the line prints, after trimming; for [`Class::Lines`], up to and including
    /// the first multi-line action.
    pub pieces: Vec<Piece>,
    /// The first multi-line action of a [`Class::Lines`] line.
    pub lines_action: Option<usize>,
    /// Whether the head of a [`Class::Lines`] line prints something before the action.
    pub has_head: bool,
    /// Inside an `if`, `with`, `range` or `else` body: it may be missing from the output.
    pub optional: bool,
    /// The body of the outermost `range` holding the line (line indices), if any: the output
    /// may repeat it.
    pub loop_body: Option<(usize, usize)>,
    /// The values path `.` stands for here (`with .Values.x` → `x`), when known.
    pub dot: Option<String>,
    /// The literal key the line starts with (`name` of `  - name: web`), as a byte range of
    /// the template; `None` when the key is printed by an action or there is none.
    pub key: Option<Range<usize>>,
    /// `---`: a document boundary.
    pub separator: bool,
}

/// A parsed template: its text, actions and lines.
#[derive(Debug)]
pub(super) struct Template {
    pub text: String,
    pub actions: Vec<Action>,
    pub lines: Vec<Line>,
}

/// Words of an action that may print several lines.
const MULTI_LINE: [&str; 9] = [
    "include",
    "template",
    "toYaml",
    "toPrettyJson",
    "tpl",
    "nindent",
    "indent",
    ".Files",
    "toToml",
];

impl Template {
    pub(super) fn parse(text: String) -> Template {
        let actions = actions(&text);
        let lines = lines(&text, &actions);
        Template {
            text,
            actions,
            lines,
        }
    }

    /// The text of a byte range.
    pub(super) fn slice(&self, range: &Range<usize>) -> &str {
        &self.text[range.clone()]
    }
}

/// Finds every `{{ … }}` of `text`, skipping `}}` inside strings and comments.
fn actions(text: &str) -> Vec<Action> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find("{{") {
        let start = at + found;
        let Some(end) = action_end(bytes, start + 2) else {
            break; // unterminated: helm would have refused it
        };
        let inner = &text[start + 2..end - 2];
        let trim_left = inner.starts_with("- ") || inner.starts_with("-\t") || inner == "-";
        let trim_right = inner.ends_with(" -") || inner.ends_with("\t-");
        let mut body = inner;
        if trim_left {
            body = &body[1..];
        }
        if trim_right {
            body = &body[..body.len() - 1];
        }
        let body = body.trim().to_string();
        let kind = kind_of(&body);
        out.push(Action {
            range: start..end,
            trim_left,
            trim_right,
            body,
            kind,
        });
        at = end;
    }
    out
}

/// The offset just after the `}}` closing an action whose body starts at `from`.
fn action_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    let mut quote: Option<u8> = None;
    let comment = bytes[from..]
        .iter()
        .position(|b| !matches!(b, b'-' | b' ' | b'\t'))
        .is_some_and(|p| bytes[from + p..].starts_with(b"/*"));
    while i + 1 < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == b'\\' && q == b'"' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if comment && bytes[i..].starts_with(b"*/") => {
                let rest = &bytes[i + 2..];
                let close = rest
                    .iter()
                    .position(|b| !matches!(b, b'-' | b' ' | b'\t'))?;
                if rest[close..].starts_with(b"}}") {
                    return Some(i + 2 + close + 2);
                }
            }
            None if comment => {}
            None if b == b'"' || b == b'`' || b == b'\'' => quote = Some(b),
            None if b == b'}' && bytes[i + 1] == b'}' => return Some(i + 2),
            None => {}
        }
        i += 1;
    }
    None
}

fn kind_of(body: &str) -> ActionKind {
    if body.starts_with("/*") {
        return ActionKind::Silent;
    }
    let first = body.split_whitespace().next().unwrap_or("");
    match first {
        "if" => return ActionKind::Open(Opens::If),
        "with" => return ActionKind::Open(Opens::With),
        "range" => return ActionKind::Open(Opens::Range),
        "define" => return ActionKind::Open(Opens::Define),
        "block" => return ActionKind::Open(Opens::Block),
        "else" => return ActionKind::Else,
        "end" => return ActionKind::End,
        "break" | "continue" => return ActionKind::Silent,
        _ => {}
    }
    // `$x := …` and `$x = …` print nothing.
    if first.starts_with('$') {
        let mut words = body.split_whitespace().skip(1);
        if matches!(words.next(), Some(":=" | "=")) {
            return ActionKind::Silent;
        }
    }
    let multi = MULTI_LINE.iter().any(|word| contains_word(body, word));
    if multi {
        ActionKind::Lines
    } else {
        ActionKind::Inline
    }
}

/// Whether `word` occurs in `body` as a whole word (`.Files` matches `.Files.Get`).
pub(super) fn contains_word(body: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    body.match_indices(word).any(|(i, _)| {
        let before = body[..i].chars().next_back();
        let after = body[i + word.len()..].chars().next();
        !before.is_some_and(|c| is_word(c) || (c == '.' && !word.starts_with('.')))
            && !after.is_some_and(is_word)
    })
}

/// An open body while reading the lines.
struct Open {
    opens: Opens,
    start_line: usize,
    /// The values path of `with .Values.x` (and what `.` was before, restored at `end`).
    dot: Option<String>,
}

/// The lines of `text`, classified.
fn lines(text: &str, actions: &[Action]) -> Vec<Line> {
    let mut out = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut next_action = 0;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let end = offset + raw.trim_end_matches(['\n', '\r']).len();
        let range = offset..end;
        offset += raw.len();
        // An action that started on an earlier line and ends on this one or later makes the
        // line a continuation of that line.
        let continuation = actions[..next_action]
            .last()
            .is_some_and(|a| a.range.end > range.start);
        let first = next_action;
        while next_action < actions.len() && actions[next_action].range.start < offset {
            next_action += 1;
        }
        let on_line = first..next_action;
        let optional = stack
            .iter()
            .any(|o| matches!(o.opens, Opens::If | Opens::With | Opens::Range));
        let in_define = stack.iter().any(|o| o.opens == Opens::Define);
        let loop_start = stack
            .iter()
            .find(|o| o.opens == Opens::Range)
            .map(|o| o.start_line);
        let dot = stack.iter().rev().find_map(|o| o.dot.clone());
        let mut line = Line {
            range: range.clone(),
            class: Class::Nothing,
            pieces: Vec::new(),
            lines_action: None,
            has_head: false,
            optional,
            loop_body: loop_start.map(|s| (s, s)),
            dot,
            key: None,
            separator: text[range.clone()].trim_end() == "---",
        };
        if !continuation && !in_define {
            classify(text, actions, on_line.clone(), &mut line);
        }
        // Bodies opened and closed on this line change what the next lines are in.
        for index in on_line {
            let action = &actions[index];
            match action.kind {
                ActionKind::Open(opens) => stack.push(Open {
                    opens,
                    start_line: out.len() + 1,
                    dot: with_dot(
                        &action.body,
                        opens,
                        stack.last().and_then(|o| o.dot.as_deref()),
                    ),
                }),
                ActionKind::End => {
                    // The body ends before this line (the one being read).
                    if let Some(open) = stack.pop().filter(|o| o.opens == Opens::Range) {
                        let end = out.len();
                        close_loop(&mut out, open.start_line, end);
                    }
                }
                _ => {}
            }
        }
        out.push(line);
    }
    // Loops never closed reach the end.
    let last = out.len();
    for open in stack.iter().filter(|o| o.opens == Opens::Range) {
        close_loop(&mut out, open.start_line, last);
    }
    out
}

/// Marks lines `start..end` as the body of one (outermost) loop.
fn close_loop(out: &mut [Line], start: usize, end: usize) {
    let end = end.min(out.len());
    if start >= end {
        return;
    }
    // Inner loops close first; the outer one, closed later, widens their lines' body.
    for line in &mut out[start..end] {
        line.loop_body = Some(match line.loop_body {
            Some((s, e)) if e > s && s <= start && e >= end => (s, e),
            _ => (start, end),
        });
    }
}

/// The values path `.` means inside `with <arg>`: `.Values.a.b` → `a.b`; `.x` inside an outer
/// `with` of path `p` → `p.x`.
fn with_dot(body: &str, opens: Opens, outer: Option<&str>) -> Option<String> {
    if opens != Opens::With {
        return outer.map(String::from).filter(|_| opens != Opens::Range);
    }
    let arg = body.split_whitespace().nth(1)?;
    values_path(arg, outer)
}

/// The values path an argument names: `.Values.a.b` or `$.Values.a.b` → `a.b`; `.` → the
/// current dot; `.x.y` → dot + `.x.y`. `None` for anything else (a function call, a variable).
pub(super) fn values_path(arg: &str, dot: Option<&str>) -> Option<String> {
    let arg = arg.trim_start_matches('(').trim_end_matches(')');
    let valid = |p: &str| {
        !p.is_empty()
            && p.split('.')
                .all(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'))
    };
    if let Some(path) = arg
        .strip_prefix("$.Values.")
        .or_else(|| arg.strip_prefix(".Values."))
    {
        return valid(path).then(|| path.to_string());
    }
    if arg == "." {
        return dot.map(String::from);
    }
    let rest = arg.strip_prefix('.')?;
    let dot = dot?;
    valid(rest).then(|| format!("{dot}.{rest}"))
}

/// Sets the line's class and pieces from the actions that start on it.
fn classify(text: &str, actions: &[Action], on_line: Range<usize>, line: &mut Line) {
    let mut pieces = Vec::new();
    let mut at = line.range.start;
    let mut visible = false;
    let mut inline = false;
    for index in on_line {
        let action = &actions[index];
        let mut before = at..action.range.start.min(line.range.end);
        if action.trim_left {
            before.end = before.start + text[before.clone()].trim_end().len();
        }
        if !before.is_empty() {
            pieces.push(Piece::Text(before));
        }
        at = action.range.end.min(line.range.end).max(at);
        match action.kind {
            ActionKind::Inline => {
                inline = true;
                pieces.push(Piece::Action(index));
            }
            ActionKind::Lines => {
                pieces.push(Piece::Action(index));
                line.lines_action = Some(index);
                break;
            }
            _ => {}
        }
        if action.trim_right {
            let rest = &text[at..line.range.end];
            at += rest.len() - rest.trim_start().len();
        }
    }
    if line.lines_action.is_none() && at < line.range.end {
        pieces.push(Piece::Text(at..line.range.end));
    }
    for piece in &pieces {
        if let Piece::Text(r) = piece {
            visible |= !text[r.clone()].trim().is_empty();
        }
    }
    line.class = if line.lines_action.is_some() {
        line.has_head = visible
            || pieces
                .iter()
                .filter(|p| matches!(p, Piece::Action(i) if Some(*i) != line.lines_action))
                .count()
                > 0;
        Class::Lines
    } else if inline {
        Class::Pattern
    } else if visible {
        Class::Literal
    } else {
        Class::Nothing
    };
    line.key = literal_key(text, &pieces);
    line.pieces = pieces;
}

/// The key a line starts with, when it is literal text: `  - name: {{ x }}` → `name`.
fn literal_key(text: &str, pieces: &[Piece]) -> Option<Range<usize>> {
    let Some(Piece::Text(first)) = pieces.first() else {
        return None;
    };
    let chunk = &text[first.clone()];
    let mut start = chunk.len() - chunk.trim_start().len();
    while chunk[start..].starts_with("- ") {
        start += 2;
        start += chunk[start..].len() - chunk[start..].trim_start().len();
    }
    let rest = &chunk[start..];
    if rest.starts_with('#') {
        return None;
    }
    let colon = rest
        .find(": ")
        .or_else(|| rest.ends_with(':').then(|| rest.len() - 1))?;
    let key = rest[..colon].trim_end();
    if key.is_empty() || key.contains('{') {
        return None;
    }
    let begin = first.start + start;
    Some(begin..begin + key.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Template {
        Template::parse(text.to_string())
    }

    #[test]
    fn lines_are_classified_by_what_they_print() {
        let t = parse(
            "metadata:\n  name: {{ .Release.Name }}\n  labels:\n    {{- include \"l\" . | nindent 4 }}\n  {{- if .Values.x }}\n  x: 1\n  {{- end }}\n",
        );
        let classes: Vec<Class> = t.lines.iter().map(|l| l.class).collect();
        assert_eq!(
            classes,
            [
                Class::Literal,
                Class::Pattern,
                Class::Literal,
                Class::Lines,
                Class::Nothing,
                Class::Literal,
                Class::Nothing,
            ]
        );
        assert!(!t.lines[3].has_head);
        assert!(t.lines[5].optional && !t.lines[2].optional);
        assert_eq!(t.slice(t.lines[1].key.as_ref().unwrap()), "name");
    }

    #[test]
    fn comments_strings_and_multi_line_actions() {
        let t = parse(
            "{{/* a }} b */}}\nk: {{ \"}}\" }}\n{{- include \"x\" (dict\n  \"a\" 1) }}\nz: 1\n",
        );
        assert_eq!(t.actions.len(), 3);
        assert_eq!(t.actions[0].kind, ActionKind::Silent);
        assert_eq!(t.lines[1].class, Class::Pattern);
        assert_eq!(t.lines[2].class, Class::Lines);
        assert_eq!(t.lines[3].class, Class::Nothing, "continuation");
        assert_eq!(t.lines[4].class, Class::Literal);
    }

    #[test]
    fn defines_print_nothing_and_ranges_are_loops() {
        let t = parse("{{- define \"x\" }}\na: 1\n{{- end }}\n{{- range .Values.l }}\n- b: {{ . }}\n  c: 2\n{{- end }}\nd: 3\n");
        assert_eq!(t.lines[1].class, Class::Nothing);
        assert_eq!(t.lines[4].loop_body, Some((4, 6)));
        assert_eq!(t.lines[5].loop_body, Some((4, 6)));
        assert_eq!(t.lines[7].loop_body, None);
    }

    #[test]
    fn with_sets_the_values_path_of_the_dot() {
        let t = parse("{{- with .Values.pod.securityContext }}\nsecurityContext:\n  {{- toYaml . | nindent 2 }}\n{{- end }}\n");
        assert_eq!(t.lines[2].dot.as_deref(), Some("pod.securityContext"));
        assert_eq!(values_path(".Values.a.b", None).as_deref(), Some("a.b"));
        assert_eq!(values_path(".x", Some("p")).as_deref(), Some("p.x"));
        assert_eq!(values_path("$x", Some("p")), None);
    }
}
