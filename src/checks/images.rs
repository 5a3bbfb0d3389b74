//! Container image references: floating tags and missing digests.
//!
//! References are parsed with the grammar of the distribution reference library that
//! container runtimes use (`[domain[:port]/]path[:tag][@digest]`). A value that is not a valid
//! reference (a template placeholder such as `{{ .Values.image }}` or `<image>`, an uppercase
//! repository, an empty string) is not judged: the runtime cannot pull it as written, so which
//! tag it would pull is not a question that has an answer.

use super::{Applicability, Ctx, Sink};
use crate::model::{Container, PodSpec, Resource};
use crate::yaml::{NodeRef, ScalarStyle};

/// The placeholder of the tag `latest-image-tag` suggests pinning.
const TAG_PLACEHOLDER: &str = "<tag>";

/// `latest-image-tag`: an image with the `latest` tag or no tag at all, and no digest.
pub(super) fn latest_image_tag(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    _pod: PodSpec<'_>,
    container: Container<'_>,
    sink: &mut Sink<'_>,
) {
    let Some((node, image, reference)) = image(container) else {
        return;
    };
    if reference.digest.is_some() {
        return;
    }
    let message = match reference.tag {
        None => format!(
            "{} uses image `{image}` without a tag, which pulls `latest`",
            container.describe()
        ),
        Some("latest") => format!(
            "{} uses image `{image}` with the mutable `latest` tag",
            container.describe()
        ),
        Some(_) => return,
    };
    // Display-only: which version to pin is the user's choice, so the suggestion carries a
    // placeholder tag (`nginx` → `nginx:<tag>`, `nginx:latest` → `nginx:<tag>`).
    let pinned = format!("{}:{TAG_PLACEHOLDER}", reference.name);
    let fix = sink.edit().replace(node, pinned.as_str());
    sink.report(resource, node, message)
        .in_container(container.name)
        .with_fix(
            Applicability::DisplayOnly,
            format!("pin a version: `{pinned}`"),
            fix,
        );
}

/// `image-not-pinned-by-digest`: an image without an `@<algorithm>:<hex>` digest.
pub(super) fn image_not_pinned_by_digest(
    _ctx: &Ctx<'_>,
    resource: &Resource,
    _pod: PodSpec<'_>,
    container: Container<'_>,
    sink: &mut Sink<'_>,
) {
    let Some((node, image, reference)) = image(container) else {
        return;
    };
    if reference.digest.is_none() {
        sink.report(
            resource,
            node,
            format!(
                "{} uses image `{image}`, which is not pinned by digest",
                container.describe()
            ),
        )
        .in_container(container.name);
    }
}

/// The container's image when it is a valid reference: the `image` value node, its text and
/// the parsed reference.
fn image(container: Container<'_>) -> Option<(NodeRef<'_>, &str, ImageRef<'_>)> {
    let node = container.node.get("image")?;
    let image = image_string(node)?;
    let reference = parse_reference(image)?;
    Some((node, image, reference))
}

/// The image as Kubernetes decodes it: a string. A plain scalar that YAML resolves to a
/// number or a boolean is not a string, and the API server rejects it.
fn image_string(node: NodeRef<'_>) -> Option<&str> {
    let text = node.as_str()?;
    let non_string = node.resolve().tag().is_none()
        && matches!(node.as_scalar(), Some((_, ScalarStyle::Plain)))
        && (node.as_bool().is_some() || node.as_i64().is_some() || is_float(text));
    (!non_string).then_some(text)
}

/// A YAML float as written in a plain scalar (`1.5`, `-2e3`); not `nan` or `inf`, which YAML
/// spells `.nan` and `.inf` and which are not valid references anyway.
fn is_float(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && text.parse::<f64>().is_ok()
}

/// The parts of an image reference that decide what is pulled.
#[derive(Debug, PartialEq, Eq)]
struct ImageRef<'a> {
    /// The repository, with its registry when one is written (`registry:5000/team/app`).
    name: &'a str,
    tag: Option<&'a str>,
    /// `sha256:…`
    digest: Option<&'a str>,
}

/// Longest name the reference grammar accepts.
const NAME_TOTAL_LENGTH_MAX: usize = 255;

/// Parses `[domain[:port]/]path[:tag][@digest]` as the distribution reference grammar does
/// (`github.com/distribution/reference`), or `None` when `text` is not a valid reference.
fn parse_reference(text: &str) -> Option<ImageRef<'_>> {
    let (remainder, digest) = match text.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (text, None),
    };
    if let Some(digest) = digest {
        if !is_digest(digest) {
            return None;
        }
    }
    // A `:` after the last `/` starts the tag; one before it is a registry port.
    let last_slash = remainder.rfind('/');
    let (name, tag) = match remainder.rfind(':') {
        Some(colon) if last_slash.map_or(true, |slash| colon > slash) => {
            (&remainder[..colon], Some(&remainder[colon + 1..]))
        }
        _ => (remainder, None),
    };
    if let Some(tag) = tag {
        if !is_tag(tag) {
            return None;
        }
    }
    if name.is_empty() || name.len() > NAME_TOTAL_LENGTH_MAX {
        return None;
    }
    let path = match name.split_once('/') {
        // As container runtimes normalize: the first component is a registry when it has a
        // `.` or a `:`, is `localhost`, or has an uppercase letter (repositories cannot).
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            if !is_domain(first) {
                return None;
            }
            rest
        }
        _ => name,
    };
    if !path.split('/').all(is_path_component) {
        return None;
    }
    Some(ImageRef { name, tag, digest })
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !alnum(first) || !alnum(last) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        // A separator run, always followed by an alphanumeric (the last byte is one).
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &component[start..i];
        let valid = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !valid {
            return false;
        }
    }
    true
}

