//! The fast reader against yaml-rust2: wherever it reads a text, its trees must be yaml-rust2's
//! exactly (same nodes, values, spans, styles, documents), and it must read the manifests it is
//! for. Inputs: hand-written cases, every file of the shared corpus, the YAML test suite, the
//! repository's testdata, and seeded mutants of all of them (`K8SEC_FAST_MUTANTS` sets how
//! many per file for a longer campaign).

use std::path::{Path, PathBuf};

use super::super::parse::{build, build_with_yaml_rust2};
use super::super::prepare::separator_lines;
use super::super::FileId;
use crate::text::LineIndex;

/// Both readers' streams of `text`, printed; `None` in place of the fast one where it bails.
fn both(text: &str) -> (Option<String>, String) {
    let index = LineIndex::new(text);
    let separators = separator_lines(text);
    let builder = super::Builder::new(text, &index, FileId(0));
    let fast = super::read(builder).map(|stream| print(&stream));
    let slow = build_with_yaml_rust2(text, &index, FileId(0), &separators);
    (fast, print(&slow))
}

/// A stream's documents and error, a line per document and node (not the work counted to
/// place yaml-rust2's positions, which the fast reader does not need).
fn print(stream: &super::ParsedStream) -> String {
    let mut out = format!("error: {:?}\n", stream.error);
    for doc in &stream.documents {
        let tree = format!("{:?}", doc.tree);
        out.push_str(&format!("document {:?}\n", doc.range));
        out.push_str(&tree.replace("Node {", "\nNode {"));
        out.push('\n');
    }
    out
}

/// The first line where `a` and `b` differ, with the line before.
fn first_difference(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let at = (0..a.len().max(b.len()))
        .find(|&i| a.get(i) != b.get(i))
        .unwrap_or(0);
    let line = |lines: &[&str], i: usize| {
        lines
            .get(i)
            .map_or("", |l| &l[..l.len().min(300)])
            .to_string()
    };
    format!(
        "line {at}:\n  both: {}\n  fast: {}\n  yaml-rust2: {}",
        line(&a, at.saturating_sub(1)),
        line(&a, at),
        line(&b, at)
    )
}

/// Whether the fast reader read `text` (and then, as yaml-rust2 does, to the byte).
#[track_caller]
fn agrees(text: &str, what: &str) -> bool {
    let (fast, slow) = both(text);
    if let Some(fast) = &fast {
        assert!(
            fast == &slow,
            "{what}: the fast reader and yaml-rust2 differ at {}\non\n---\n{}\n---",
            first_difference(fast, &slow),
            &text[..text.len().min(3000)]
        );
    }
    fast.is_some()
}

/// A Pod as `kubectl get -o json` prints it.
const JSON: &str = r#"{
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "name": "web",
        "labels": {
            "app": "web"
        },
        "annotations": {"note": "caf\u00e9 \"quoted\"\n"}
    },
    "spec": {
        "containers": [
            {
                "name": "c",
                "image": "nginx:1.25",
                "ports": [
                    {"containerPort": 80}
                ],
                "securityContext": {
                    "privileged": true,
                    "runAsUser": 0
                }
            }
        ],
        "volumes": []
    }
}
"#;

#[test]
fn reads_what_manifests_are_written_in_as_yaml_rust2_does() {
    let cases = [
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n    args: [\"--port=80\", -v, '']\n",
        "a: 1\n---\nb: 2\n",
        "# only a comment\n",
        "---\n# empty\n---\nkind: x\n---\n",
        "",
        "key:\n  - a\n  -\n  - b\n",
        "description: APIVersion defines the versioned schema of this representation\n  of an object. Servers should convert\n\n  recognized schemas.\nnext: x\n",
        "d: 'It''s a\n  quoted\n\n  line'\ne: \"tab\\tand \\u00e9 and \\\n  joined\"\n",
        "data:\n  script: |\n    #!/bin/sh\n\n    echo hi\n  \n  other: |-\n    x\n      y\nz: 1\n",
        "list:\n- name: a\n  value: b # comment\n- name: c\nafter: x\n",
        JSON,
        "{\"kind\":\"List\",\"items\":[{\"a\":1,\"b\":[true,null,-2.5e3]},{}]}",
        "selector: {matchLabels: {app: web}, tier: [a, 'b']}\nports: [{port: 80, protocol: TCP}]\n",
        "\"quoted key\": v\n'k': [a, \"b\", c d]\nempty:\nnull: ~\n",
        "a: b: c\n",
        "a: 'b'c\n",
        "k: v\n  more: x\n",
        "- a\n  b\n- c\n",
        "k: é\u{a0}\n",
        "anchors: &a x\nalias: *a\n",
        "tagged: !!str 1\n",
        "folded: >\n  text\n",
        "tab:\tx\n",
        "crlf: x\r\n",
    ];
    let read: Vec<bool> = cases.iter().map(|text| agrees(text, "case")).collect();
    // Keys whose `:` is around yaml-rust2's 1024 characters from their start, in each style.
    for len in [990, 1000, 1030, 1100] {
        let key = "k".repeat(len);
        for text in [
            format!("{key}: v\n"),
            format!("\"{key}\": v\n"),
            format!("'{key}': v\n"),
            format!("m: {{{key}: v}}\n"),
            format!("{{\"{key}\":1}}\n"),
        ] {
            agrees(&text, "a long key");
        }
    }
    // The first thirteen are what this reader is for; the rest it must leave to yaml-rust2
    // (or read as it does).
    assert!(read[..13].iter().all(|&r| r), "{read:?}");
    assert!(!read[19..].iter().any(|&r| r), "{read:?}");
}

fn shared(dir: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join(dir);
    if path.is_dir() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "no {} under CI",
        path.display()
    );
    eprintln!("skipped: no {}", path.display());
    None
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

fn texts(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut paths = Vec::new();
    yaml_files(dir, &mut paths);
    paths
        .into_iter()
        .filter_map(|p| Some((p.clone(), String::from_utf8(std::fs::read(&p).ok()?).ok()?)))
        .collect()
}

#[test]
fn reads_the_corpus_as_yaml_rust2_does() {
    let Some(corpus) = shared("corpus") else {
        return;
    };
    let (mut total, mut fast) = (0, 0);
    for (path, text) in texts(&corpus) {
        total += text.len();
        if agrees(&text, &path.display().to_string()) {
            fast += text.len();
        }
    }
    let share = fast as f64 / total as f64;
    eprintln!(
        "fast reader: {fast} of {total} corpus bytes ({:.1}%)",
        share * 100.0
    );
    // What it is for: nearly all of real manifests.
    assert!(
        share > 0.8,
        "the fast reader read only {:.1}% of the corpus",
        share * 100.0
    );
}

#[test]
fn reads_the_yaml_test_suite_and_testdata_as_yaml_rust2_does() {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut inputs = texts(&testdata);
    if let Some(suite) = shared("yaml-test-suite") {
        let mut cases = Vec::new();
        collect_named(&suite, "in.yaml", &mut cases);
        inputs.extend(
            cases
                .into_iter()
                .filter_map(|p| Some((p.clone(), std::fs::read_to_string(&p).ok()?))),
        );
    }
    let read = inputs
        .iter()
        .filter(|(path, text)| agrees(text, &path.display().to_string()))
        .count();
    eprintln!("fast reader: read {read} of {} texts", inputs.len());
}

fn collect_named(dir: &Path, name: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_named(&path, name, out);
        } else if path.file_name().is_some_and(|n| n == name) {
            out.push(path);
        }
    }
}

