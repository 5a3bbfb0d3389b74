//! What cross-resource findings share: naming objects and namespaces, and the related
//! locations that prove a finding or hint at its cause (a namesake in another namespace).

use crate::diagnostic::Finding;
use crate::graph::Graph;
use crate::model::rbac::is_builtin_span;
use crate::model::Resource;
use crate::yaml::Span;

/// At most this many hints (namesakes in other namespaces, policies that select other pods)
/// are added to a finding.
pub(super) const MAX_HINTS: usize = 3;

/// Adds a related location unless it is not in a source file or already there.
pub(super) fn relate(finding: &mut Finding, span: Span, message: impl Into<String>) {
    let message = message.into();
    if is_builtin_span(span)
        || finding
            .related
            .iter()
            .any(|r| r.span == span && r.message == message)
    {
        return;
    }
    finding.related(span, message);
}

/// "namespace `x`", or "namespace `default` (the manifest sets none)".
pub(super) fn namespace_phrase(resource: &Resource) -> String {
    match (resource.declared_namespace(), resource.namespace.as_deref()) {
        (Some(ns), _) => format!("namespace `{ns}`"),
        (None, Some(ns)) => format!("namespace `{ns}` (the manifest sets none)"),
        (None, None) => "the cluster".to_string(),
    }
}

/// "Deployment `web`".
pub(super) fn describe(resource: &Resource) -> String {
    format!("{} `{}`", resource.kind, resource.name)
}

/// Hints for a missing object: unit objects of the same kind and name in other namespaces.
pub(super) fn add_namesakes(
    graph: &Graph<'_>,
    finding: &mut Finding,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) {
    for id in graph
        .namesakes(kind, namespace, name)
        .into_iter()
        .take(MAX_HINTS)
    {
        if let Some(resource) = graph.nodes[id].unit_resource() {
            let place = resource
                .namespace
                .as_deref()
                .map_or_else(String::new, |ns| format!(" in namespace `{ns}`"));
            relate(
                finding,
                resource.name_span(),
                format!("a {kind} `{name}` is defined{place}"),
            );
        }
    }
}
