//! `--format github` and `--format junit` against golden files (`testdata/ci/`), on a repository
//! whose names and paths hold everything their syntaxes give a meaning to: `,` `:` `%`, CR and
//! LF, workflow commands, XML markup and control characters, non-ASCII text. And `--output`:
//! several reports from one run; and every format written to its writer finding by finding.
//!
//! The inputs are written by the test (a path holding `:` cannot be checked out everywhere).
//! `K8SEC_BLESS=1 cargo test --test ci_formats` rewrites the golden files; review the diff.

mod common;

use std::path::Path;

use common::{k8sec, repo, stderr, stdout};

/// A Pod whose name and container name carry newlines, commands and markup, in a directory
/// whose name needs escaping; its ServiceAccount elsewhere (a related location); a clean Pod;
/// a file that does not parse.
const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: \"a,b:c%d\\r\\n::error file=x::pwned <&>\"
  namespace: \"ns\\u0007\"
spec:
  serviceAccountName: runner
  containers:
    - name: \"web\\n::stop-commands::tok\"
      image: nginx:1.27
      securityContext: {x: \"😀é\", privileged: true}
";
const ACCOUNT: &str = "apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
  namespace: \"ns\\u0007\"
";
const CLEAN: &str = "apiVersion: v1
kind: Pod
metadata:
  name: clean
spec:
  automountServiceAccountToken: false
  containers:
    - name: app
      image: nginx:1.27
";
const BROKEN: &str = "apiVersion: v1\nkind: Pod\nmetadata: [name: x\n";

fn escaping_repo() -> tempfile::TempDir {
    let dir = repo(&[
        ("dé,p:l%oy/pöd.yaml", POD),
        ("dé,p:l%oy/account.yaml", ACCOUNT),
        ("clean.yaml", CLEAN),
        ("broken.yaml", BROKEN),
    ]);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

const SELECT: &str = "privileged-container,automount-service-account-token";

/// Compares `actual` with the golden file `testdata/ci/<name>`, or writes it under
/// `K8SEC_BLESS=1`.
fn golden(name: &str, actual: &str) {
    let path = common::manifest_dir().join("testdata/ci").join(name);
    if std::env::var_os("K8SEC_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (K8SEC_BLESS=1 writes it)", path.display()));
    assert_eq!(
        actual,
        expected,
        "{} differs (K8SEC_BLESS=1 rewrites it)",
        path.display()
    );
}

fn run(dir: &Path, format: &str) -> String {
    let output = k8sec(dir, &["lint", "--format", format, "--select", SELECT, "."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    stdout(&output)
}

/// A workflow command as the runner reads it: name, properties, data.
type Command = (String, Vec<(String, String)>, String);

/// What the Actions runner does with a line: `::command props::data`, unescaped.
fn parse_command(line: &str) -> Option<Command> {
    let rest = line.strip_prefix("::")?;
    let end = rest.find("::")?;
    let (head, data) = (&rest[..end], &rest[end + 2..]);
    let (command, props) = head.split_once(' ').unwrap_or((head, ""));
    let unescape = |s: &str| {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_string(), unescape(v))
        })
        .collect();
    let data = data
        .replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%");
    Some((command.to_string(), props, data))
}

#[test]
fn github_annotations_match_the_golden_file() {
    let dir = escaping_repo();
    let out = run(dir.path(), "github");
    golden("escaping.github.txt", &out);

    // Only our commands start a line: nothing from the repository became a command.
    let commands: Vec<_> = out.lines().filter_map(parse_command).collect();
    assert_eq!(
        out.lines().filter(|l| l.starts_with("::")).count(),
        commands.len()
    );
    let kinds: Vec<&str> = commands.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(kinds, ["error", "warning", "error"], "{out}");
    // The runner reads back exactly the repository's text.
    let (_, props, data) = &commands[1];
    assert_eq!(
        props[0],
        ("file".to_string(), "dé,p:l%oy/pöd.yaml".to_string())
    );
    assert!(
        data.contains("in Pod `ns\\u{7}/a,b:c%d\r\n::error file=x::pwned <&>`"),
        "{data}"
    );
    let privileged = &commands[2];
    assert!(privileged
        .2
        .starts_with("container `web\n::stop-commands::tok` runs privileged"));
    // Columns count UTF-16 units: `true` is character 46 of its line, after an emoji.
    assert!(
        privileged.1.contains(&("col".into(), "47".into())),
        "{:?}",
        privileged.1
    );
}

#[test]
fn junit_matches_the_golden_file_and_is_well_formed() {
    let dir = escaping_repo();
    let out = run(dir.path(), "junit");
    golden("escaping.junit.xml", &out);

    let doc = roxmltree::Document::parse(&out).expect("well-formed XML 1.0");
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|n| n.attribute("name").unwrap().to_string())
        .collect();
    assert_eq!(
        suites,
        [
            "broken.yaml",
            "clean.yaml",
            "dé,p:l%oy/account.yaml",
            "dé,p:l%oy/pöd.yaml"
        ]
    );
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    // A passing case per clean object (the clean Pod, the ServiceAccount), a failing case per
    // finding (the broken file's, the Pod's two), each with exactly one failure.
    assert_eq!(cases.len(), 5);
    for case in &cases {
        assert!(
            case.children()
                .filter(|c| c.has_tag_name("failure"))
                .count()
                <= 1
        );
    }
    let case = cases
        .iter()
        .filter_map(|c| c.attribute("name"))
        .find(|name| name.contains("privileged-container"))
        .unwrap();
    // Newlines survive in attributes; the BEL XML 1.0 cannot hold is shown, not dropped.
    assert!(
        case.starts_with("Pod ns\\u{7}/a,b:c%d\r\n::error file=x::pwned <&>: "),
        "{case}"
    );
}

