//! The small regular-expression subset Kustomize selectors use (`name: app-.*`,
//! `kind: Deployment|StatefulSet`), and Kubernetes label selectors.
//!
//! Kustomize anchors target names, namespaces and kinds as Go regexps. Pulling in a regex crate
//! for that is not worth it: selectors in real repos are literals or simple patterns. This
//! supports literals, `.`, classes (`[a-z]`, `[^/]`, `\d`, `\w`, `\s`), groups, `|`, and the
//! `*`, `+`, `?`, `{m,n}` quantifiers, matched by bounded backtracking (a pathological pattern
//! stops after a fixed number of steps and does not match).

use std::cell::Cell;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
enum Atom {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Group(Box<Alt>),
}

#[derive(Debug, Clone)]
struct Piece {
    atom: Atom,
    min: usize,
    max: usize,
}

#[derive(Debug, Clone)]
struct Alt(Vec<Vec<Piece>>);

/// A compiled pattern, matched against whole strings.
#[derive(Debug, Clone)]
pub(crate) struct Regex {
    alt: Alt,
}

const MAX_STEPS: usize = 200_000;
const MAX_TEXT: usize = 4096;

impl Regex {
    /// Compiles `pattern`, anchored at both ends as Kustomize anchors selectors.
    pub(crate) fn new(pattern: &str) -> Result<Regex, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let alt = parse_alt(&chars, &mut pos)?;
        if pos != chars.len() {
            return Err(format!("unbalanced `)` in pattern `{pattern}`"));
        }
        Ok(Regex { alt })
    }

    /// Whether the whole of `text` matches.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        // Names, kinds and image references are short; a huge input would only deepen the
        // backtracking recursion.
        if text.len() > MAX_TEXT {
            return false;
        }
        let chars: Vec<char> = text.chars().collect();
        let steps = Cell::new(0);
        match_alt(&self.alt, &chars, 0, &steps, &mut |end| end == chars.len())
    }
}

fn parse_alt(chars: &[char], pos: &mut usize) -> Result<Alt, String> {
    let mut branches = vec![Vec::new()];
    while *pos < chars.len() {
        match chars[*pos] {
            '|' => {
                *pos += 1;
                branches.push(Vec::new());
            }
            ')' => break,
            _ => {
                let piece = parse_piece(chars, pos)?;
                if let Some(branch) = branches.last_mut() {
                    branch.push(piece);
                }
            }
        }
    }
    Ok(Alt(branches))
}

/// One atom and its quantifier.
fn parse_piece(chars: &[char], pos: &mut usize) -> Result<Piece, String> {
    let atom = match chars[*pos] {
        '(' => parse_group(chars, pos)?,
        '[' => parse_class(chars, pos)?,
        '.' => {
            *pos += 1;
            Atom::Any
        }
        '^' | '$' => {
            // Anchors are implicit; accept them where Kustomize users write them.
            *pos += 1;
            return Ok(Piece {
                atom: Atom::Group(Box::new(Alt(vec![Vec::new()]))),
                min: 1,
                max: 1,
            });
        }
        '\\' => {
            *pos += 1;
            let e = escaped(chars, pos)?;
            match escape_class(e) {
                Some(class) => Atom::Class(class, false),
                None => Atom::Char(e),
            }
        }
        '*' | '+' | '?' | '{' => return Err("quantifier without an atom".to_string()),
        c => {
            *pos += 1;
            Atom::Char(c)
        }
    };
    let (min, max) = parse_quantifier(chars, pos)?;
    // A lazy `?` after a quantifier changes nothing for a whole-string match.
    if (min, max) != (1, 1) && chars.get(*pos) == Some(&'?') {
        *pos += 1;
    }
    Ok(Piece { atom, min, max })
}

/// The character after a `\\` (at `pos`), which it consumes.
fn escaped(chars: &[char], pos: &mut usize) -> Result<char, String> {
    let Some(&e) = chars.get(*pos) else {
        return Err("dangling `\\`".to_string());
    };
    *pos += 1;
    Ok(e)
}

