//! A native Kustomize builder that keeps every value's origin.
//!
//! It builds what real repositories use — `resources` (files, nested bases), `components`,
//! `namespace`, `namePrefix`/`nameSuffix` with references to renamed objects repaired,
//! `labels`/`commonLabels` (selectors included where Kustomize changes them),
//! `commonAnnotations`, `images`, `replicas`, strategic merge and JSON 6902 patches with
//! `target` selectors, ConfigMap and Secret generators with their hash suffix, and `vars` —
//! in Kustomize's order, with its semantics (checked against `kubectl kustomize` over the
//! corpus). Each value of the output keeps the span of the base file, patch or kustomization
//! line it came from.
//!
//! Nothing is fetched and nothing runs: remote bases, exec and KRM function plugins and
//! `helmCharts` are refused with a message, and so are paths that leave the repository
//! (lexically with `../`, or through a symlink). Fields it does not support are named in a
//! warning.

mod generate;
mod hash;
mod json6902;
mod nameref;
mod regex;
mod res;
mod smp;
mod transform;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::build::knode::{KKind, KNode, MAX_NODES};
use crate::build::store::FileStore;
use crate::source::normalize;
use crate::text::{LineIndex, TextRange};
use crate::yaml::{parse_stream, FileId, ScalarStyle, Span, Tree};

pub use res::{KRes, ResId};

use nameref::Var;
use res::{Behavior, Gvk, Selector};

/// The file names a kustomization may have, in Kustomize's order of preference.
pub const KUSTOMIZATION_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A message about a build that is not a finding: a refusal, an unsupported field, a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildNote {
    pub path: PathBuf,
    pub message: String,
}

/// The output of one build root.
#[derive(Debug)]
pub struct Built {
    /// The root's directory, as discovered.
    pub dir: PathBuf,
    pub kustomization: FileId,
    pub resources: Vec<KRes>,
    /// Every file the build read (kustomizations, resources, patches, generator inputs).
    pub files: BTreeSet<FileId>,
}

#[derive(Default)]
struct Acc {
    res: Vec<KRes>,
    vars: Vec<Var>,
}

/// Builds one root. Warnings (refusals, unsupported fields) go to `notes`; a failure is an
/// `Err` naming the file.
pub fn build(
    store: &mut FileStore<'_>,
    dir: &Path,
    boundary: &Path,
    notes: &mut Vec<BuildNote>,
) -> Result<Built, BuildNote> {
    let mut builder = Builder {
        store,
        boundary: boundary.to_path_buf(),
        notes,
        files: BTreeSet::new(),
        stack: Vec::new(),
    };
    let mut acc = Acc::default();
    let kustomization = builder
        .accumulate(dir, &mut acc, false)
        .map_err(|(path, message)| BuildNote { path, message })?;
    let top = |message: String| BuildNote {
        path: builder_path(dir),
        message,
    };
    add_hashes(&mut acc.res);
    nameref::fix_references(&mut acc.res).map_err(top)?;
    nameref::resolve_vars(&mut acc.res, &acc.vars).map_err(top)?;
    for r in &mut acc.res {
        // Kustomize drops an `annotations` map left empty (it rewrites annotations while
        // tracking resources).
        if let Some(meta) = r.node.get_mut("metadata") {
            if meta
                .get("annotations")
                .is_some_and(|a| a.is_null() || (a.is_map() && a.entries().is_empty()))
            {
                meta.remove("annotations");
            }
        }
    }
    acc.res.retain(|r| {
        r.annotations()
            .get("config.kubernetes.io/local-config")
            .map_or(true, |v| v != "true")
    });
    Ok(Built {
        dir: dir.to_path_buf(),
        kustomization,
        resources: acc.res,
        files: builder.files,
    })
}

fn builder_path(dir: &Path) -> PathBuf {
    dir.to_path_buf()
}

/// The kustomization file in `dir`, if any (on disk or among loaded files).
pub fn kustomization_in(store: &FileStore<'_>, dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| store.lookup(p).is_some() || p.is_file())
}

