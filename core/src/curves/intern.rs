//! String interning for ingestion: the same location, units or label text read on a million
//! rows shares one `Arc<str>` allocation, which both saves memory in stores that keep rows and
//! makes cloning a row's strings a reference-count increment.

use std::collections::HashSet;
use std::sync::Arc;

/// A set of shared strings. Bounded: it starts afresh after [`Interner::CAPACITY`] distinct
/// strings, so adversarial input (a unique value per row) cannot grow it without limit.
#[derive(Debug, Default)]
pub struct Interner {
    set: HashSet<Arc<str>>,
}

impl Interner {
    /// Distinct strings kept before the set is cleared.
    pub const CAPACITY: usize = 1 << 20;

    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    /// The shared copy of `text`, allocated on first sight only.
    pub fn intern(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.set.get(text) {
            return Arc::clone(shared);
        }
        if self.set.len() >= Self::CAPACITY {
            self.set.clear();
        }
        let shared: Arc<str> = Arc::from(text);
        self.set.insert(Arc::clone(&shared));
        shared
    }

    /// `cell` trimmed and interned; `None` when absent or blank.
    pub fn optional(&mut self, cell: Option<&str>) -> Option<Arc<str>> {
        cell.map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| self.intern(t))
    }

    /// Number of distinct strings held.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// True when nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_text_shares_one_allocation() {
        let mut interner = Interner::new();
        let a = interner.intern("West Hub");
        let b = interner.intern(&String::from("West Hub"));
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(interner.len(), 1);
    }

    #[test]
    fn optional_cells_are_trimmed_and_blank_is_absent() {
        let mut interner = Interner::new();
        assert_eq!(interner.optional(Some("  PJM ")).as_deref(), Some("PJM"));
        assert_eq!(interner.optional(Some("   ")), None);
        assert_eq!(interner.optional(None), None);
        assert!(Arc::ptr_eq(
            &interner.optional(Some("PJM")).unwrap(),
            &interner.intern("PJM")
        ));
    }
}