/// `(…)` or `(?:…)`, with `pos` at the `(`.
fn parse_group(chars: &[char], pos: &mut usize) -> Result<Atom, String> {
    *pos += 1;
    if chars.get(*pos) == Some(&'?') && chars.get(*pos + 1) == Some(&':') {
        *pos += 2;
    }
    let inner = parse_alt(chars, pos)?;
    if chars.get(*pos) != Some(&')') {
        return Err("unclosed `(`".to_string());
    }
    *pos += 1;
    Ok(Atom::Group(Box::new(inner)))
}

/// `[…]` or `[^…]`, with `pos` at the `[`; a `]` right after the opening is a literal.
fn parse_class(chars: &[char], pos: &mut usize) -> Result<Atom, String> {
    *pos += 1;
    let negated = chars.get(*pos) == Some(&'^');
    if negated {
        *pos += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let Some(&c) = chars.get(*pos) else {
            return Err("unclosed `[`".to_string());
        };
        if c == ']' && !first {
            *pos += 1;
            break;
        }
        first = false;
        *pos += 1;
        let lo = if c == '\\' {
            let e = escaped(chars, pos)?;
            if let Some(class) = escape_class(e) {
                ranges.extend(class);
                continue;
            }
            e
        } else {
            c
        };
        if chars.get(*pos) == Some(&'-') && chars.get(*pos + 1).is_some_and(|&n| n != ']') {
            let hi = chars[*pos + 1];
            *pos += 2;
            ranges.push((lo, hi));
        } else {
            ranges.push((lo, lo));
        }
    }
    Ok(Atom::Class(ranges, negated))
}

/// `*`, `+`, `?`, `{n}`, `{m,}` or `{m,n}` at `pos` as (min, max) repetitions; (1, 1) for
/// none.
fn parse_quantifier(chars: &[char], pos: &mut usize) -> Result<(usize, usize), String> {
    let quantifier = match chars.get(*pos) {
        Some('*') => (0, usize::MAX),
        Some('+') => (1, usize::MAX),
        Some('?') => (0, 1),
        Some('{') => {
            let close = chars[*pos..]
                .iter()
                .position(|&c| c == '}')
                .ok_or("unclosed `{`")?;
            let body: String = chars[*pos + 1..*pos + close].iter().collect();
            *pos += close + 1;
            let bound = |text: &str| -> Result<usize, String> {
                text.trim().parse().map_err(|_| "bad `{}`".to_string())
            };
            return Ok(match body.split_once(',') {
                Some((lo, "")) => (bound(lo)?, usize::MAX),
                Some((lo, hi)) => (bound(lo)?, bound(hi)?),
                None => {
                    let n = bound(&body)?;
                    (n, n)
                }
            });
        }
        _ => return Ok((1, 1)),
    };
    *pos += 1;
    Ok(quantifier)
}

