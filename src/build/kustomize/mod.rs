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
//! The built-in transformers and generators a kustomization configures as plugins
//! (`transformers:`/`generators:` entries with `apiVersion: builtin`) are applied too
//! ([`builtins`]).
//!
//! Nothing is fetched and nothing runs: remote bases, exec and KRM function plugins and
//! `helmCharts` are refused with a message, and so are paths that leave the repository
//! (lexically with `../`, or through a symlink). Fields it does not support are named in a
//! warning.
//!
//! The build of one root, in Kustomize's order:
//! - [`accumulate`]: read the kustomization (checking its fields, [`fields`]), then its
//!   resources and bases (recursively), its generators ([`generate`]) and its components;
//! - [`transformers`]: run its transformers over all of that — patches ([`patches`]: strategic
//!   merge [`smp`], JSON 6902 [`json6902`]), then the built-in ones ([`transform`]);
//! - finally, here: generated names get their content hash ([`hash`]), references to renamed
//!   objects are repaired ([`nameref`]) and `vars` resolved ([`vars`]).

mod accumulate;
mod builtins;
mod fields;
mod generate;
mod hash;
mod json6902;
mod nameref;
mod patches;
mod regex;
mod res;
mod smp;
mod transform;
mod transformers;
mod vars;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::build::knode::KNode;
use crate::build::store::FileStore;
use crate::source::normalize;
use crate::yaml::{FileId, Span};

pub(crate) use res::KRes;

use res::ResId;
use vars::Var;

/// The file names a kustomization may have, in Kustomize's order of preference.
const KUSTOMIZATION_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A message about a build that is not a finding: a refusal, an unsupported field, a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BuildNote {
    pub(crate) path: PathBuf,
    pub(crate) message: String,
}

/// The output of one build root.
#[derive(Debug)]
pub(crate) struct Built {
    /// The root's directory, as discovered.
    pub(crate) dir: PathBuf,
    pub(crate) kustomization: FileId,
    pub(crate) resources: Vec<KRes>,
    /// Every file the build read (kustomizations, resources, patches, generator inputs).
    pub(crate) files: BTreeSet<FileId>,
    /// The candidates the name-reference pass looked at (counted for the linearity test).
    pub(crate) work: usize,
}

/// What a kustomization (with its bases and components) has produced so far.
#[derive(Default)]
struct Acc {
    res: Vec<KRes>,
    vars: Vec<Var>,
    /// The keys ([`ResId::key`]) of `res`, while resources are only appended to it (a
    /// kustomization's `resources` loop), so that refusing a duplicate is not a scan of every
    /// resource so far; `None` whenever anything else may have changed `res`.
    ids: Option<std::collections::HashSet<(res::Gvk, String, String)>>,
}

impl Acc {
    /// The indexes of the resources that have (or had, before a rename) the identity `id`.
    fn matching(&self, id: &ResId) -> Vec<usize> {
        self.res
            .iter()
            .enumerate()
            .filter(|(_, r)| r.has_id(id))
            .map(|(i, _)| i)
            .collect()
    }
}

/// Builds one root. Warnings (refusals, unsupported fields) go to `notes`; a failure is an
/// `Err` naming the file.
pub(crate) fn build(
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
        builds: 0,
    };
    let mut acc = Acc::default();
    let kustomization = builder
        .accumulate(dir, &mut acc, false)
        .map_err(|(path, message)| BuildNote { path, message })?;
    let top = |message: String| BuildNote {
        path: dir.to_path_buf(),
        message,
    };
    add_hashes(&mut acc.res);
    let work = nameref::fix_references(&mut acc.res).map_err(top)?;
    vars::resolve_vars(&mut acc.res, &acc.vars).map_err(top)?;
    drop_empty_annotations(&mut acc.res);
    acc.res.retain(|r| !is_local_config(r));
    Ok(Built {
        dir: dir.to_path_buf(),
        kustomization,
        resources: acc.res,
        files: builder.files,
        work,
    })
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

/// Kustomize drops an `annotations` map left empty (it rewrites annotations while tracking
/// resources).
fn drop_empty_annotations(resources: &mut [KRes]) {
    for r in resources {
        if let Some(meta) = r.node.get_mut("metadata") {
            if meta
                .get("annotations")
                .is_some_and(|a| a.is_null() || (a.is_map() && a.entries().is_empty()))
            {
                meta.remove("annotations");
            }
        }
    }
}

/// Whether a resource is annotated `config.kubernetes.io/local-config: "true"`: an input of
/// the build, left out of its output.
fn is_local_config(res: &KRes) -> bool {
    res.annotations()
        .get("config.kubernetes.io/local-config")
        .is_some_and(|v| v == "true")
}

/// Whether a `resources` entry names something remote (a URL or a Git reference).
fn is_remote(entry: &str) -> bool {
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

/// A failed build: the file to blame and the message.
type Fail = (PathBuf, String);

/// The state of one root's build, shared by the kustomizations it includes.
struct Builder<'s, 'a> {
    store: &'s mut FileStore<'a>,
    boundary: PathBuf,
    notes: &'s mut Vec<BuildNote>,
    files: BTreeSet<FileId>,
    /// Kustomization directories being built, to refuse cycles.
    stack: Vec<PathBuf>,
    /// Kustomizations built so far for this root (one reached by two paths counts twice).
    builds: usize,
}

/// Most kustomizations one root may build, counting each time one is reached: a diamond of
/// bases (each level including the next one twice) reaches the bottom 2^depth times.
const MAX_BUILDS: usize = 2_000;

/// Most objects one kustomization's output may hold.
const MAX_RESOURCES: usize = 10_000;

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

    /// The value of a top-level field, unless absent or null.
    fn field(&self, key: &str) -> Option<&KNode> {
        self.root.get(key).filter(|v| !v.is_null())
    }

    /// The items of a top-level list field (none when it is absent).
    fn list(&self, key: &str) -> Vec<KNode> {
        self.field(key)
            .map(|n| n.items().to_vec())
            .unwrap_or_default()
    }

    fn line(&self, store: &FileStore<'_>, span: Span) -> String {
        let file = store.sources.get(span.file);
        let lc = file.line_index.line_col(&file.text, span.range.start);
        format!("line {}", lc.line)
    }
}

impl Builder<'_, '_> {
    /// A failure of the build, blamed on `span` of the kustomization.
    fn fail(&self, kust: &Kust, span: Span, message: impl Into<String>) -> Fail {
        (
            kust.path.clone(),
            format!("{}: {}", kust.line(self.store, span), message.into()),
        )
    }

    /// A warning about `span` of the kustomization (each said once).
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
}

/// A kustomization boolean (`includeSelectors: true`, `disableNameSuffixHash: false`).
fn bool_of(node: &KNode) -> Option<bool> {
    match node.as_str()? {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}