/// A small deterministic generator (xorshift64*): mutants must be the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// What mutants insert: YAML's indicators, blanks, breaks and characters readers disagree on.
const SNIPPETS: &[&str] = &[
    " ",
    "  ",
    "\n",
    "\n\n",
    "- ",
    ": ",
    ":",
    "#",
    " #",
    "'",
    "''",
    "\"",
    "\\",
    "\\\n",
    "|",
    "|-",
    "|+",
    "|2",
    ">",
    "[",
    "]",
    "{}",
    "[]",
    ",",
    "---\n",
    "...\n",
    "é",
    "\u{a0}",
    "&a ",
    "*a",
    "!",
    "?",
    "%",
    "@",
    "\t",
    "\r",
    "x",
    "- - ",
    "\"\\u00e9\"",
    "\\x41",
    "\\q",
];

/// `text` with one random change: a snippet inserted, bytes deleted, a line indented or
/// dedented, or a line repeated.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let boundary = |mut at: usize| {
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let at = boundary(rng.below(text.len() + 1));
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    match rng.below(5) {
        0 | 1 => {
            let snippet = SNIPPETS[rng.below(SNIPPETS.len())];
            format!("{}{snippet}{}", &text[..at], &text[at..])
        }
        2 => {
            let end = boundary((at + 1 + rng.below(3)).min(text.len()));
            format!("{}{}", &text[..at], &text[end..])
        }
        3 => {
            let spaces =
                text[line_start..].len() - text[line_start..].trim_start_matches(' ').len();
            if spaces > 0 && rng.below(2) == 0 {
                format!("{}{}", &text[..line_start], &text[line_start + 1..])
            } else {
                format!("{} {}", &text[..line_start], &text[line_start..])
            }
        }
        _ => {
            let line = &text[line_start..line_end];
            format!("{}{line}\n{}", &text[..line_start], &text[line_start..])
        }
    }
}

#[test]
fn reads_mutants_as_yaml_rust2_does() {
    let per_file: usize = std::env::var("K8SEC_FAST_MUTANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12);
    let mut inputs = texts(&Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"));
    if let Some(corpus) = shared("corpus") {
        inputs.extend(texts(&corpus).into_iter().filter(|(_, t)| t.len() < 40_000));
    }
    // JSON as kubectl prints it, pretty and on one line.
    for text in [
        JSON.to_string(),
        JSON.split_whitespace().collect::<Vec<_>>().join(" "),
    ] {
        inputs.push((PathBuf::from("JSON"), text));
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut mutants, mut read) = (0, 0);
    for (path, text) in &inputs {
        for _ in 0..per_file {
            let mut mutant = mutate(text, &mut rng);
            if rng.below(2) == 0 {
                mutant = mutate(&mutant, &mut rng);
            }
            mutants += 1;
            if agrees(&mutant, &format!("a mutant of {}", path.display())) {
                read += 1;
            }
        }
    }
    eprintln!("fast reader: read {read} of {mutants} mutants as yaml-rust2 does");
    // Most mutants hold something it leaves to yaml-rust2 (a tab, a CR, an anchor): a quarter
    // read is enough to exercise it, and fewer would mean it bails where it need not.
    assert!(
        read * 4 > mutants,
        "the fast reader read only {read} of {mutants} mutants"
    );
}

/// `build` is the fast reader where it reads, yaml-rust2 elsewhere.
#[test]
fn build_reads_with_either() {
    for text in ["a: [b]\n", "a: &x b\n"] {
        let index = LineIndex::new(text);
        let built = build(text, &index, FileId(0), &separator_lines(text));
        let slow = build_with_yaml_rust2(text, &index, FileId(0), &separator_lines(text));
        assert_eq!(print(&built), print(&slow));
    }
}
