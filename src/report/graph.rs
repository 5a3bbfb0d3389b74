//! `k8sec graph`: the graph of each unit as text, Graphviz DOT, Mermaid or JSON.
//!
//! The JSON form is a versioned contract (documented in the README, `"version": 1`): fields are
//! only ever added.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Write as _;

use serde::Serialize;

use crate::graph::{workload_pod, EdgeKind, Graph, NodeId, Origin};
use crate::source::Sources;
use crate::yaml::Span;

/// The output format of `k8sec graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Text,
    Dot,
    Mermaid,
    Json,
}

/// `--focus Kind/namespace/name` (or `Kind/name` for cluster-scoped objects): one object and
/// its neighbourhood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Focus {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl Focus {
    pub fn parse(text: &str) -> Result<Focus, String> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [kind, name] if !kind.is_empty() && !name.is_empty() => Ok(Focus {
                kind: kind.to_string(),
                namespace: None,
                name: name.to_string(),
            }),
            [kind, ns, name] if !kind.is_empty() && !ns.is_empty() && !name.is_empty() => {
                Ok(Focus {
                    kind: kind.to_string(),
                    namespace: Some(ns.to_string()),
                    name: name.to_string(),
                })
            }
            _ => Err(format!(
                "`--focus {text}`: write `Kind/namespace/name`, or `Kind/name` for a cluster-scoped object"
            )),
        }
    }
}

/// One unit to print: a label and its graph.
pub struct UnitGraph<'g, 'a> {
    /// How the unit is named in the output (`files`).
    pub label: String,
    pub graph: &'g Graph<'a>,
}

/// What is printed of one unit: the nodes and edges kept (all, or the focus' neighbourhood).
struct View<'g, 'a> {
    label: &'g str,
    graph: &'g Graph<'a>,
    nodes: Vec<NodeId>,
    edges: Vec<usize>,
    ids: HashMap<NodeId, String>,
}

/// Renders the graphs; `Err` when `focus` names no object of any unit.
pub fn render(
    units: &[UnitGraph<'_, '_>],
    sources: &Sources,
    format: GraphFormat,
    focus: Option<&Focus>,
) -> Result<String, String> {
    let mut views = Vec::new();
    for unit in units {
        let kept = match focus {
            Some(focus) => neighbourhood(unit.graph, focus),
            None => Some(everything(unit.graph)),
        };
        if let Some((nodes, edges)) = kept {
            let ids = node_ids(unit.graph, &nodes, sources);
            views.push(View {
                label: &unit.label,
                graph: unit.graph,
                nodes,
                edges,
                ids,
            });
        }
    }
    if let (Some(focus), true) = (focus, views.is_empty()) {
        let name = match &focus.namespace {
            Some(ns) => format!("{}/{ns}/{}", focus.kind, focus.name),
            None => format!("{}/{}", focus.kind, focus.name),
        };
        return Err(format!("`--focus {name}`: no such object in the inputs"));
    }
    Ok(match format {
        GraphFormat::Text => text(&views, sources),
        GraphFormat::Dot => dot(&views, sources),
        GraphFormat::Mermaid => mermaid(&views),
        GraphFormat::Json => json(&views, sources),
    })
}

/// Kinds that are part of the graph even without an edge.
const GRAPH_KINDS: &[&str] = &[
    "ClusterRole",
    "ClusterRoleBinding",
    "HorizontalPodAutoscaler",
    "Ingress",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "Role",
    "RoleBinding",
    "Service",
    "ServiceAccount",
];

/// Every node with an edge, every workload and every object of a graph kind; every edge.
fn everything(graph: &Graph<'_>) -> (Vec<NodeId>, Vec<usize>) {
    let mut keep = vec![false; graph.nodes.len()];
    for edge in &graph.edges {
        keep[edge.from] = true;
        keep[edge.to] = true;
    }
    for (id, node) in graph.nodes.iter().enumerate() {
        if let Some(resource) = node.unit_resource() {
            if workload_pod(resource).is_some() || GRAPH_KINDS.contains(&node.kind.as_ref()) {
                keep[id] = true;
            }
        }
    }
    let nodes = (0..graph.nodes.len()).filter(|&i| keep[i]).collect();
    (nodes, (0..graph.edges.len()).collect())
}

