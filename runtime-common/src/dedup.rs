//! The table of recorded results by invocation id that makes a retried invocation answer
//! without running again.

use std::sync::Arc;

/// Recorded results by invocation id (both as compact JSON text), oldest first, bounded by a
/// window: the oldest ids are forgotten first.
#[derive(Debug, Default)]
pub struct Dedup {
    map: std::collections::HashMap<Arc<str>, Arc<str>, crate::value::FastHash>,
    order: std::collections::VecDeque<(Arc<str>, Arc<str>)>,
}

impl Dedup {
    /// The recorded result for an id, if still within the window.
    pub fn get(&self, id: &str) -> Option<&Arc<str>> {
        self.map.get(id)
    }

    /// Records a result, forgetting the oldest ones beyond `window` (O(1) each).
    pub fn record(&mut self, id: Arc<str>, result: Arc<str>, window: usize) {
        if self.map.insert(id.clone(), result.clone()).is_none() {
            self.order.push_back((id, result));
        }
        while self.order.len() > window {
            if let Some((old, _)) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The entries, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &Arc<str>)> {
        self.order.iter().map(|(k, v)| (k, v))
    }
}

impl FromIterator<(Arc<str>, Arc<str>)> for Dedup {
    fn from_iter<I: IntoIterator<Item = (Arc<str>, Arc<str>)>>(iter: I) -> Self {
        let mut d = Dedup::default();
        for (k, v) in iter {
            d.record(k, v, usize::MAX);
        }
        d
    }
}