/// Whether a `resources` entry names something remote (a URL or a Git reference).
pub fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("git::")
        || entry.contains("?ref=")
        || entry.contains("?version=")
        || entry.contains(".git//")
        || [
            "github.com/",
            "gitlab.com/",
            "bitbucket.org/",
            "ssh.dev.azure.com/",
        ]
        .iter()
        .any(|host| entry.starts_with(host))
}

type Fail = (PathBuf, String);

struct Builder<'s, 'a> {
    store: &'s mut FileStore<'a>,
    boundary: PathBuf,
    notes: &'s mut Vec<BuildNote>,
    files: BTreeSet<FileId>,
    /// Kustomization directories being built, to refuse cycles.
    stack: Vec<PathBuf>,
}

/// A kustomization being read: its file, path and root node.
struct Kust {
    path: PathBuf,
    dir: PathBuf,
    id: FileId,
    root: KNode,
}

impl Kust {
    fn span(&self) -> Span {
        self.root.span
    }

    fn field(&self, key: &str) -> Option<&KNode> {
        self.root.get(key).filter(|v| !v.is_null())
    }

    fn line(&self, store: &FileStore<'_>, span: Span) -> String {
        let file = store.sources.get(span.file);
        let lc = file.line_index.line_col(&file.text, span.range.start);
        format!("line {}", lc.line)
    }
}

const SUPPORTED: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "images",
    "replicas",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "vars",
];

/// The keys each list field's entries may have.
const ENTRY_KEYS: &[(&str, &[&str])] = &[
    ("patches", &["path", "patch", "target"]),
    ("patchesJson6902", &["path", "patch", "target"]),
    (
        "images",
        &["name", "newName", "newTag", "digest", "tagSuffix"],
    ),
    ("replicas", &["name", "count"]),
    (
        "labels",
        &["pairs", "includeSelectors", "includeTemplates", "fields"],
    ),
    (
        "configMapGenerator",
        &[
            "name",
            "namespace",
            "behavior",
            "files",
            "literals",
            "envs",
            "env",
            "options",
        ],
    ),
    (
        "secretGenerator",
        &[
            "name",
            "namespace",
            "behavior",
            "files",
            "literals",
            "envs",
            "env",
            "options",
            "type",
        ],
    ),
    ("vars", &["name", "objref", "fieldref"]),
];

const UNSUPPORTED: &[&str] = &[
    "replacements",
    "crds",
    "configurations",
    "openapi",
    "sortOptions",
    "buildMetadata",
];

impl Builder<'_, '_> {
    fn fail(&self, kust: &Kust, span: Span, message: impl Into<String>) -> Fail {
        (
            kust.path.clone(),
            format!("{}: {}", kust.line(self.store, span), message.into()),
        )
    }

    fn warn(&mut self, kust: &Kust, span: Span, message: impl Into<String>) {
        let message = format!("{}: {}", kust.line(self.store, span), message.into());
        let note = BuildNote {
            path: kust.path.clone(),
            message,
        };
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// Resolves a path named in a kustomization, refusing ones that leave the repository.
    ///
    /// The repository boundary is a real (canonical) path, so what is compared with it must be
    /// too: the target itself when it exists (which also catches symlinks pointing out), else
    /// the kustomization's real directory joined with the entry. Comparing lexical paths
    /// refused every base of a repository reached through a symlinked path.
    fn resolve(&self, kust: &Kust, span: Span, entry: &str) -> Result<PathBuf, Fail> {
        let path = normalize(&kust.dir.join(entry));
        let cwd = std::env::current_dir().unwrap_or_default();
        let boundary_real = self
            .boundary
            .canonicalize()
            .unwrap_or_else(|_| normalize(&cwd.join(&self.boundary)));
        let dir_real = kust
            .dir
            .canonicalize()
            .unwrap_or_else(|_| normalize(&cwd.join(&kust.dir)));
        let lexical = normalize(&dir_real.join(entry));
        let outside = |what: String| -> Fail { self.fail(kust, span, what) };
        if !lexical.starts_with(&boundary_real) {
            return Err(outside(format!(
                "`{entry}` is outside the scanned repository `{}`: refused, k8sec never reads files out of the repository",
                self.boundary.display()
            )));
        }
        if let Ok(real) = path.canonicalize() {
            if !real.starts_with(&boundary_real) {
                return Err(outside(format!(
                    "`{entry}` is a symlink to `{}`, outside the scanned repository: refused",
                    real.display()
                )));
            }
        }
        Ok(path)
    }

    fn load_kustomization(&mut self, dir: &Path) -> Result<Kust, Fail> {
        let present: Vec<PathBuf> = KUSTOMIZATION_NAMES
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| self.store.lookup(p).is_some() || p.is_file())
            .collect();
        let path =
            match present.as_slice() {
                [] => return Err((
                    dir.to_path_buf(),
                    "no kustomization.yaml, kustomization.yml or Kustomization in this directory"
                        .to_string(),
                )),
                [one] => one.clone(),
                _ => {
                    return Err((
                        dir.to_path_buf(),
                        "several kustomization files in one directory; keep one".to_string(),
                    ))
                }
            };
        let (id, docs) = self.store.yaml(&path).map_err(|e| (path.clone(), e))?;
        self.files.insert(id);
        let root = match docs.first() {
            Some(tree) => to_knode(tree).map_err(|e| (path.clone(), e))?,
            None => KNode::map(Span::new(id, TextRange::empty(0))),
        };
        if !root.is_map() {
            return Err((path, "a kustomization must be a mapping".to_string()));
        }
        Ok(Kust {
            path,
            dir: dir.to_path_buf(),
            id,
            root,
        })
    }