/// The focused object(s) with every edge touching them, followed along the chains that explain
/// them: ServiceAccount ← bindings → roles → aggregated roles, and Service ← Ingress.
fn neighbourhood(graph: &Graph<'_>, focus: &Focus) -> Option<(Vec<NodeId>, Vec<usize>)> {
    let starts: Vec<NodeId> = graph
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            n.kind == focus.kind.as_str()
                && n.name == focus.name.as_str()
                && n.namespace.as_deref() == focus.namespace.as_deref()
        })
        .map(|(i, _)| i)
        .collect();
    if starts.is_empty() {
        return None;
    }
    let mut nodes: BTreeSet<NodeId> = starts.iter().copied().collect();
    let mut edges: BTreeSet<usize> = BTreeSet::new();
    let mut queue: VecDeque<NodeId> = VecDeque::new();
    let mut visited: HashSet<NodeId> = HashSet::new();
    for &start in &starts {
        visited.insert(start);
        for e in graph
            .edge_ids(start, true)
            .chain(graph.edge_ids(start, false))
        {
            let edge = &graph.edges[e];
            edges.insert(e);
            let other = if edge.from == start {
                edge.to
            } else {
                edge.from
            };
            nodes.insert(other);
            if visited.insert(other) {
                queue.push_back(other);
            }
        }
    }
    while let Some(node) = queue.pop_front() {
        let follow = |e: &usize| -> Option<NodeId> {
            let edge = &graph.edges[*e];
            match edge.kind {
                EdgeKind::Binds if edge.to == node => Some(edge.from),
                EdgeKind::Grants | EdgeKind::Aggregates if edge.from == node => Some(edge.to),
                EdgeKind::RoutesTo if edge.to == node => Some(edge.from),
                _ => None,
            }
        };
        let next: Vec<(usize, NodeId)> = graph
            .edge_ids(node, true)
            .chain(graph.edge_ids(node, false))
            .filter_map(|e| follow(&e).map(|n| (e, n)))
            .collect();
        for (e, other) in next {
            edges.insert(e);
            nodes.insert(other);
            if visited.insert(other) {
                queue.push_back(other);
            }
        }
    }
    Some((nodes.into_iter().collect(), edges.into_iter().collect()))
}

/// A readable, unique id per node: `Kind/ns/name` (`Kind/name` when cluster-scoped), with
/// `@file:line` added when variants share it.
fn node_ids(graph: &Graph<'_>, nodes: &[NodeId], sources: &Sources) -> HashMap<NodeId, String> {
    let base = |id: NodeId| {
        let n = &graph.nodes[id];
        match &n.namespace {
            Some(ns) => format!("{}/{ns}/{}", n.kind, n.name),
            None => format!("{}/{}", n.kind, n.name),
        }
    };
    let mut count: HashMap<String, usize> = HashMap::new();
    for &id in nodes {
        *count.entry(base(id)).or_default() += 1;
    }
    nodes
        .iter()
        .map(|&id| {
            let mut name = base(id);
            if count.get(&name).copied().unwrap_or(0) > 1 {
                if let Some((file, line)) = location(graph, id, sources) {
                    let _ = write!(name, "@{file}:{line}");
                }
            }
            (id, name)
        })
        .collect()
}

/// `(file, line)` of a unit object.
fn location(graph: &Graph<'_>, id: NodeId, sources: &Sources) -> Option<(String, u32)> {
    let resource = graph.nodes[id].unit_resource()?;
    span_location(resource.span(), sources).map(|(f, l, _)| (f, l))
}

/// `(file, line, column)` of a span in a source file (never of the built-in roles).
fn span_location(span: Span, sources: &Sources) -> Option<(String, u32, u32)> {
    if span.file.0 as usize >= sources.len() {
        return None;
    }
    let (start, _) = super::position(sources, span);
    Some((
        sources.get(span.file).display_path().to_string(),
        start.line,
        start.column,
    ))
}

fn origin_note(origin: Origin) -> &'static str {
    match origin {
        Origin::Unit => "",
        Origin::BuiltIn => " [built-in]",
        Origin::ClusterProvided => " [cluster-provided]",
        Origin::Created => " [created]",
        Origin::External => " [external]",
        Origin::Subject => " [subject]",
        Origin::Missing => " [missing]",
    }
}