/// `host[:port]`: DNS labels separated by dots, an IPv4 address, or `[IPv6]`.
fn is_domain(domain: &str) -> bool {
    let (host, port) = if let Some(rest) = domain.strip_prefix('[') {
        let Some((ipv6, after)) = rest.split_once(']') else {
            return false;
        };
        if ipv6.is_empty() || !ipv6.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return false;
        }
        match after {
            "" => return true,
            _ => match after.strip_prefix(':') {
                Some(port) => ("", Some(port)),
                None => return false,
            },
        }
    } else {
        match domain.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (domain, None),
        }
    };
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    if domain.starts_with('[') {
        return true;
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            let bytes = label.as_bytes();
            match (bytes.first(), bytes.last()) {
                (Some(first), Some(last)) => {
                    first.is_ascii_alphanumeric()
                        && last.is_ascii_alphanumeric()
                        && bytes
                            .iter()
                            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                }
                _ => false,
            }
        })
}

/// `[\w][\w.-]{0,127}`
fn is_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = tag.as_bytes();
    match bytes.first() {
        Some(&first) if word(first) && bytes.len() <= 128 => {
            bytes.iter().all(|&b| word(b) || b == b'.' || b == b'-')
        }
        _ => false,
    }
}

/// `algorithm:encoded`, where the algorithm is `[A-Za-z][A-Za-z0-9]*` components joined by
/// `+`, `.`, `_` or `-`, and the encoded part is at least 32 hex digits.
fn is_digest(digest: &str) -> bool {
    let Some((algorithm, encoded)) = digest.split_once(':') else {
        return false;
    };
    let algorithm_ok = algorithm.split(['+', '.', '_', '-']).all(|component| {
        let mut chars = component.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric())
    });
    algorithm_ok && encoded.len() >= 32 && encoded.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
        parse_reference(text).map(|r| (r.name, r.tag, r.digest))
    }

    const DIGEST: &str = "sha256:01038e7de14b78d702d2849c3aad72fd25903c4765af63cf16aa3398f5d5f2dd";

    #[test]
    fn tags_and_registry_ports() {
        assert_eq!(parts("nginx"), Some(("nginx", None, None)));
        assert_eq!(parts("nginx:1.27"), Some(("nginx", Some("1.27"), None)));
        assert_eq!(
            parts("registry:5000/app"),
            Some(("registry:5000/app", None, None))
        );
        assert_eq!(
            parts("registry:5000/team/app:v2"),
            Some(("registry:5000/team/app", Some("v2"), None))
        );
        // Without a slash, `registry:5000` is the image `registry` with the tag `5000`.
        assert_eq!(
            parts("registry:5000"),
            Some(("registry", Some("5000"), None))
        );
        assert_eq!(parts("localhost/app"), Some(("localhost/app", None, None)));
        assert_eq!(
            parts("[::1]:5000/app:1"),
            Some(("[::1]:5000/app", Some("1"), None))
        );
        assert_eq!(
            parts("Registry.Example.COM/app:LATEST"),
            Some(("Registry.Example.COM/app", Some("LATEST"), None))
        );
    }

    #[test]
    fn digests() {
        let pinned = format!("app@{DIGEST}");
        assert_eq!(parts(&pinned), Some(("app", None, Some(DIGEST))));
        let both = format!("quay.io/app:latest@{DIGEST}");
        assert_eq!(
            parts(&both),
            Some(("quay.io/app", Some("latest"), Some(DIGEST)))
        );
        assert_eq!(parts("app@sha256:abc"), None, "too short");
        assert_eq!(parts("app@sha256"), None);
        assert_eq!(parts("app@"), None);
        assert_eq!(parts(&format!("app@{DIGEST}@{DIGEST}")), None);
    }

    #[test]
    fn invalid_references_are_not_judged() {
        for text in [
            "",
            "NGINX",
            "nginx:",
            ":latest",
            "{{ .Values.image }}",
            "{{ .Values.image.repository }}:{{ .Values.image.tag }}",
            "<YOUR-CONTAINER>",
            "<image_url>",
            "${IMAGE}",
            "$(IMAGE)",
            "REPLACE_ME",
            " nginx",
            "nginx ",
            "app/",
            "/app",
            "a//b",
            "app:-tag",
            "app:tag with space",
            "app-",
            "a..b",
            "a___b",
            "bad_domain.com/app",
            "host:port/app",
            "[::1/app",
            "é",
            "nginx:1.27é",
            "ü/x",
        ] {
            assert_eq!(parse_reference(text), None, "{text:?}");
        }
    }

    #[test]
    fn separators_in_paths() {
        for text in ["a_b", "a__b", "a.b", "a-b", "a---b", "team/sub/app", "0/1"] {
            assert!(parse_reference(text).is_some(), "{text:?}");
        }
    }

    #[test]
    fn long_tags_and_names() {
        let tag = "t".repeat(128);
        assert!(parse_reference(&format!("app:{tag}")).is_some());
        assert!(parse_reference(&format!("app:{tag}t")).is_none());
        assert!(parse_reference(&"a".repeat(255)).is_some());
        assert!(parse_reference(&"a".repeat(256)).is_none());
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "@",
            ":",
            "/",
            "[",
            "]",
            "[]",
            "[]:",
            "a@b:c",
            "é@sha256:x",
            ":@",
            "::::",
            "/:/:",
            "a:b:c",
            "ä:ö/ü@ß",
            "\u{0}",
            "\u{feff}nginx",
        ] {
            let _ = parse_reference(text);
        }
    }
}
