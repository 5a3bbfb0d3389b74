//! A label index: which members (pods of workloads, ClusterRoles) carry which labels, so a
//! selector is evaluated against the few members that can match instead of every member.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::NodeId;
use crate::model::{Labels, Operator, Selector};

/// Members grouped by scope (a namespace, or `""` for cluster-scoped members) and label.
///
/// A selector with an equality or `In` requirement looks at the members that carry one of its
/// values; one with only `Exists` requirements at the members that carry the key; only a
/// selector made of `NotIn` / `DoesNotExist` requirements (or an empty one) scans its scope.
/// Building is linear in the number of labels, and a query costs the size of its candidate
/// list, not the size of the unit.
#[derive(Default)]
pub(super) struct LabelIndex<'a> {
    /// Members tested against a selector so far: the work of every query, counted so a test
    /// can show it stays proportional to the unit (see [`super::Graph::work`]).
    pub(super) examined: AtomicUsize,
    labels: Vec<Member<'a>>,
    by_pair: HashMap<(&'a str, &'a str, &'a str), Vec<usize>>,
    by_key: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// Members that carry a label whose value only the cluster knows, by that label's key.
    by_dynamic_key: HashMap<(&'a str, &'static str), Vec<usize>>,
    by_scope: HashMap<&'a str, Vec<usize>>,
}

struct Member<'a> {
    node: NodeId,
    labels: Labels<'a>,
    /// Label keys a controller adds to the member's pods with values the manifest does not
    /// tell (a StatefulSet's `statefulset.kubernetes.io/pod-name`): any requirement on them
    /// may hold.
    dynamic: &'static [&'static str],
}

impl Member<'_> {
    fn matches(&self, selector: &Selector<'_>) -> bool {
        !selector.is_nothing()
            && selector
                .requirements()
                .iter()
                .all(|r| self.dynamic.contains(&r.key) || r.matches(&self.labels))
    }
}

impl<'a> LabelIndex<'a> {
    pub(super) fn insert(&mut self, scope: &'a str, node: NodeId, labels: Labels<'a>) {
        self.insert_with_dynamic(scope, node, labels, &[]);
    }