/// `Deployment shop/web`, escaped for a terminal (names come from the repository).
fn title(graph: &Graph<'_>, id: NodeId) -> String {
    let n = &graph.nodes[id];
    super::escape::escape(&format!("{} {}", n.kind, n.qualified_name())).into_owned()
}

fn text(views: &[View<'_, '_>], sources: &Sources) -> String {
    let mut out = String::new();
    for view in views {
        let graph = view.graph;
        let _ = writeln!(
            out,
            "unit `{}`: {} nodes, {} edges",
            super::escape::escape(view.label),
            view.nodes.len(),
            view.edges.len()
        );
        let kept: HashSet<usize> = view.edges.iter().copied().collect();
        for &id in &view.nodes {
            let node = &graph.nodes[id];
            let place = location(graph, id, sources).map_or_else(String::new, |(f, l)| {
                format!("  ({}:{l})", super::escape::escape(&f))
            });
            let outgoing: Vec<usize> = graph
                .edge_ids(id, true)
                .filter(|e| kept.contains(e))
                .collect();
            if node.origin != Origin::Unit && outgoing.is_empty() {
                continue; // shown as the target of its edges
            }
            let _ = writeln!(
                out,
                "\n{}{}{place}",
                title(graph, id),
                origin_note(node.origin)
            );
            for e in outgoing {
                let edge = &graph.edges[e];
                let target = &graph.nodes[edge.to];
                let optional = if edge.optional { " (optional)" } else { "" };
                // A target with variants is told apart by where it is defined.
                let variant = view
                    .ids
                    .get(&edge.to)
                    .and_then(|id| id.split_once('@'))
                    .map_or_else(String::new, |(_, at)| format!("  ({at})"));
                let _ = writeln!(
                    out,
                    "  {:<12} {}{}{optional}{variant}",
                    edge.kind.as_str(),
                    title(graph, edge.to),
                    origin_note(target.origin)
                );
            }
        }
        out.push('\n');
    }
    out
}

