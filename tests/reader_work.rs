//! The reader does linear work on the inputs that once cost it quadratic time: a file that is
//! one long line (minified JSON, `kubectl get -o json` squeezed) and a `kind: List` of
//! thousands of Pods (a `kubectl get -o yaml` dump). Each case is read at two sizes and the
//! work counted inside k8sec (characters walked to place yaml-rust2's positions, or bytes the
//! fast reader looked at: `ParsedStream::work`) compared, not the time taken (timing is the
//! benchmarks' job).

use k8sec::text::LineIndex;
use k8sec::yaml::{parse_stream, FileId};

/// Pods with a non-ASCII name (an ASCII text needs no walking at all: columns are bytes).
fn pods_json(n: usize) -> String {
    let pods: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p{i}","annotations":{{"note":"café"}}}},"spec":{{"containers":[{{"name":"c","image":"nginx:1.{i}","args":["--a","--n={i}"],"securityContext":{{"privileged":true}}}}]}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{}]}}"#,
        pods.join(",")
    )
}

fn pods_list_yaml(n: usize) -> String {
    let mut text = String::from("apiVersion: v1\nitems:\n");
    for i in 0..n {
        text.push_str(&format!(
            "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p{i}\n    annotations: {{note: café}}\n  spec:\n    containers:\n    - name: c\n      image: nginx:1.{i}\n      args: [--a, \"--n={i}\"]\n      securityContext:\n        privileged: true\n"
        ));
    }
    text.push_str("kind: List\nmetadata:\n  resourceVersion: \"\"\n");
    text
}

/// The List again, on one line in YAML's flow style: what the fast reader reads in one pass
/// over the line (looking for each quoted scalar's line end once per scalar would be
/// quadratic).
fn pods_flow_yaml(n: usize) -> String {
    let pods: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "{{apiVersion: v1, kind: Pod, metadata: {{name: \"p{i}\", annotations: {{note: café}}}}, spec: {{containers: [{{name: c, image: 'nginx:1.{i}', args: [--a, \"--n={i}\"], securityContext: {{privileged: true}}}}]}}}}"
            )
        })
        .collect();
    format!("apiVersion: v1\nkind: List\nitems: [{}]\n", pods.join(", "))
}

/// The work of reading `text`, after checking it reads as `n` Pods in one List.
fn work(text: &str, n: usize) -> u64 {
    let stream = parse_stream(text, FileId(0), &LineIndex::new(text));
    assert!(stream.error.is_none(), "{:?}", stream.error);
    assert_eq!(stream.documents.len(), 1);
    let json = k8sec::yaml::to_json(stream.documents[0].tree.root()).unwrap();
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), n);
    assert_eq!(items[n - 1]["metadata"]["name"], format!("p{}", n - 1));
    assert_eq!(items[0]["metadata"]["annotations"]["note"], "café");
    stream.work
}

fn assert_linear(case: &str, make: fn(usize) -> String) {
    let (small, large) = (1_000, 4_000);
    let (small_text, large_text) = (make(small), make(large));
    let (small_work, large_work) = (work(&small_text, small), work(&large_text, large));
    let scale = large_text.len() as f64 / small_text.len() as f64;
    let grew = large_work as f64 / small_work as f64;
    eprintln!(
        "{case}: {} -> {} bytes ({scale:.2}x): work {small_work} -> {large_work} ({grew:.2}x)",
        small_text.len(),
        large_text.len()
    );
    // Quadratic work would grow 16x here (once: every position counted from its line start).
    assert!(grew < scale * 1.1, "{case}: the work grew {grew:.2}x");
    // yaml-rust2's positions are placed walking each character at most once; the fast reader
    // looks at the bytes of a key's line twice (for the `:`, then for the value's end).
    assert!(
        large_work <= 2 * large_text.len() as u64,
        "{case}: {large_work} bytes looked at for {} bytes",
        large_text.len()
    );
    assert!(small_work > 0, "{case}: nothing counted");
}

#[test]
fn one_long_line_of_json_is_read_in_linear_work() {
    let text = pods_json(2);
    assert_eq!(text.lines().count(), 1);
    assert_linear("long line", pods_json);
}

#[test]
fn a_list_of_thousands_of_pods_is_read_in_linear_work() {
    assert_linear("List", pods_list_yaml);
}

#[test]
fn a_list_on_one_line_in_flow_style_is_read_in_linear_work() {
    assert_eq!(pods_flow_yaml(2).lines().count(), 3);
    assert_linear("flow line", pods_flow_yaml);
}