    /// Reads the kustomization in `dir` into `acc`: its resources, generators and components,
    /// then its transformers over everything accumulated so far.
    fn accumulate(&mut self, dir: &Path, acc: &mut Acc, component: bool) -> Result<FileId, Fail> {
        // Canonical, so a symlink back to an ancestor is a cycle too.
        let key = dir.canonicalize().unwrap_or_else(|_| normalize(dir));
        if self.stack.contains(&key) {
            return Err((
                dir.to_path_buf(),
                "kustomization cycle: this directory includes itself".to_string(),
            ));
        }
        self.stack.push(key);
        let result = self.accumulate_inner(dir, acc, component);
        self.stack.pop();
        result
    }

    fn accumulate_inner(
        &mut self,
        dir: &Path,
        acc: &mut Acc,
        component: bool,
    ) -> Result<FileId, Fail> {
        let kust = self.load_kustomization(dir)?;
        let kind = kust
            .root
            .str_at("kind")
            .unwrap_or("Kustomization")
            .to_string();
        match (component, kind.as_str()) {
            (true, "Component") | (false, "Kustomization") => {}
            (true, _) => {
                return Err(self.fail(&kust, kust.span(), "listed under `components` but is not a `kind: Component`"))
            }
            (false, "Component") => {
                return Err(self.fail(&kust, kust.span(), "a `kind: Component` must be listed under `components`, not built or listed as a resource"))
            }
            (false, other) => return Err(self.fail(&kust, kust.span(), format!("unknown kustomization kind `{other}`"))),
        }
        self.check_fields(&kust);
        for (field, known) in ENTRY_KEYS {
            let entries: Vec<KNode> = kust
                .field(field)
                .map(|n| n.items().to_vec())
                .unwrap_or_default();
            for entry in entries.iter().filter(|e| e.is_map()) {
                self.check_entry(&kust, field, entry, known);
            }
        }

        for key in ["resources", "bases"] {
            let entries: Vec<KNode> = kust
                .field(key)
                .map(|n| n.items().to_vec())
                .unwrap_or_default();
            for entry in entries {
                self.resource(&kust, &entry, acc)?;
            }
        }
        generate::generators(self, &kust, acc)?;
        let components: Vec<KNode> = kust
            .field("components")
            .map(|n| n.items().to_vec())
            .unwrap_or_default();
        for entry in components {
            let Some(text) = entry.as_str() else { continue };
            if is_remote(text) && !kust.dir.join(text).exists() {
                self.warn(&kust, entry.span, format!("remote component `{text}` refused: k8sec never fetches remote bases; the build goes on without it"));
                continue;
            }
            let path = self.resolve(&kust, entry.span, text)?;
            if !path.is_dir() {
                return Err(self.fail(
                    &kust,
                    entry.span,
                    format!("component `{text}` is not a directory"),
                ));
            }
            self.accumulate(&path, acc, true)?;
        }
        self.transform(&kust, acc)?;
        if let Some(vars) = kust.field("vars") {
            for v in vars.items() {
                let name = v.str_at("name").unwrap_or_default().to_string();
                let objref = v.get("objref");
                let api_version = objref.and_then(|o| o.str_at("apiVersion")).unwrap_or("");
                let kind = objref.and_then(|o| o.str_at("kind")).unwrap_or("");
                let mut target = Gvk::from_api_version(api_version, kind);
                if let Some(g) = objref.and_then(|o| o.str_at("group")) {
                    target.group = g.to_string();
                }
                if let Some(ver) = objref.and_then(|o| o.str_at("version")) {
                    target.version = ver.to_string();
                }
                acc.vars.push(Var {
                    name,
                    target,
                    target_name: objref
                        .and_then(|o| o.str_at("name"))
                        .unwrap_or("")
                        .to_string(),
                    target_namespace: objref
                        .and_then(|o| o.str_at("namespace"))
                        .map(str::to_string),
                    field_path: v
                        .path(&["fieldref", "fieldpath"])
                        .or_else(|| v.path(&["fieldref", "fieldPath"]))
                        .and_then(KNode::as_str)
                        .unwrap_or("metadata.name")
                        .to_string(),
                });
            }
        }
        Ok(kust.id)
    }