/// Escapes a string for a DOT double-quoted string.
fn dot_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            // Other controls, written visibly: the graph often goes to a terminal first.
            c if super::escape::is_unsafe(c) => {
                out.push_str(&format!("\\\\u{{{:x}}}", c as u32));
            }
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A node's shape: workloads are boxes, identities ellipses, RBAC objects notes, network
/// objects hexagons.
fn dot_shape(graph: &Graph<'_>, id: NodeId) -> &'static str {
    let node = &graph.nodes[id];
    if node
        .unit_resource()
        .is_some_and(|r| workload_pod(r).is_some())
    {
        return "box";
    }
    match node.kind.as_ref() {
        "ServiceAccount" | "User" | "Group" => "ellipse",
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => "note",
        "Service" | "Ingress" | "NetworkPolicy" => "hexagon",
        _ => "component",
    }
}

fn dot(views: &[View<'_, '_>], _sources: &Sources) -> String {
    let mut out = String::from(
        "digraph k8sec {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    for (u, view) in views.iter().enumerate() {
        let graph = view.graph;
        let _ = writeln!(out, "  subgraph cluster_{u} {{");
        let _ = writeln!(
            out,
            "    label={};",
            dot_string(&format!("unit: {}", view.label))
        );
        for &id in &view.nodes {
            let node = &graph.nodes[id];
            let style = match node.origin {
                Origin::Unit => "",
                Origin::Missing => ", style=dashed, color=red, fontcolor=red",
                _ => ", style=dashed, color=gray40, fontcolor=gray40",
            };
            let label = format!(
                "{}\n{}{}",
                node.kind,
                node.qualified_name(),
                origin_note(node.origin)
            );
            let _ = writeln!(
                out,
                "    u{u}n{id} [label={}, shape={}, tooltip={}{style}];",
                dot_string(&label),
                dot_shape(graph, id),
                dot_string(view.ids.get(&id).map_or("", String::as_str))
            );
        }
        for &e in &view.edges {
            let edge = &graph.edges[e];
            let _ = writeln!(
                out,
                "    u{u}n{} -> u{u}n{} [label={}];",
                edge.from,
                edge.to,
                dot_string(edge.kind.as_str())
            );
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

/// Escapes a Mermaid label (quoted) with HTML entities, which Mermaid decodes.
fn mermaid_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '#' => out.push_str("&num;"),
            c if super::escape::is_unsafe(c) => {
                out.push_str(&super::escape::escape(&c.to_string()));
            }
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn mermaid(views: &[View<'_, '_>]) -> String {
    let mut out = String::from("flowchart LR\n");
    for (u, view) in views.iter().enumerate() {
        let graph = view.graph;
        let _ = writeln!(
            out,
            "  subgraph unit{u}[{}]",
            mermaid_string(&format!("unit: {}", view.label))
        );
        for &id in &view.nodes {
            let node = &graph.nodes[id];
            let label = format!(
                "{}<br/>{}{}",
                node.kind,
                node.qualified_name(),
                origin_note(node.origin)
            );
            let _ = writeln!(
                out,
                "    u{u}n{id}[{}]",
                mermaid_string(&label).replace("&lt;br/&gt;", "<br/>")
            );
        }
        for &e in &view.edges {
            let edge = &graph.edges[e];
            let _ = writeln!(
                out,
                "    u{u}n{} -->|{}| u{u}n{}",
                edge.from,
                edge.kind.as_str(),
                edge.to
            );
        }
        out.push_str("  end\n");
        for &id in &view.nodes {
            match graph.nodes[id].origin {
                Origin::Unit => {}
                Origin::Missing => {
                    let _ = writeln!(out, "  class u{u}n{id} missing");
                }
                _ => {
                    let _ = writeln!(out, "  class u{u}n{id} outside");
                }
            }
        }
    }
    out.push_str("  classDef missing stroke:#c00,stroke-dasharray:4 2,color:#c00\n");
    out.push_str("  classDef outside stroke:#666,stroke-dasharray:4 2,color:#666\n");
    out
}

#[derive(Serialize)]
struct JsonGraph<'a> {
    version: u32,
    units: Vec<JsonUnit<'a>>,
}

#[derive(Serialize)]
struct JsonUnit<'a> {
    unit: &'a str,
    nodes: Vec<JsonNode<'a>>,
    edges: Vec<JsonEdge<'a>>,
}

#[derive(Serialize)]
struct JsonNode<'a> {
    id: &'a str,
    kind: &'a str,
    #[serde(rename = "apiVersion")]
    api_version: Option<&'a str>,
    namespace: Option<&'a str>,
    name: &'a str,
    origin: &'static str,
    file: Option<String>,
    line: Option<u32>,
}

#[derive(Serialize)]
struct JsonEdge<'a> {
    from: &'a str,
    to: &'a str,
    kind: &'static str,
    /// Where the reference is written.
    at: Option<JsonAt>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    optional: bool,
}

#[derive(Serialize)]
struct JsonAt {
    file: String,
    line: u32,
    column: u32,
}

fn json(views: &[View<'_, '_>], sources: &Sources) -> String {
    let units = views
        .iter()
        .map(|view| {
            let graph = view.graph;
            let id = |n: NodeId| view.ids.get(&n).map_or("", String::as_str);
            let nodes = view
                .nodes
                .iter()
                .map(|&n| {
                    let node = &graph.nodes[n];
                    let place = location(graph, n, sources);
                    JsonNode {
                        id: id(n),
                        kind: &node.kind,
                        api_version: node.unit_resource().map(|r| r.api_version.as_str()),
                        namespace: node.namespace.as_deref(),
                        name: &node.name,
                        origin: node.origin.as_str(),
                        line: place.as_ref().map(|(_, l)| *l),
                        file: place.map(|(f, _)| f),
                    }
                })
                .collect();
            let edges = view
                .edges
                .iter()
                .map(|&e| {
                    let edge = &graph.edges[e];
                    JsonEdge {
                        from: id(edge.from),
                        to: id(edge.to),
                        kind: edge.kind.as_str(),
                        at: edge
                            .at
                            .and_then(|at| span_location(at.span(), sources))
                            .map(|(file, line, column)| JsonAt { file, line, column }),
                        optional: edge.optional,
                    }
                })
                .collect();
            JsonUnit {
                unit: view.label,
                nodes,
                edges,
            }
        })
        .collect();
    let output = JsonGraph { version: 1, units };
    // Serializing plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&output).unwrap_or_default();
    text.push('\n');
    text
}
