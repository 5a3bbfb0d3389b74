//! The kustomization's patch fields — `patchesStrategicMerge`, `patches` and
//! `patchesJson6902` — read, parsed (from a file or inline) and applied to the resources their
//! target selects. The merge itself is in [`super::smp`] and [`super::json6902`].
//!
//! An inline patch keeps its spans: each value points at its line inside the kustomization's
//! block scalar.

use std::sync::Arc;

use super::res::Selector;
use super::{json6902, regex, smp, Acc, Builder, Fail, KRes, Kust};
use crate::build::knode::{KKind, KNode};
use crate::text::{LineIndex, TextRange};
use crate::yaml::{parse_stream, ScalarStyle, Span};

/// Takes a resource's node to be patched in place (an empty mapping is left until the patched
/// node is put back; a patch that fails fails the whole build, so it is never seen).
fn take(node: &mut KNode) -> KNode {
    let span = node.span;
    std::mem::replace(node, KNode::map(span))
}

impl Builder<'_, '_> {
    /// `patchesStrategicMerge`: each entry a path or an inline patch, naming its target by its
    /// own kind and name.
    pub(super) fn patches_strategic_merge(
        &mut self,
        kust: &Kust,
        acc: &mut Acc,
    ) -> Result<(), Fail> {
        for entry in kust.list("patchesStrategicMerge") {
            let inline = entry
                .as_str()
                .is_some_and(|s| s.contains('\n') || s.trim_start().starts_with(['{', '[']));
            for patch in self.patch_docs(kust, &entry, inline)? {
                self.smp_by_id(kust, &entry, acc, &patch)?;
            }
        }
        Ok(())
    }

    /// `patches`: strategic merge or JSON 6902 (a patch that is a list), applied to what
    /// `target` selects, or for a strategic merge patch without one, to the object it names.
    pub(super) fn patches(&mut self, kust: &Kust, acc: &mut Acc) -> Result<(), Fail> {
        for entry in kust.list("patches") {
            self.patch(kust, &entry, acc)?;
        }
        Ok(())
    }

    /// One `patches` entry (or a PatchTransformer's configuration): its `path` or `patch`,
    /// applied to what its `target` selects.
    pub(super) fn patch(&mut self, kust: &Kust, entry: &KNode, acc: &mut Acc) -> Result<(), Fail> {
        let source = self.patch_source(kust, entry, "a patch")?;
        let docs = self.patch_docs(kust, &source.node, source.inline)?;
        let target = match entry.get("target").filter(|t| t.is_map()) {
            Some(t) => Some(self.selector(kust, t)?),
            None => None,
        };
        if docs.len() == 1 && docs[0].is_seq() {
            let Some(target) = target else {
                return Err(self.fail(kust, entry.span, "a JSON patch needs a `target`"));
            };
            self.json6902(kust, &source.node, acc, &docs[0], &target)?;
            return Ok(());
        }
        for patch in docs {
            match &target {
                None => self.smp_by_id(kust, entry, acc, &patch)?,
                Some(target) => self.smp_by_target(kust, &source.node, acc, &patch, target)?,
            }
        }
        Ok(())
    }

    /// `patchesJson6902`: JSON patches, each with a `target` that must select something.
    pub(super) fn patches_json6902(&mut self, kust: &Kust, acc: &mut Acc) -> Result<(), Fail> {
        for entry in kust.list("patchesJson6902") {
            let source = self.patch_source(kust, &entry, "a JSON patch")?;
            let Some(target) = entry.get("target") else {
                return Err(self.fail(
                    kust,
                    entry.span,
                    "`patchesJson6902` entries need a `target`",
                ));
            };
            let selector = self.selector(kust, target)?;
            let docs = self.patch_docs(kust, &source.node, source.inline)?;
            let Some(doc) = docs.first() else { continue };
            if !self.json6902(kust, &source.node, acc, doc, &selector)? {
                return Err(self.fail(kust, target.span, "no resource matches this `target`"));
            }
        }
        Ok(())
    }