    /// Names the keys of a list entry (a patch, a generator…) that the builder ignores.
    fn check_entry(&mut self, kust: &Kust, field: &str, entry: &KNode, known: &[&str]) {
        let unknown: Vec<(String, Span)> = entry
            .entries()
            .iter()
            .filter_map(|(k, _)| Some((k.as_str()?.to_string(), k.span)))
            .filter(|(k, _)| !known.contains(&k.as_str()))
            .collect();
        for (key, span) in unknown {
            self.warn(
                kust,
                span,
                format!("`{field}[].{key}` is not supported by k8sec's Kustomize builder and is ignored"),
            );
        }
    }

    fn check_fields(&mut self, kust: &Kust) {
        let entries: Vec<(String, Span)> = kust
            .root
            .entries()
            .iter()
            .filter_map(|(k, _)| Some((k.as_str()?.to_string(), k.span)))
            .collect();
        for (key, span) in entries {
            if SUPPORTED.contains(&key.as_str()) {
                continue;
            }
            let message = match key.as_str() {
                "helmCharts" | "helmChartInflationGenerator" | "helmGlobals" => format!(
                    "`{key}` refused: k8sec never runs Helm from a kustomization; render the chart and lint the output, or lint the chart directory"
                ),
                "generators" | "transformers" | "validators" => format!(
                    "`{key}` refused: k8sec never runs generator or transformer plugins (exec or KRM functions) from a scanned repository; the build goes on without them"
                ),
                k if UNSUPPORTED.contains(&k) => {
                    format!("`{key}` is not supported by k8sec's Kustomize builder and is ignored: findings may differ from the real build")
                }
                _ => format!("unknown kustomization field `{key}` is ignored"),
            };
            self.warn(kust, span, message);
        }
    }

    fn resource(&mut self, kust: &Kust, entry: &KNode, acc: &mut Acc) -> Result<(), Fail> {
        let Some(text) = entry.as_str() else {
            return Err(self.fail(kust, entry.span, "a `resources` entry must be a path"));
        };
        let local = kust.dir.join(text);
        let exists = self.store.lookup(&local).is_some() || local.exists();
        if !exists {
            if is_remote(text) {
                self.warn(
                    kust,
                    entry.span,
                    format!("remote resource `{text}` refused: k8sec never fetches remote bases; the build goes on without it"),
                );
                return Ok(());
            }
            return Err(self.fail(kust, entry.span, format!("`{text}` not found")));
        }
        let path = self.resolve(kust, entry.span, text)?;
        if path.is_dir() && self.store.lookup(&path).is_none() {
            let mut sub = Acc::default();
            self.accumulate(&path, &mut sub, false)?;
            for r in sub.res {
                self.append(kust, entry.span, acc, r)?;
            }
            acc.vars.extend(sub.vars);
            return Ok(());
        }
        let (id, docs) = self
            .store
            .yaml(&path)
            .map_err(|e| self.fail(kust, entry.span, e))?;
        self.files.insert(id);
        for tree in docs {
            let node = to_knode(&tree).map_err(|e| self.fail(kust, entry.span, e))?;
            for object in objects(node) {
                if object.str_at("kind").is_none() {
                    return Err(self.fail(
                        kust,
                        entry.span,
                        format!("`{text}` holds a document without `kind`"),
                    ));
                }
                self.append(kust, entry.span, acc, KRes::new(object))?;
            }
        }
        Ok(())
    }

