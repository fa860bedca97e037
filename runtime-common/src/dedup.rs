//! The table of recorded results by invocation id that makes a retried invocation answer
//! without running again.
//!
//! The order of the entries is kept in sealed, shared chunks, so a snapshot of the table
//! ([`Dedup::snapshot`]) costs one reference count per chunk instead of one per entry: the engine
//! stays responsive while a quarter of a million ids are written out in the background.

use std::collections::VecDeque;
use std::sync::Arc;

/// One remembered invocation: its id and its recorded result, both as compact JSON text.
pub type DedupEntry = (Arc<str>, Arc<str>);

/// Entries per sealed chunk.
const CHUNK: usize = 4096;

/// Recorded results by invocation id, oldest first, bounded by a window: the oldest ids are
/// forgotten first.
#[derive(Debug, Default)]
pub struct Dedup {
    map: std::collections::HashMap<Arc<str>, Arc<str>, crate::value::FastHash>,
    /// Full chunks, oldest first; never changed once sealed (snapshots share them).
    sealed: VecDeque<Arc<[DedupEntry]>>,
    /// How many entries at the front of `sealed[0]` are already forgotten.
    forgotten: usize,
    /// The newest entries, not yet sealed.
    open: VecDeque<DedupEntry>,
    len: usize,
}

impl Dedup {
    /// The recorded result for an id, if still within the window.
    pub fn get(&self, id: &str) -> Option<&Arc<str>> {
        self.map.get(id)
    }

    /// Records a result, forgetting the oldest ones beyond `window` (O(1) each).
    pub fn record(&mut self, id: Arc<str>, result: Arc<str>, window: usize) {
        if self.map.capacity() == 0 {
            // Growing a large table rehashes every entry at once: reserve the window up front.
            self.map.reserve(window.min(1 << 20));
        }
        if self.map.insert(id.clone(), result.clone()).is_none() {
            self.open.push_back((id, result));
            self.len += 1;
            if self.open.len() == CHUNK {
                let chunk: Vec<DedupEntry> = std::mem::take(&mut self.open).into();
                self.sealed.push_back(chunk.into());
            }
        }
        while self.len > window {
            self.forget_oldest();
        }
    }

    /// Records a result under its id (`id` as compact JSON text), as the contract's JSON.
    pub fn record_result(&mut self, id: Arc<str>, result: &crate::InvocationResult, window: usize) {
        let mut text = Vec::new();
        if result.write_json(&mut text).is_ok() {
            self.record(id, String::from_utf8_lossy(&text).into(), window);
        }
    }

    fn forget_oldest(&mut self) {
        let oldest = match self.sealed.front() {
            Some(chunk) => {
                let id = chunk[self.forgotten].0.clone();
                self.forgotten += 1;
                if self.forgotten == chunk.len() {
                    self.sealed.pop_front();
                    self.forgotten = 0;
                }
                id
            }
            None => match self.open.pop_front() {
                Some((id, _)) => id,
                None => return,
            },
        };
        self.map.remove(&oldest);
        self.len -= 1;
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entries, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &Arc<str>)> {
        entries(self.sealed.iter(), self.forgotten, self.open.iter()).map(|(k, v)| (k, v))
    }

    /// A copy of the entries that can cross threads; shares the sealed chunks.
    pub fn snapshot(&self) -> DedupSnapshot {
        DedupSnapshot {
            sealed: self.sealed.iter().cloned().collect(),
            forgotten: self.forgotten,
            open: self.open.iter().cloned().collect(),
        }
    }
}

/// The entries of sealed chunks (the first `forgotten` of the first one left out), then the open
/// ones: the order of a [`Dedup`] and of its snapshot.
fn entries<'a>(
    sealed: impl Iterator<Item = &'a Arc<[DedupEntry]>>,
    forgotten: usize,
    open: impl Iterator<Item = &'a DedupEntry>,
) -> impl Iterator<Item = &'a DedupEntry> {
    sealed
        .enumerate()
        .flat_map(move |(i, chunk)| chunk[if i == 0 { forgotten } else { 0 }..].iter())
        .chain(open)
}

impl FromIterator<DedupEntry> for Dedup {
    fn from_iter<I: IntoIterator<Item = DedupEntry>>(iter: I) -> Self {
        let mut d = Dedup::default();
        for (k, v) in iter {
            d.record(k, v, usize::MAX);
        }
        d
    }
}

/// The entries of a [`Dedup`] at one moment, oldest first (see [`Dedup::snapshot`]).
#[derive(Debug, Clone, Default)]
pub struct DedupSnapshot {
    sealed: Vec<Arc<[DedupEntry]>>,
    forgotten: usize,
    open: Vec<DedupEntry>,
}

impl DedupSnapshot {
    /// The entries, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &DedupEntry> {
        entries(self.sealed.iter(), self.forgotten, self.open.iter())
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.sealed.iter().map(|c| c.len()).sum::<usize>() - self.forgotten + self.open.len()
    }

    /// Whether it holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Vec<DedupEntry>> for DedupSnapshot {
    fn from(open: Vec<DedupEntry>) -> Self {
        DedupSnapshot {
            sealed: Vec::new(),
            forgotten: 0,
            open,
        }
    }
}

impl From<DedupSnapshot> for Dedup {
    fn from(snapshot: DedupSnapshot) -> Self {
        snapshot.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(i: u32) -> DedupEntry {
        (Arc::from(format!("id{i}")), Arc::from(format!("r{i}")))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever the window and however many records, the table remembers exactly the newest
        /// `window` ids in order, and its snapshot lists the same entries.
        #[test]
        fn remembers_the_newest_window_of_ids(window in 1usize..10_000, n in 0u32..20_000) {
            let mut d = Dedup::default();
            for i in 0..n {
                d.record(entry(i).0, entry(i).1, window);
            }
            let kept = (n as usize).min(window);
            let expected: Vec<DedupEntry> = (n - kept as u32..n).map(entry).collect();
            let listed: Vec<DedupEntry> =
                d.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            prop_assert_eq!(&listed, &expected);
            prop_assert_eq!(d.len(), kept);
            let snapshot = d.snapshot();
            prop_assert_eq!(snapshot.len(), kept);
            prop_assert_eq!(snapshot.iter().cloned().collect::<Vec<_>>(), expected);
            for i in 0..n {
                let remembered = d.get(&format!("id{i}")).is_some();
                prop_assert_eq!(remembered, i >= n - kept as u32);
            }
            let restored = Dedup::from(snapshot);
            prop_assert_eq!(restored.len(), kept);
        }
    }
}