#[test]
fn several_reports_in_one_run() {
    let dir = escaping_repo();
    // JSON on stdout, SARIF and JUnit to files.
    let args = [
        "lint",
        "--select",
        SELECT,
        "--format",
        "json",
        "--format",
        "sarif",
        "--output",
        "out/k8sec.sarif",
        "--format",
        "junit",
        "-o",
        "junit.xml",
        ".",
    ];
    let output = k8sec(dir.path(), &args);
    assert_eq!(
        output.status.code(),
        Some(2),
        "no out/ directory: {output:?}"
    );
    assert!(stderr(&output).contains("cannot write the report to out/k8sec.sarif"));

    std::fs::create_dir(dir.path().join("out")).unwrap();
    let output = k8sec(dir.path(), &args);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let json = common::json(&output);
    assert_eq!(
        json["findings"].as_array().unwrap().len(),
        3,
        "JSON on stdout"
    );
    let sarif = std::fs::read_to_string(dir.path().join("out/k8sec.sarif")).unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 3);
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert!(roxmltree::Document::parse(&junit).is_ok());

    // An --output with no --format before it, or two formats on stdout: usage errors.
    for args in [
        &["lint", "--output", "x.sarif", "--format", "sarif", "."][..],
        &["lint", "--format", "json", "--format", "sarif", "."][..],
    ] {
        let output = k8sec(dir.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains("--format"), "{}", stderr(&output));
    }
}

/// A writer that keeps only the size of the report and of its largest single write.
#[derive(Default)]
struct Writes {
    total: usize,
    largest: usize,
}

impl std::io::Write for Writes {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.total += bytes.len();
        self.largest = self.largest.max(bytes.len());
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every format reaches its writer in pieces of about one finding, never as one string of the
/// whole report: with 300 findings, no single write holds 2% of the report.
#[test]
fn every_format_is_written_finding_by_finding() {
    use ::k8sec::report::{self, paths::SrcRoot, Format, RenderOptions};
    use std::path::PathBuf;

    let pod = |i: usize| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  namespace: ns\nspec:\n  \
             containers:\n  - name: c\n    image: reg.example/app:1\n    \
             securityContext:\n      privileged: true\n---\n"
        )
    };
    let text: String = (0..100).map(pod).collect();
    let origin = ::k8sec::source::Origin::File;
    let ws = ::k8sec::load_source(PathBuf::from("pods.yaml"), text, origin);
    let config = ::k8sec::config::Config::load(None, &Default::default()).expect("the defaults");
    let result = ::k8sec::lint(&ws, &config);
    assert!(result.findings.len() >= 300, "{}", result.findings.len());
    let options = RenderOptions {
        color: true,
        rules: config.enabled.clone(),
        root: SrcRoot::new(PathBuf::from("/repo"), PathBuf::from("/repo")),
    };
    for format in [
        Format::Human,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
    ] {
        let mut out = Writes::default();
        report::write(&ws, &result, format, &options, &mut out).expect("written");
        assert!(
            out.largest * 50 < out.total,
            "{format:?}: a write of {} bytes in a report of {}",
            out.largest,
            out.total
        );
    }
}
