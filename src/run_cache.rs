//! Values derived from a run's sources once, shared by every thread of the run.
//!
//! Checks and fixes run per object, on many threads; some need a fact about the whole
//! repository (which files a kustomization may build) or a file parsed again on its own (the
//! fix engine's view of a Kustomize base). Computing it per object made a lint cost objects ×
//! files. A [`RunCache`] computes it on first use and keeps it while the run's
//! [`Sources`](crate::source::Sources) are the same ([`Sources::id`](crate::source::Sources::id)
//! changes when the language server replaces a file's text), so it is never stale and holds one
//! run's value at a time.

use std::sync::{Arc, Mutex, PoisonError};

/// One value per run, for a `static`.
pub(crate) struct RunCache<T> {
    slot: Mutex<Option<(u64, Arc<T>)>>,
}

impl<T> RunCache<T> {
    pub(crate) const fn new() -> Self {
        RunCache {
            slot: Mutex::new(None),
        }
    }

    /// The value for the run of sources `run`, computed by `init` if this run has none yet.
    /// Threads asking at the same time may both compute it; the first one stored wins, and
    /// both return the same value for the same sources.
    pub(crate) fn get(&self, run: u64, init: impl FnOnce() -> T) -> Arc<T> {
        if let Some(value) = self.current(run) {
            return value;
        }
        let value = Arc::new(init());
        // Every change under the lock is one assignment: a panic elsewhere cannot leave it
        // half-done, so a poisoned lock still holds a consistent value.
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        match &*slot {
            Some((id, stored)) if *id == run => Arc::clone(stored),
            _ => {
                *slot = Some((run, Arc::clone(&value)));
                value
            }
        }
    }

    fn current(&self, run: u64) -> Option<Arc<T>> {
        let slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        match &*slot {
            Some((id, value)) if *id == run => Some(Arc::clone(value)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_computed_once_per_run_and_replaced_by_the_next_run() {
        static CACHE: RunCache<u32> = RunCache::new();
        let mut computed = 0;
        let mut get = |run| {
            *CACHE.get(run, || {
                computed += 1;
                run as u32 * 10
            })
        };
        assert_eq!(get(1), 10);
        assert_eq!(get(1), 10);
        assert_eq!(get(2), 20);
        assert_eq!(get(1), 10);
        assert_eq!(computed, 3);
    }
}