    /// Inserts a member whose pods also carry the `dynamic` label keys, with values unknown.
    pub(super) fn insert_with_dynamic(
        &mut self,
        scope: &'a str,
        node: NodeId,
        labels: Labels<'a>,
        dynamic: &'static [&'static str],
    ) {
        let member = self.labels.len();
        for &key in dynamic {
            self.by_dynamic_key
                .entry((scope, key))
                .or_default()
                .push(member);
        }
        for label in labels.iter() {
            self.by_pair
                .entry((scope, label.key, label.value))
                .or_default()
                .push(member);
            self.by_key
                .entry((scope, label.key))
                .or_default()
                .push(member);
        }
        self.by_scope.entry(scope).or_default().push(member);
        self.labels.push(Member {
            node,
            labels,
            dynamic,
        });
    }

    /// The members of `scope` the selector selects, in insertion order.
    pub(super) fn select(&self, scope: &str, selector: &Selector<'_>) -> Vec<NodeId> {
        if selector.is_nothing() {
            return Vec::new();
        }
        let mut members = self.candidates(scope, selector);
        self.examined.fetch_add(members.len(), Ordering::Relaxed);
        // Sorting restores insertion order for deterministic output; a member may be listed
        // both under a value and under a dynamic key.
        members.sort_unstable();
        members.dedup();
        members
            .into_iter()
            .filter_map(|m| {
                let member = &self.labels[m];
                member.matches(selector).then_some(member.node)
            })
            .collect()
    }

    /// The members to test: those of the most selective requirement.
    fn candidates(&self, scope: &str, selector: &Selector<'_>) -> Vec<usize> {
        let mut best: Option<(usize, Vec<&Vec<usize>>)> = None;
        for requirement in selector.requirements() {
            let mut lists: Vec<&Vec<usize>> = match requirement.operator {
                Operator::Equals | Operator::In => requirement
                    .values
                    .iter()
                    .filter_map(|value| self.by_pair.get(&(scope, requirement.key, *value)))
                    .collect(),
                Operator::Exists => self
                    .by_key
                    .get(&(scope, requirement.key))
                    .into_iter()
                    .collect(),
                Operator::NotIn | Operator::DoesNotExist => continue,
            };
            lists.extend(self.by_dynamic_key.get(&(scope, requirement.key)));
            let size = lists.iter().map(|l| l.len()).sum();
            if size == 0 {
                return Vec::new(); // no member can satisfy this requirement
            }
            if best.as_ref().map_or(true, |(best, _)| size < *best) {
                best = Some((size, lists));
            }
        }
        match best {
            Some((_, lists)) => lists.into_iter().flatten().copied().collect(),
            None => self.by_scope.get(scope).cloned().unwrap_or_default(),
        }
    }

    /// Every member of `scope`.
    pub(super) fn members(&self, scope: &str) -> impl Iterator<Item = NodeId> + '_ {
        self.by_scope
            .get(scope)
            .into_iter()
            .flatten()
            .map(|&m| self.labels[m].node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Requirement;

    fn req<'a>(key: &'a str, operator: Operator, values: &[&'a str]) -> Requirement<'a> {
        Requirement {
            key,
            operator,
            values: values.to_vec(),
            node: None,
        }
    }

    #[test]
    fn selects_by_every_operator_within_the_scope() {
        let mut index = LabelIndex::default();
        index.insert(
            "a",
            0,
            Labels::from_pairs(&[("app", "web"), ("tier", "front")]),
        );
        index.insert("a", 1, Labels::from_pairs(&[("app", "api")]));
        index.insert("b", 2, Labels::from_pairs(&[("app", "web")]));
        index.insert("a", 3, Labels::default());
        let sel = |reqs: Vec<Requirement<'static>>| Selector::from_requirements(reqs);
        assert_eq!(
            index.select("a", &sel(vec![req("app", Operator::Equals, &["web"])])),
            [0]
        );
        assert_eq!(
            index.select("a", &sel(vec![req("app", Operator::In, &["web", "api"])])),
            [0, 1]
        );
        assert_eq!(
            index.select("a", &sel(vec![req("app", Operator::NotIn, &["web"])])),
            [1, 3]
        );
        assert_eq!(
            index.select("a", &sel(vec![req("tier", Operator::Exists, &[])])),
            [0]
        );
        assert_eq!(
            index.select("a", &sel(vec![req("tier", Operator::DoesNotExist, &[])])),
            [1, 3]
        );
        assert_eq!(index.select("a", &Selector::everything()), [0, 1, 3]);
        assert!(index.select("a", &Selector::nothing()).is_empty());
        assert!(index
            .select("a", &sel(vec![req("app", Operator::Equals, &["db"])]))
            .is_empty());
        assert!(index.select("c", &Selector::everything()).is_empty());
        assert_eq!(index.members("b").collect::<Vec<_>>(), [2]);
    }

    #[test]
    fn labels_only_the_cluster_knows_may_match_anything() {
        let mut index = LabelIndex::default();
        index.insert_with_dynamic(
            "a",
            7,
            Labels::from_pairs(&[("app", "db")]),
            &["statefulset.kubernetes.io/pod-name"],
        );
        index.insert("a", 8, Labels::from_pairs(&[("app", "db")]));
        let selector = Selector::from_requirements(vec![
            req("app", Operator::Equals, &["db"]),
            req(
                "statefulset.kubernetes.io/pod-name",
                Operator::Equals,
                &["db-0"],
            ),
        ]);
        assert_eq!(index.select("a", &selector), [7]);
        let selector = Selector::from_requirements(vec![req(
            "statefulset.kubernetes.io/pod-name",
            Operator::In,
            &["db-0", "db-1"],
        )]);
        assert_eq!(index.select("a", &selector), [7]);
    }
}
