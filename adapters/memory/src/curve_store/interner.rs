//! Interning: every distinct value of a field family (a string, or a tuple of ids) is stored once
//! and rows hold a dense `u32` id. Ids are stable (an interner only grows), so an id stays valid
//! in every later snapshot. Also the small, fast, non-cryptographic hasher the maps use.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

/// Id of "no value" (a `None` field).
pub(crate) const NONE: u32 = u32::MAX;

/// Word-at-a-time multiplicative hasher (the `FxHash` family used by rustc). Keys are values
/// of stored rows, so `HashDoS` resistance buys nothing worth its cost here.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = self.hash.wrapping_add(word).wrapping_mul(K);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0_u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0_u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash.rotate_left(26)
    }
}

/// `HashMap` with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The interner is full (`u32::MAX - 1` distinct values).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Full;

/// A table of distinct values and their dense ids.
#[derive(Debug, Clone)]
pub(crate) struct Interner<T = Arc<str>> {
    values: Vec<T>,
    ids: FxHashMap<T, u32>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Self {
            values: Vec::new(),
            ids: FxHashMap::default(),
        }
    }
}

impl<T: Clone + Eq + Hash> Interner<T> {
    /// The id of `value`, if interned.
    #[inline]
    pub(crate) fn id<Q: Hash + Eq + ?Sized>(&self, value: &Q) -> Option<u32>
    where
        T: Borrow<Q>,
    {
        self.ids.get(value).copied()
    }

    /// The value of `id` (`None` for [`NONE`] or an unknown id).
    #[inline]
    pub(crate) fn get(&self, id: u32) -> Option<&T> {
        self.values.get(id as usize)
    }

    /// Number of distinct values.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// The id of `value`, interning it when new.
    pub(crate) fn intern(&mut self, value: &T) -> Result<u32, Full> {
        if let Some(id) = self.id(value) {
            return Ok(id);
        }
        let id = u32::try_from(self.values.len()).map_err(|_| Full)?;
        if id == NONE {
            return Err(Full);
        }
        self.values.push(value.clone());
        self.ids.insert(value.clone(), id);
        Ok(id)
    }
}

impl Interner<Arc<str>> {
    /// The text of `id`, `""` for [`NONE`].
    #[inline]
    pub(crate) fn text(&self, id: u32) -> &str {
        self.get(id).map_or("", |s| s)
    }
}

/// Interns into a shared interner, copying it first only when `value` is new and the interner
/// is still shared with an older snapshot.
pub(crate) fn intern_shared<T: Clone + Eq + Hash>(
    interner: &mut Arc<Interner<T>>,
    value: &T,
) -> Result<u32, Full> {
    match interner.id(value) {
        Some(id) => Ok(id),
        None => Arc::make_mut(interner).intern(value),
    }
}

/// Like [`intern_shared`] for an optional string (`None` → [`NONE`]).
pub(crate) fn intern_opt(
    interner: &mut Arc<Interner>,
    text: Option<&Arc<str>>,
) -> Result<u32, Full> {
    text.map_or(Ok(NONE), |t| intern_shared(interner, t))
}

/// For each id, its rank in bytewise order of the strings (so comparing ranks compares texts).
pub(crate) fn ranks(interner: &Interner) -> Vec<u32> {
    let mut order: Vec<u32> = (0..).take(interner.len()).collect();
    order.sort_unstable_by(|&a, &b| interner.text(a).cmp(interner.text(b)));
    let mut rank = vec![0; order.len()];
    for (r, id) in (0..).zip(order) {
        rank[id as usize] = r;
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_the_same_text_twice_returns_the_same_id() {
        let mut i = Interner::default();
        let a = i.intern(&Arc::from("PJM")).unwrap();
        let b = i.intern(&Arc::from("ERCOT")).unwrap();
        assert_eq!(i.intern(&Arc::from("PJM")).unwrap(), a);
        assert_ne!(a, b);
        assert_eq!(i.text(b), "ERCOT");
        assert_eq!(i.id("nope"), None);
        assert_eq!(i.text(NONE), "");
        assert_eq!(i.len(), 2);
    }

    #[test]
    fn tuples_intern_like_strings() {
        let mut i: Interner<[u32; 2]> = Interner::default();
        let a = i.intern(&[1, 2]).unwrap();
        assert_eq!(i.intern(&[1, 2]).unwrap(), a);
        assert_eq!(i.get(a), Some(&[1, 2]));
    }

    #[test]
    fn a_shared_interner_is_copied_only_for_new_values() {
        let mut shared: Arc<Interner> = Arc::default();
        intern_shared(&mut shared, &Arc::from("a")).unwrap();
        let old = Arc::clone(&shared);
        intern_shared(&mut shared, &Arc::from("a")).unwrap();
        assert!(Arc::ptr_eq(&old, &shared));
        intern_shared(&mut shared, &Arc::from("b")).unwrap();
        assert!(!Arc::ptr_eq(&old, &shared));
        assert_eq!((old.len(), shared.len()), (1, 2));
    }

    #[test]
    fn ranks_follow_bytewise_order() {
        let mut i = Interner::default();
        for s in ["caiso", "Zrec", "PJM", "ERCOT"] {
            i.intern(&Arc::from(s)).unwrap();
        }
        assert_eq!(ranks(&i), vec![3, 2, 1, 0]);
    }
}