    fn append(&self, kust: &Kust, span: Span, acc: &mut Acc, res: KRes) -> Result<(), Fail> {
        let id = res.cur_id();
        if acc.res.iter().any(|r| r.cur_id().equals(&id)) {
            return Err(self.fail(kust, span, format!("{} is defined twice", id.describe())));
        }
        acc.res.push(res);
        Ok(())
    }

    /// Parses a patch given inline (`patch: |`) or by path, keeping spans.
    fn patch_docs(&mut self, kust: &Kust, node: &KNode, inline: bool) -> Result<Vec<KNode>, Fail> {
        if inline {
            let text = match &node.kind {
                KKind::Scalar(s, _) => s.clone(),
                _ => return Err(self.fail(kust, node.span, "an inline patch must be a string")),
            };
            return self.inline_docs(kust, node, &text);
        }
        let Some(rel) = node.as_str() else {
            return Err(self.fail(kust, node.span, "a patch `path` must be a string"));
        };
        let path = self.resolve(kust, node.span, rel)?;
        let (id, docs) = self
            .store
            .yaml(&path)
            .map_err(|e| self.fail(kust, node.span, e))?;
        self.files.insert(id);
        docs.iter()
            .map(|t| to_knode(t).map_err(|e| self.fail(kust, node.span, e)))
            .filter(|r| r.as_ref().map_or(true, |n| !n.is_null()))
            .collect()
    }

    /// Parses YAML text held by the scalar `node` of the kustomization; spans are mapped back
    /// into the kustomization's block scalar (or to the scalar as a whole).
    fn inline_docs(&mut self, kust: &Kust, node: &KNode, text: &str) -> Result<Vec<KNode>, Fail> {
        let index = LineIndex::new(text);
        let stream = parse_stream(text, kust.id, &index);
        if let Some(error) = &stream.error {
            return Err(self.fail(
                kust,
                node.span,
                format!("inline patch is not valid YAML: {}", error.message),
            ));
        }
        let file = self.store.sources.get(kust.id);
        let mapper = BlockMap::new(&file.text, node);
        let mut out = Vec::new();
        for doc in stream.documents {
            let mut k = to_knode(&Arc::new(doc.tree)).map_err(|e| self.fail(kust, node.span, e))?;
            k.map_spans(&|s| mapper.map(s));
            if !k.is_null() {
                out.push(k);
            }
        }
        Ok(out)
    }

    fn selector(&self, kust: &Kust, target: &KNode) -> Result<Selector, Fail> {
        let re = |key: &str| -> Result<Option<regex::Regex>, Fail> {
            match target.get(key).and_then(|v| match &v.kind {
                KKind::Scalar(s, _) => Some(s.clone()),
                _ => None,
            }) {
                Some(p) if !p.is_empty() => regex::Regex::new(&p)
                    .map(Some)
                    .map_err(|e| self.fail(kust, target.span, format!("bad `target.{key}`: {e}"))),
                _ => Ok(None),
            }
        };
        let labels = |key: &str| -> Result<Option<regex::LabelSelector>, Fail> {
            match target.str_at(key) {
                Some(s) => regex::LabelSelector::parse(s)
                    .map(Some)
                    .map_err(|e| self.fail(kust, target.span, e)),
                None => Ok(None),
            }
        };
        Ok(Selector {
            group: re("group")?,
            version: re("version")?,
            kind: re("kind")?,
            name: re("name")?,
            namespace: re("namespace")?,
            label_selector: labels("labelSelector")?,
            annotation_selector: labels("annotationSelector")?,
        })
    }

