//! `file://` URIs to paths and back.
//!
//! Only `file` URIs name files k8sec can lint; any other scheme (an untitled buffer, a diff
//! view's `git:` document) has no path, and the server leaves such documents alone.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

/// What is escaped in a path: everything but unreserved characters, `/` and the sub-delimiters
/// editors leave as they are.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The path a `file://` URI names (a local one: no host, or `localhost`).
pub(crate) fn to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text
        .strip_prefix("file://")
        .or_else(|| text.strip_prefix("FILE://"))?;
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    Some(native(&decoded))
}

/// The `file://` URI of an absolute path.
pub(crate) fn from_path(path: &Path) -> Uri {
    let text = path.to_string_lossy().replace('\\', "/");
    let slash = if text.starts_with('/') { "" } else { "/" };
    let encoded = utf8_percent_encode(&text, PATH);
    let uri = format!("file://{slash}{encoded}");
    // Every byte outside the URI grammar is escaped above, so this parses.
    Uri::from_str(&uri).unwrap_or_else(|_| Uri::from_str("file:///").expect("a valid URI"))
}

/// `/c:/dir` is `c:/dir` on Windows; elsewhere the path is as decoded.
fn native(path: &str) -> PathBuf {
    if cfg!(windows) {
        let bytes = path.as_bytes();
        if bytes.len() >= 3 && bytes[0] == b'/' && bytes[2] == b':' {
            return PathBuf::from(&path[1..]);
        }
    }
    PathBuf::from(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_through_uris() {
        for path in [
            "/repo/apps/web.yaml",
            "/a b/ü#1%/[x].yaml",
            "/r/100% sure?.yml",
        ] {
            let uri = from_path(Path::new(path));
            assert!(uri.as_str().starts_with("file:///"), "{}", uri.as_str());
            assert_eq!(to_path(&uri).as_deref(), Some(Path::new(path)));
        }
    }

    #[test]
    fn editors_spellings_are_read() {
        let uri = Uri::from_str("file:///home/u/my%20repo/a%C3%BC.yaml").unwrap();
        assert_eq!(to_path(&uri).unwrap(), Path::new("/home/u/my repo/aü.yaml"));
        let uri = Uri::from_str("file://localhost/tmp/x.yaml").unwrap();
        assert_eq!(to_path(&uri).unwrap(), Path::new("/tmp/x.yaml"));
        assert!(to_path(&Uri::from_str("untitled:Untitled-1").unwrap()).is_none());
        assert!(to_path(&Uri::from_str("file://server/share/x.yaml").unwrap()).is_none());
    }
}
