//! The nodes one name stands for: almost always one, held without an allocation of its own.

use std::ops::Deref;

use super::NodeId;

/// The node ids under one key of the graph's object maps, in insertion order. A key names one
/// object in nearly every unit (several only for variants or duplicates), and a `Vec` per key
/// was a heap allocation per object in two maps.
#[derive(Clone, Debug)]
pub(super) enum Ids {
    One(NodeId),
    Many(Vec<NodeId>),
}

impl Default for Ids {
    fn default() -> Self {
        Ids::Many(Vec::new())
    }
}

impl Ids {
    pub(super) fn push(&mut self, id: NodeId) {
        match self {
            Ids::Many(ids) if ids.is_empty() => *self = Ids::One(id),
            Ids::One(first) => *self = Ids::Many(vec![*first, id]),
            Ids::Many(ids) => ids.push(id),
        }
    }
}

impl Deref for Ids {
    type Target = [NodeId];

    fn deref(&self) -> &[NodeId] {
        match self {
            Ids::One(id) => std::slice::from_ref(id),
            Ids::Many(ids) => ids,
        }
    }
}

impl<'a> IntoIterator for &'a Ids {
    type Item = &'a NodeId;
    type IntoIter = std::slice::Iter<'a, NodeId>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_ids_in_order() {
        let mut ids = Ids::default();
        assert!(ids.is_empty());
        ids.push(7);
        assert!(matches!(ids, Ids::One(7)));
        ids.push(3);
        ids.push(9);
        assert_eq!(&*ids, &[7, 3, 9]);
        assert_eq!(ids.iter().copied().collect::<Vec<_>>(), vec![7, 3, 9]);
    }
}
