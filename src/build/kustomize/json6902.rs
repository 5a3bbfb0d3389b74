//! JSON patches (RFC 6902): `add`, `remove`, `replace`, `move`, `copy`, `test`.
//!
//! Applied to the spanned node rather than to JSON, so values a patch adds point at the patch
//! and everything else keeps pointing at the base.

use crate::build::knode::{KKind, KNode, MAX_NODES};

/// One operation of a patch.
#[derive(Clone, Debug)]
pub(crate) struct Op {
    pub(crate) op: String,
    pub(crate) path: String,
    pub(crate) from: Option<String>,
    pub(crate) value: Option<KNode>,
}

/// Reads the operations of a patch document (a list of maps).
pub(crate) fn ops(doc: &KNode) -> Result<Vec<Op>, String> {
    if !doc.is_seq() {
        return Err("a JSON patch must be a list of operations".to_string());
    }
    doc.items()
        .iter()
        .map(|item| {
            let op = item
                .str_at("op")
                .ok_or("a JSON patch operation has no `op`")?
                .to_string();
            let path = item
                .str_at("path")
                .ok_or_else(|| format!("JSON patch `{op}` has no `path`"))?
                .to_string();
            Ok(Op {
                op,
                path,
                from: item.str_at("from").map(str::to_string),
                value: item.get("value").cloned(),
            })
        })
        .collect()
}

fn tokens(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let rest = pointer
        .strip_prefix('/')
        .ok_or_else(|| format!("JSON pointer `{pointer}` must start with `/`"))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn index(token: &str, len: usize, allow_end: bool) -> Result<usize, String> {
    if token == "-" && allow_end {
        return Ok(len);
    }
    if token.is_empty() || (token.len() > 1 && token.starts_with('0')) {
        return Err(format!("bad array index `{token}`"));
    }
    let i: usize = token
        .parse()
        .map_err(|_| format!("bad array index `{token}`"))?;
    let limit = if allow_end {
        len
    } else {
        len.saturating_sub(1)
    };
    if i > limit || (!allow_end && len == 0) {
        return Err(format!("array index {i} out of bounds (length {len})"));
    }
    Ok(i)
}

fn get<'a>(node: &'a KNode, path: &[String]) -> Result<&'a KNode, String> {
    let mut cur = node;
    for t in path {
        cur = match &cur.kind {
            KKind::Map(_) => cur.get(t).ok_or_else(|| format!("missing key `{t}`"))?,
            KKind::Seq(items) => &items[index(t, items.len(), false)?],
            KKind::Scalar(..) => return Err(format!("cannot descend into a scalar at `{t}`")),
        };
    }
    Ok(cur)
}

fn parent_mut<'a>(node: &'a mut KNode, path: &[String]) -> Result<&'a mut KNode, String> {
    let mut cur = node;
    for t in path {
        let slot = match &cur.kind {
            KKind::Map(entries) => entries
                .iter()
                .rposition(|(k, _)| k.as_str() == Some(t.as_str()))
                .ok_or_else(|| format!("missing key `{t}`"))?,
            KKind::Seq(items) => index(t, items.len(), false)?,
            KKind::Scalar(..) => return Err(format!("cannot descend into a scalar at `{t}`")),
        };
        cur = match &mut cur.kind {
            KKind::Map(entries) => &mut entries[slot].1,
            KKind::Seq(items) => &mut items[slot],
            KKind::Scalar(..) => return Err(format!("cannot descend into a scalar at `{t}`")),
        };
    }
    Ok(cur)
}

fn add(doc: &mut KNode, path: &[String], value: KNode) -> Result<(), String> {
    let Some((last, parents)) = path.split_last() else {
        *doc = value;
        return Ok(());
    };
    let parent = parent_mut(doc, parents)?;
    match &mut parent.kind {
        KKind::Map(_) => {
            let key_span = value.span;
            parent.set(last, key_span, value);
            Ok(())
        }
        KKind::Seq(items) => {
            let i = index(last, items.len(), true)?;
            items.insert(i, value);
            Ok(())
        }
        KKind::Scalar(..) => Err(format!("cannot add `{last}` to a scalar")),
    }
}

