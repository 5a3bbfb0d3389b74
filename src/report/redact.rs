//! Secret text never reaches an output: findings mark the bytes of the secrets they find
//! (`Finding::redact`), and whatever prints source text masks them. Masking keeps byte lengths
//! and line breaks, so positions and line numbers stay right.

use std::collections::HashMap;

use crate::workspace::{LintResult, Workspace};
use crate::yaml::FileId;

/// `text` with every character but line breaks replaced by `*`, repeated to its byte length.
fn stars(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' => c.to_string(),
            c => "*".repeat(c.len_utf8()),
        })
        .collect()
}

/// The texts of the files that hold secret text a finding marks, with that text masked.
pub(crate) fn masked_sources(ws: &Workspace, result: &LintResult) -> HashMap<FileId, String> {
    let mut masked: HashMap<FileId, String> = HashMap::new();
    for span in result.findings.iter().flat_map(|f| &f.redact) {
        if span.file.0 as usize >= ws.sources.len() {
            continue;
        }
        let text = masked
            .entry(span.file)
            .or_insert_with(|| ws.sources.get(span.file).text.clone());
        let range = span.range.start as usize..span.range.end as usize;
        if let Some(secret) = text.get(range.clone()) {
            let masked_secret = stars(secret);
            text.replace_range(range, &masked_secret);
        }
    }
    masked
}

/// The secret texts the findings mark (each line of a multi-line one on its own), for masking
/// a text whose offsets differ from the sources' (a fixed file in a diff).
pub fn secrets(ws: &Workspace, result: &LintResult) -> Vec<String> {
    let mut out: Vec<String> = result
        .findings
        .iter()
        .flat_map(|f| &f.redact)
        .filter(|span| (span.file.0 as usize) < ws.sources.len())
        .filter_map(|span| {
            ws.sources
                .get(span.file)
                .text
                .get(span.range.start as usize..span.range.end as usize)
        })
        .flat_map(str::lines)
        .map(str::trim)
        .filter(|line| line.len() >= 4)
        .map(str::to_string)
        .collect();
    // Longest first, so a secret that contains another is masked whole.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// `text` with every occurrence of `secrets` masked.
pub fn mask(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), &stars(secret));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_lengths_and_lines() {
        assert_eq!(stars("ab\nçd"), "**\n***");
        let secrets = vec!["s3cr3t-pw".to_string(), "s3cr3t".to_string()];
        assert_eq!(
            mask("a: s3cr3t-pw\nb: s3cr3t\n", &secrets),
            "a: *********\nb: ******\n"
        );
    }
}