    fn transform(&mut self, kust: &Kust, acc: &mut Acc) -> Result<(), Fail> {
        // patchesStrategicMerge
        if let Some(list) = kust.field("patchesStrategicMerge") {
            for entry in list.items().to_vec() {
                let inline = entry
                    .as_str()
                    .is_some_and(|s| s.contains('\n') || s.trim_start().starts_with(['{', '[']));
                let docs = self.patch_docs(kust, &entry, inline)?;
                for patch in docs {
                    self.smp_by_id(kust, &entry, acc, &patch)?;
                }
            }
        }
        // patches
        if let Some(list) = kust.field("patches") {
            for entry in list.items().to_vec() {
                let (source, inline) = match (entry.get("path"), entry.get("patch")) {
                    (Some(p), None) => (p.clone(), false),
                    (None, Some(p)) => (p.clone(), true),
                    _ => {
                        return Err(self.fail(
                            kust,
                            entry.span,
                            "a patch needs exactly one of `path` and `patch`",
                        ))
                    }
                };
                let docs = self.patch_docs(kust, &source, inline)?;
                let target = match entry.get("target").filter(|t| t.is_map()) {
                    Some(t) => Some(self.selector(kust, t)?),
                    None => None,
                };
                if docs.len() == 1 && docs[0].is_seq() {
                    let Some(target) = target else {
                        return Err(self.fail(kust, entry.span, "a JSON patch needs a `target`"));
                    };
                    let ops =
                        json6902::ops(&docs[0]).map_err(|e| self.fail(kust, source.span, e))?;
                    for res in acc.res.iter_mut().filter(|r| target.selects(r)) {
                        res.node = json6902::apply(&res.node, &ops)
                            .map_err(|e| self.fail(kust, source.span, e))?;
                    }
                    continue;
                }
                for patch in docs {
                    match &target {
                        None => self.smp_by_id(kust, &entry, acc, &patch)?,
                        Some(target) => {
                            let mut i = 0;
                            while i < acc.res.len() {
                                if !target.selects(&acc.res[i]) {
                                    i += 1;
                                    continue;
                                }
                                match smp::apply(&acc.res[i].node, &patch)
                                    .map_err(|e| self.fail(kust, source.span, e))?
                                {
                                    Some(node) => {
                                        acc.res[i].node = node;
                                        i += 1;
                                    }
                                    None => {
                                        acc.res.remove(i);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // namespace
        if let Some(ns) = kust.field("namespace") {
            if let Some(text) = ns.as_str() {
                transform::namespace(&mut acc.res, text, ns.span)
                    .map_err(|e| self.fail(kust, ns.span, e))?;
            }
        }
        // namePrefix, nameSuffix
        for (key, is_prefix) in [("namePrefix", true), ("nameSuffix", false)] {
            if let Some(affix) = kust.field(key).and_then(|n| match &n.kind {
                KKind::Scalar(s, _) => Some(s.clone()),
                _ => None,
            }) {
                if is_prefix {
                    transform::prefix_suffix(&mut acc.res, &affix, "");
                } else {
                    transform::prefix_suffix(&mut acc.res, "", &affix);
                }
            }
        }
        // labels, then commonLabels
        if let Some(labels) = kust.field("labels") {
            for entry in labels.items() {
                let Some(pairs) = entry.get("pairs") else {
                    continue;
                };
                let include_selectors = entry
                    .get("includeSelectors")
                    .and_then(bool_of)
                    .unwrap_or(false);
                let include_templates = entry
                    .get("includeTemplates")
                    .and_then(bool_of)
                    .unwrap_or(false);
                let specs = if include_selectors {
                    transform::common_label_specs()
                } else if include_templates {
                    let mut s = transform::metadata_label_specs();
                    s.extend(transform::template_label_specs());
                    s
                } else {
                    transform::metadata_label_specs()
                };
                if entry.get("fields").is_some() {
                    self.warn(kust, entry.span, "`labels[].fields` is not supported; labels are applied to the default fields only");
                }
                apply_pairs(&mut acc.res, pairs, &specs);
            }
        }
        if let Some(pairs) = kust.field("commonLabels") {
            apply_pairs(&mut acc.res, pairs, &transform::common_label_specs());
        }
        if let Some(pairs) = kust.field("commonAnnotations") {
            apply_pairs(&mut acc.res, pairs, &transform::annotation_specs());
        }
        // patchesJson6902
        if let Some(list) = kust.field("patchesJson6902") {
            for entry in list.items().to_vec() {
                let (source, inline) = match (entry.get("path"), entry.get("patch")) {
                    (Some(p), None) => (p.clone(), false),
                    (None, Some(p)) => (p.clone(), true),
                    _ => {
                        return Err(self.fail(
                            kust,
                            entry.span,
                            "a JSON patch needs exactly one of `path` and `patch`",
                        ))
                    }
                };
                let Some(target) = entry.get("target") else {
                    return Err(self.fail(
                        kust,
                        entry.span,
                        "`patchesJson6902` entries need a `target`",
                    ));
                };
                let selector = self.selector(kust, target)?;
                let docs = self.patch_docs(kust, &source, inline)?;
                let Some(doc) = docs.first() else { continue };
                let ops = json6902::ops(doc).map_err(|e| self.fail(kust, source.span, e))?;
                let mut matched = false;
                for res in acc.res.iter_mut().filter(|r| selector.selects(r)) {
                    matched = true;
                    res.node = json6902::apply(&res.node, &ops)
                        .map_err(|e| self.fail(kust, source.span, e))?;
                }
                if !matched {
                    return Err(self.fail(kust, target.span, "no resource matches this `target`"));
                }
            }
        }
        // replicas
        if let Some(list) = kust.field("replicas") {
            for entry in list.items() {
                let (Some(name), Some(count)) = (entry.str_at("name"), entry.get("count")) else {
                    return Err(self.fail(
                        kust,
                        entry.span,
                        "a `replicas` entry needs `name` and `count`",
                    ));
                };
                transform::replicas(&mut acc.res, name, count)
                    .map_err(|e| self.fail(kust, entry.span, e))?;
            }
        }
        // images
        if let Some(list) = kust.field("images") {
            for entry in list.items() {
                let Some(name) = entry.str_at("name") else {
                    continue;
                };
                let get = |k: &str| {
                    entry.get(k).and_then(|v| match &v.kind {
                        KKind::Scalar(s, _) if !v.is_null() => Some(s.clone()),
                        _ => None,
                    })
                };
                let span = ["newTag", "digest", "tagSuffix", "newName"]
                    .iter()
                    .find_map(|k| entry.get(k).map(|v| v.span))
                    .unwrap_or(entry.span);
                let rule = transform::ImageRule {
                    name: name.to_string(),
                    new_name: get("newName"),
                    new_tag: get("newTag"),
                    digest: get("digest"),
                    tag_suffix: get("tagSuffix"),
                    span,
                };
                transform::images(&mut acc.res, &rule);
            }
        }
        Ok(())
    }

    /// A strategic merge patch that names its target by its own kind and name.
    fn smp_by_id(
        &mut self,
        kust: &Kust,
        entry: &KNode,
        acc: &mut Acc,
        patch: &KNode,
    ) -> Result<(), Fail> {
        let probe = KRes::new(patch.clone());
        let id = probe.cur_id();
        let matches: Vec<usize> = acc
            .res
            .iter()
            .enumerate()
            .filter(|(_, r)| r.any_ids().any(|rid| rid.equals(&id)))
            .map(|(i, _)| i)
            .collect();
        let index = match matches.as_slice() {
            [one] => *one,
            [] => {
                return Err(self.fail(
                    kust,
                    entry.span,
                    format!("no resource matches the patch for {}", id.describe()),
                ))
            }
            _ => {
                return Err(self.fail(
                    kust,
                    entry.span,
                    format!("several resources match the patch for {}", id.describe()),
                ))
            }
        };
        match smp::apply(&acc.res[index].node, patch).map_err(|e| self.fail(kust, entry.span, e))? {
            Some(node) => acc.res[index].node = node,
            None => {
                acc.res.remove(index);
            }
        }
        Ok(())
    }
}

fn bool_of(node: &KNode) -> Option<bool> {
    match node.as_str()? {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Sets each `key: value` of `pairs` at `specs` of every resource.
fn apply_pairs(resources: &mut [KRes], pairs: &KNode, specs: &[transform::FieldSpec]) {
    let pairs: Vec<(KNode, KNode)> = pairs
        .entries()
        .iter()
        .map(|(k, v)| {
            let value = match &v.kind {
                KKind::Scalar(s, _) if !v.is_null() => KNode::string(s, v.span),
                _ => KNode::string("", v.span),
            };
            (k.clone(), value)
        })
        .collect();
    if pairs.is_empty() {
        return;
    }
    let span = pairs[0].0.span;
    for res in resources.iter_mut() {
        transform::apply_specs(res, specs, span, &mut |map| {
            for (k, v) in &pairs {
                transform::set_entry(map, k, v);
            }
        });
    }
}

/// Appends the content hash to generated objects' names (Kustomize's last step).
fn add_hashes(resources: &mut [KRes]) {
    for res in resources.iter_mut().filter(|r| r.needs_hash) {
        let encoded = generate::hash_input(res);
        let suffix = hash::suffix(&encoded);
        res.store_previous_id();
        let name = format!("{}-{}", res.name(), suffix);
        res.set_name(&name);
    }
}

/// The objects of one parsed document: itself, or the items of a `kind: List`.
fn objects(node: KNode) -> Vec<KNode> {
    if node.is_null() || (node.is_map() && node.entries().is_empty()) {
        return Vec::new();
    }
    let is_list = node
        .str_at("kind")
        .is_some_and(|k| k == "List" || k.ends_with("List"))
        && node.get("items").is_some_and(KNode::is_seq);
    if is_list {
        return node
            .get("items")
            .map(|i| i.items().to_vec())
            .unwrap_or_default();
    }
    vec![node]
}

fn to_knode(tree: &Arc<Tree>) -> Result<KNode, String> {
    let mut budget = MAX_NODES;
    KNode::from_ref(tree.root(), &mut budget)
}

/// Maps offsets in a block scalar's value back to the file holding it.
struct BlockMap {
    span: Span,
    /// (offset in the value, offset in the file) of each content line's start.
    lines: Vec<(u32, u32)>,
}

impl BlockMap {
    fn new(file_text: &str, node: &KNode) -> BlockMap {
        let span = node.span;
        let mut lines = Vec::new();
        if let KKind::Scalar(_, ScalarStyle::Literal) = node.kind {
            let start = span.range.start as usize;
            let end = (span.range.end as usize).min(file_text.len());
            if let Some(nl) = file_text.get(start..end).and_then(|t| t.find('\n')) {
                let body = start + nl + 1;
                let indent = file_text[body..end]
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
                let mut value_offset = 0u32;
                let mut pos = body;
                while pos < end {
                    let line_end = file_text[pos..]
                        .find('\n')
                        .map_or(file_text.len(), |i| pos + i);
                    let line = file_text[pos..line_end].trim_end_matches('\r');
                    let skip = indent.min(line.len());
                    lines.push((value_offset, (pos + skip) as u32));
                    value_offset += (line.len() - skip) as u32 + 1;
                    pos = line_end + 1;
                }
            }
        }
        BlockMap { span, lines }
    }

    fn map(&self, s: Span) -> Span {
        if self.lines.is_empty() {
            return self.span;
        }
        let one = |offset: u32| -> u32 {
            let i = match self.lines.binary_search_by(|(v, _)| v.cmp(&offset)) {
                Ok(i) => i,
                Err(i) => i.saturating_sub(1),
            };
            let (v, f) = self.lines[i];
            (f + (offset - v)).min(self.span.range.end)
        };
        let start = one(s.range.start);
        let end = one(s.range.end).max(start);
        Span::new(self.span.file, TextRange::new(start, end))
    }
}

/// `behavior` of a generator.
fn behavior_of(text: Option<&str>) -> Result<Behavior, String> {
    match text.unwrap_or("create") {
        "create" | "" => Ok(Behavior::Create),
        "replace" => Ok(Behavior::Replace),
        "merge" => Ok(Behavior::Merge),
        other => Err(format!("unknown generator behavior `{other}`")),
    }
}