fn remove(doc: &mut KNode, path: &[String]) -> Result<KNode, String> {
    let Some((last, parents)) = path.split_last() else {
        return Err("cannot remove the whole document".to_string());
    };
    let parent = parent_mut(doc, parents)?;
    match &mut parent.kind {
        KKind::Map(_) => parent
            .remove(last)
            .ok_or_else(|| format!("cannot remove missing key `{last}`")),
        KKind::Seq(items) => {
            let i = index(last, items.len(), false)?;
            Ok(items.remove(i))
        }
        KKind::Scalar(..) => Err(format!("cannot remove `{last}` from a scalar")),
    }
}

/// Applies `ops` to `doc`, in order. Nothing is applied when one fails.
pub(crate) fn apply(doc: KNode, ops: &[Op]) -> Result<KNode, String> {
    let mut out = doc;
    for op in ops {
        apply_one(&mut out, op)
            .map_err(|e| format!("JSON patch `{}` at `{}`: {e}", op.op, op.path))?;
    }
    Ok(out)
}

fn apply_one(out: &mut KNode, op: &Op) -> Result<(), String> {
    let path = tokens(&op.path)?;
    let value = || op.value.clone().ok_or_else(|| "no `value`".to_string());
    match op.op.as_str() {
        "add" => add(out, &path, value()?),
        "remove" => remove(out, &path).map(|_| ()),
        "replace" => {
            get(out, &path)?;
            let v = value()?;
            let Some((last, parents)) = path.split_last() else {
                *out = v;
                return Ok(());
            };
            let parent = parent_mut(out, parents)?;
            match &mut parent.kind {
                KKind::Map(_) => {
                    if let Some(slot) = parent.get_mut(last) {
                        *slot = v;
                    }
                    Ok(())
                }
                KKind::Seq(items) => {
                    let i = index(last, items.len(), false)?;
                    items[i] = v;
                    Ok(())
                }
                KKind::Scalar(..) => Err("cannot replace inside a scalar".to_string()),
            }
        }
        "move" => {
            let from = tokens(op.from.as_deref().ok_or("`move` needs `from`")?)?;
            let moved = remove(out, &from)?;
            add(out, &path, moved)
        }
        "copy" => {
            let from = tokens(op.from.as_deref().ok_or("`copy` needs `from`")?)?;
            let copied = get(out, &from)?.clone();
            add(out, &path, copied)?;
            // Each copy of an object into itself doubles it: thirty make a billion nodes.
            if out.exceeds(MAX_NODES) {
                return Err(format!(
                    "the object grows past {MAX_NODES} nodes (copies of itself?): stopped"
                ));
            }
            Ok(())
        }
        "test" => {
            if get(out, &path)?.to_json() == value()?.to_json() {
                Ok(())
            } else {
                Err("the value differs".to_string())
            }
        }
        other => Err(format!("unknown operation `{other}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::knode::parse_first as node;

    #[test]
    fn every_operation() {
        let doc = node("a: {b: [1, 2]}\nc: x\n");
        let patch = node("- {op: add, path: /a/b/1, value: 9}\n- {op: add, path: /a/b/-, value: 3}\n- {op: replace, path: /c, value: y}\n- {op: copy, from: /c, path: /d}\n- {op: move, from: /d, path: /e~1f}\n- {op: test, path: /e~1f, value: y}\n- {op: remove, path: /a/b/0}\n");
        let out = apply(doc.clone(), &ops(&patch).unwrap()).unwrap();
        assert_eq!(
            out.to_json(),
            serde_json::json!({"a": {"b": [9, 2, 3]}, "c": "y", "e/f": "y"})
        );
    }

    #[test]
    fn failures_name_the_operation() {
        let doc = node("a: 1\n");
        for patch in [
            "- {op: replace, path: /b, value: 1}",
            "- {op: remove, path: /b}",
            "- {op: test, path: /a, value: 2}",
            "- {op: add, path: /x/y, value: 1}",
        ] {
            let err = apply(doc.clone(), &ops(&node(patch)).unwrap()).unwrap_err();
            assert!(err.starts_with("JSON patch"), "{err}");
        }
    }
}