fn escape_class(e: char) -> Option<Vec<(char, char)>> {
    match e {
        'd' => Some(vec![('0', '9')]),
        'w' => Some(vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')]),
        's' => Some(vec![(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r')]),
        _ => None,
    }
}

fn atom_matches(atom: &Atom, c: char) -> bool {
    match atom {
        Atom::Char(x) => *x == c,
        Atom::Any => c != '\n',
        Atom::Class(ranges, negated) => {
            ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
        }
        Atom::Group(_) => false,
    }
}

/// Counts one backtracking step; whether the budget ([`MAX_STEPS`]) is spent.
fn out_of_steps(steps: &Cell<usize>) -> bool {
    steps.set(steps.get() + 1);
    steps.get() > MAX_STEPS
}

fn match_alt(
    alt: &Alt,
    text: &[char],
    at: usize,
    steps: &Cell<usize>,
    then: &mut dyn FnMut(usize) -> bool,
) -> bool {
    alt.0
        .iter()
        .any(|branch| match_seq(branch, text, at, steps, then))
}

fn match_seq(
    pieces: &[Piece],
    text: &[char],
    at: usize,
    steps: &Cell<usize>,
    then: &mut dyn FnMut(usize) -> bool,
) -> bool {
    if out_of_steps(steps) {
        return false;
    }
    let Some((piece, rest)) = pieces.split_first() else {
        return then(at);
    };
    match_repeat(piece, 0, rest, text, at, steps, then)
}

fn match_repeat(
    piece: &Piece,
    count: usize,
    rest: &[Piece],
    text: &[char],
    at: usize,
    steps: &Cell<usize>,
    then: &mut dyn FnMut(usize) -> bool,
) -> bool {
    if out_of_steps(steps) {
        return false;
    }
    // Greedy: try one more repetition first.
    if count < piece.max {
        let more = match &piece.atom {
            Atom::Group(alt) => match_alt(alt, text, at, steps, &mut |end| {
                end != at && match_repeat(piece, count + 1, rest, text, end, steps, then)
            }),
            atom => {
                text.get(at).is_some_and(|&c| atom_matches(atom, c))
                    && match_repeat(piece, count + 1, rest, text, at + 1, steps, then)
            }
        };
        if more {
            return true;
        }
        // A group that can match empty still counts towards `min`.
        if let Atom::Group(alt) = &piece.atom {
            if count < piece.min
                && match_alt(alt, text, at, steps, &mut |end| {
                    end == at && match_seq(rest, text, at, steps, then)
                })
            {
                return true;
            }
        }
    }
    count >= piece.min && match_seq(rest, text, at, steps, then)
}

/// A Kubernetes label selector (`app=web,tier!=db,env in (a,b),!legacy`).
#[derive(Debug, Clone)]
pub(crate) struct LabelSelector(Vec<Requirement>);

#[derive(Debug, Clone)]
enum Requirement {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

impl LabelSelector {
    pub(crate) fn parse(text: &str) -> Result<LabelSelector, String> {
        let mut out = Vec::new();
        let mut parts = Vec::new();
        let mut depth = 0;
        let mut current = String::new();
        for c in text.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(c);
        }
        parts.push(current);
        for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            let set = |rest: &str| -> Result<Vec<String>, String> {
                let inner = rest
                    .trim()
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .ok_or_else(|| format!("bad set in label selector `{part}`"))?;
                Ok(inner.split(',').map(|v| v.trim().to_string()).collect())
            };
            let requirement = if let Some(key) = part.strip_prefix('!') {
                Requirement::NotExists(key.trim().to_string())
            } else if let Some((k, v)) = part.split_once("!=") {
                Requirement::NotEq(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, v)) = part.split_once("==") {
                Requirement::Eq(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, v)) = part.split_once('=') {
                Requirement::Eq(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, rest)) = part.split_once(" notin ") {
                Requirement::NotIn(k.trim().to_string(), set(rest)?)
            } else if let Some((k, rest)) = part.split_once(" in ") {
                Requirement::In(k.trim().to_string(), set(rest)?)
            } else {
                Requirement::Exists(part.to_string())
            };
            out.push(requirement);
        }
        Ok(LabelSelector(out))
    }

    pub(crate) fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|r| match r {
            Requirement::Eq(k, v) => labels.get(k) == Some(v),
            Requirement::NotEq(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|x| vs.contains(x)),
            Requirement::NotIn(k, vs) => labels.get(k).map_or(true, |x| !vs.contains(x)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::NotExists(k) => !labels.contains_key(k),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        Regex::new(p).unwrap().is_match(t)
    }

    #[test]
    fn patterns_match_whole_strings() {
        assert!(m("argocd-server", "argocd-server"));
        assert!(!m("argocd", "argocd-server"));
        assert!(m("argocd-.*", "argocd-server"));
        assert!(m("Deployment|StatefulSet", "StatefulSet"));
        assert!(m("app-[a-z]+-\\d{2}", "app-web-01"));
        assert!(!m("app-[a-z]+-\\d{2}", "app-web-1"));
        assert!(m("(a|b)*c", "ababc"));
        assert!(m("quay.io/argoproj/argocd", "quay.io/argoproj/argocd"));
        assert!(m("", ""));
        assert!(!m("(a*)*b", &"a".repeat(40)));
    }

    #[test]
    fn label_selectors() {
        let labels: BTreeMap<String, String> = [
            ("app".to_string(), "web".to_string()),
            ("tier".to_string(), "fe".to_string()),
        ]
        .into();
        assert!(LabelSelector::parse("app=web").unwrap().matches(&labels));
        assert!(LabelSelector::parse("app=web,tier in (fe, be)")
            .unwrap()
            .matches(&labels));
        assert!(!LabelSelector::parse("app!=web").unwrap().matches(&labels));
        assert!(LabelSelector::parse("!legacy,tier notin (db)")
            .unwrap()
            .matches(&labels));
    }
}