    /// Where a patch entry's text is: its `path`, or its inline `patch` (exactly one of them).
    /// `what` names the entry in the message ("a patch", "a JSON patch").
    fn patch_source(&self, kust: &Kust, entry: &KNode, what: &str) -> Result<PatchSource, Fail> {
        match (entry.get("path"), entry.get("patch")) {
            (Some(p), None) => Ok(PatchSource {
                node: p.clone(),
                inline: false,
            }),
            (None, Some(p)) => Ok(PatchSource {
                node: p.clone(),
                inline: true,
            }),
            _ => Err(self.fail(
                kust,
                entry.span,
                format!("{what} needs exactly one of `path` and `patch`"),
            )),
        }
    }

    /// Applies JSON patch `doc` to every resource `target` selects; whether it selected any.
    pub(super) fn json6902(
        &self,
        kust: &Kust,
        source: &KNode,
        acc: &mut Acc,
        doc: &KNode,
        target: &Selector,
    ) -> Result<bool, Fail> {
        let ops = json6902::ops(doc).map_err(|e| self.fail(kust, source.span, e))?;
        let mut matched = false;
        for res in acc.res.iter_mut().filter(|r| target.selects(r)) {
            matched = true;
            res.node = json6902::apply(take(&mut res.node), &ops)
                .map_err(|e| self.fail(kust, source.span, e))?;
        }
        Ok(matched)
    }

    /// A strategic merge patch that names its target by its own kind and name.
    pub(super) fn smp_by_id(
        &mut self,
        kust: &Kust,
        entry: &KNode,
        acc: &mut Acc,
        patch: &KNode,
    ) -> Result<(), Fail> {
        let id = KRes::id_of(patch);
        let index = match acc.matching(&id).as_slice() {
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
        let node = take(&mut acc.res[index].node);
        match smp::apply(node, patch).map_err(|e| self.fail(kust, entry.span, e))? {
            Some(node) => acc.res[index].node = node,
            None => {
                acc.res.remove(index);
            }
        }
        Ok(())
    }

    /// A strategic merge patch applied to every resource `target` selects (a `$patch: delete`
    /// removes them).
    fn smp_by_target(
        &self,
        kust: &Kust,
        source: &KNode,
        acc: &mut Acc,
        patch: &KNode,
        target: &Selector,
    ) -> Result<(), Fail> {
        let mut i = 0;
        while i < acc.res.len() {
            if !target.selects(&acc.res[i]) {
                i += 1;
                continue;
            }
            match smp::apply(take(&mut acc.res[i].node), patch)
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
        Ok(())
    }

    /// Parses a patch given inline (`patch: |`) or by path, keeping spans.
    pub(super) fn patch_docs(
        &mut self,
        kust: &Kust,
        node: &KNode,
        inline: bool,
    ) -> Result<Vec<KNode>, Fail> {
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
            .enumerate()
            .map(|(i, t)| {
                let copy = self.store.knode(id, i, t);
                copy.map_err(|e| self.fail(kust, node.span, e))
            })
            .filter(|r| r.as_ref().map_or(true, |n| !n.is_null()))
            .collect()
    }

    /// Parses YAML text held by the scalar `node` (of the kustomization, or of a built-in
    /// plugin's configuration file); spans are mapped back into the file's block scalar (or to
    /// the scalar as a whole).
    pub(super) fn inline_docs(
        &mut self,
        kust: &Kust,
        node: &KNode,
        text: &str,
    ) -> Result<Vec<KNode>, Fail> {
        let index = LineIndex::new(text);
        let stream = parse_stream(text, node.span.file, &index);
        if let Some(error) = &stream.error {
            return Err(self.fail(
                kust,
                node.span,
                format!("inline patch is not valid YAML: {}", error.message),
            ));
        }
        let file = self.store.sources.get(node.span.file);
        let mapper = BlockMap::new(&file.text, node);
        let mut out = Vec::new();
        for doc in stream.documents {
            let mut k =
                KNode::from_tree(&Arc::new(doc.tree)).map_err(|e| self.fail(kust, node.span, e))?;
            k.map_spans(&|s| mapper.map(s));
            if !k.is_null() {
                out.push(k);
            }
        }
        Ok(out)
    }

    /// A patch's `target:` as a selector (its regexps compiled).
    pub(super) fn selector(&self, kust: &Kust, target: &KNode) -> Result<Selector, Fail> {
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
}

/// The node holding a patch entry's text: a path, or the patch itself when `inline`.
struct PatchSource {
    node: KNode,
    inline: bool,
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
