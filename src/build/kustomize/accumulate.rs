//! Reading one kustomization and what it includes: its resources and bases (built
//! recursively), its generators and components, then its transformers over all of them, and
//! its `vars`.

use std::path::{Path, PathBuf};

use super::res::{Gvk, KRes};
use super::vars::Var;
use super::{
    generate, is_remote, Acc, Builder, Fail, Kust, KUSTOMIZATION_NAMES, MAX_BUILDS, MAX_RESOURCES,
};
use crate::build::knode::KNode;
use crate::source::normalize;
use crate::text::TextRange;
use crate::yaml::{FileId, Span};

impl Builder<'_, '_> {
    /// Reads the kustomization in `dir` into `acc`: its resources, generators and components,
    /// then its transformers over everything accumulated so far.
    pub(super) fn accumulate(
        &mut self,
        dir: &Path,
        acc: &mut Acc,
        component: bool,
    ) -> Result<FileId, Fail> {
        // Canonical, so a symlink back to an ancestor is a cycle too.
        let key = dir.canonicalize().unwrap_or_else(|_| normalize(dir));
        if self.stack.contains(&key) {
            return Err((
                dir.to_path_buf(),
                "kustomization cycle: this directory includes itself".to_string(),
            ));
        }
        self.builds += 1;
        if self.builds > MAX_BUILDS {
            return Err((
                dir.to_path_buf(),
                format!(
                    "the build reaches kustomizations more than {MAX_BUILDS} times (bases that \
                     include the same bases over and over?): stopped"
                ),
            ));
        }
        self.stack.push(key);
        let result = self.accumulate_kustomization(dir, acc, component);
        self.stack.pop();
        result
    }

    fn accumulate_kustomization(
        &mut self,
        dir: &Path,
        acc: &mut Acc,
        component: bool,
    ) -> Result<FileId, Fail> {
        let kust = self.load_kustomization(dir)?;
        self.check_kind(&kust, component)?;
        self.check_fields(&kust);
        // Only appends change `acc.res` in this loop: the index of its ids stays valid.
        acc.ids = None;
        for key in ["resources", "bases"] {
            for entry in kust.list(key) {
                self.resource(&kust, &entry, acc)?;
            }
        }
        acc.ids = None;
        generate::generators(self, &kust, acc)?;
        self.plugin_generators(&kust, acc)?;
        self.components(&kust, acc)?;
        self.transform(&kust, acc)?;
        acc.vars.extend(kust.list("vars").iter().map(var_of));
        Ok(kust.id)
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
            Some(tree) => self
                .store
                .knode(id, 0, tree)
                .map_err(|e| (path.clone(), e))?,
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

    /// A `kind: Component` is built only from `components`, and only it is.
    fn check_kind(&self, kust: &Kust, component: bool) -> Result<(), Fail> {
        let kind = kust.root.str_at("kind").unwrap_or("Kustomization");
        match (component, kind) {
            (true, "Component") | (false, "Kustomization") => Ok(()),
            (true, _) => Err(self.fail(kust, kust.span(), "listed under `components` but is not a `kind: Component`")),
            (false, "Component") => Err(self.fail(kust, kust.span(), "a `kind: Component` must be listed under `components`, not built or listed as a resource")),
            (false, other) => Err(self.fail(kust, kust.span(), format!("unknown kustomization kind `{other}`"))),
        }
    }

    /// One `resources` (or `bases`) entry: a directory is built as a kustomization, a file's
    /// objects are added as they are.
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
        for (index, tree) in docs.iter().enumerate() {
            let node = self
                .store
                .knode(id, index, tree)
                .map_err(|e| self.fail(kust, entry.span, e))?;
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

    /// Adds a resource, refusing a second one with the same identity.
    fn append(&self, kust: &Kust, span: Span, acc: &mut Acc, res: KRes) -> Result<(), Fail> {
        if acc.res.len() >= MAX_RESOURCES {
            return Err(self.fail(
                kust,
                span,
                format!("the build makes more than {MAX_RESOURCES} objects: stopped"),
            ));
        }
        let id = res.cur_id();
        let res_list = &acc.res;
        let ids = acc
            .ids
            .get_or_insert_with(|| res_list.iter().map(|r| r.cur_id().key()).collect());
        if !ids.insert(id.key()) {
            return Err(self.fail(kust, span, format!("{} is defined twice", id.describe())));
        }
        acc.res.push(res);
        Ok(())
    }

    /// Builds each `components` entry into `acc` (remote ones are refused with a warning).
    fn components(&mut self, kust: &Kust, acc: &mut Acc) -> Result<(), Fail> {
        for entry in kust.list("components") {
            let Some(text) = entry.as_str() else { continue };
            if is_remote(text) && !kust.dir.join(text).exists() {
                self.warn(kust, entry.span, format!("remote component `{text}` refused: k8sec never fetches remote bases; the build goes on without it"));
                continue;
            }
            let path = self.resolve(kust, entry.span, text)?;
            if !path.is_dir() {
                return Err(self.fail(
                    kust,
                    entry.span,
                    format!("component `{text}` is not a directory"),
                ));
            }
            self.accumulate(&path, acc, true)?;
        }
        Ok(())
    }
}

/// One `vars` entry: the variable's name, the object it reads and the field.
fn var_of(entry: &KNode) -> Var {
    let name = entry.str_at("name").unwrap_or_default().to_string();
    let objref = entry.get("objref");
    let objref_str = |key: &str| objref.and_then(|o| o.str_at(key));
    let mut target = Gvk::from_api_version(
        objref_str("apiVersion").unwrap_or(""),
        objref_str("kind").unwrap_or(""),
    );
    if let Some(g) = objref_str("group") {
        target.group = g.to_string();
    }
    if let Some(ver) = objref_str("version") {
        target.version = ver.to_string();
    }
    Var {
        name,
        target,
        target_name: objref_str("name").unwrap_or("").to_string(),
        target_namespace: objref_str("namespace").map(str::to_string),
        field_path: entry
            .path(&["fieldref", "fieldpath"])
            .or_else(|| entry.path(&["fieldref", "fieldPath"]))
            .and_then(KNode::as_str)
            .unwrap_or("metadata.name")
            .to_string(),
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
        // The items are moved out of the list, not copied.
        let mut node = node;
        return node
            .remove("items")
            .and_then(|mut items| items.items_mut().map(std::mem::take))
            .unwrap_or_default();
    }
    vec![node]
}
