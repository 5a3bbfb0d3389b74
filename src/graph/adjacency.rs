//! Which edges leave and arrive at each node, as two flat lists: a graph at 100k objects has
//! hundreds of thousands of edges, and a list per node (two `Vec`s each) cost more than the
//! edges they pointed at.

use super::NodeId;

/// The edge ids of every node, grouped by node: node `n`'s are
/// `ids[starts[n]..starts[n + 1]]`, in increasing order.
#[derive(Default)]
pub(super) struct Adjacency {
    starts: Vec<u32>,
    ids: Vec<u32>,
}

impl Adjacency {
    /// The edges of each of `nodes` nodes, where `ends` gives each edge's node at this end.
    pub(super) fn new(nodes: usize, ends: impl Iterator<Item = NodeId> + Clone) -> Adjacency {
        let mut starts = vec![0u32; nodes + 1];
        for node in ends.clone() {
            starts[node + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        // Filled in edge order, so each node's ids stay increasing.
        let mut next = starts.clone();
        let mut ids = vec![0u32; ends.clone().count()];
        for (id, node) in ends.enumerate() {
            ids[next[node] as usize] = id as u32;
            next[node] += 1;
        }
        Adjacency { starts, ids }
    }

    /// The ids of `node`'s edges (none for a node it does not know).
    pub(super) fn of(&self, node: NodeId) -> impl Iterator<Item = usize> + '_ {
        let range = match (self.starts.get(node), self.starts.get(node + 1)) {
            (Some(&start), Some(&end)) => start as usize..end as usize,
            _ => 0..0,
        };
        self.ids[range].iter().map(|&id| id as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_node_gets_its_edges_in_order() {
        // Edges 0..5 leave nodes 2, 0, 2, 3, 0.
        let from = [2, 0, 2, 3, 0];
        let adjacency = Adjacency::new(5, from.iter().copied());
        let of = |n| adjacency.of(n).collect::<Vec<_>>();
        assert_eq!(of(0), [1, 4]);
        assert_eq!(of(1), Vec::<usize>::new());
        assert_eq!(of(2), [0, 2]);
        assert_eq!(of(3), [3]);
        assert_eq!(of(4), Vec::<usize>::new());
        assert_eq!(of(5), Vec::<usize>::new());
    }
}
