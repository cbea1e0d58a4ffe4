//! Content keys: a short blake3 hash of a value, through its `Hash` impl
//! or its JSON form. `serve`'s incremental passes compare them to decide
//! what to render again, and theme fingerprints are built from them.

use serde::Serialize;

/// A key for `data`: blake3 over its JSON form. The JSON goes into a
/// per-thread buffer first: streaming serde_json's many small writes into
/// the hasher cost more than the hashing.
pub fn key(data: &impl Serialize) -> u64 {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let bytes = BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        // A serializer error would only come from a map with non-string
        // keys, which none of ours has; hash what was written either way.
        let _partial = serde_json::to_writer(&mut *buffer, data);
        blake3::hash(buffer)
    });
    let mut first = [0u8; 8];
    first.copy_from_slice(&bytes.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

/// A key for `data` through its `Hash` impl: the fast path for the keys
/// computed for every article and listing page on every pass, where the
/// JSON of [`key`] (string escaping, number formatting) cost more than the
/// rest of an unchanged article's work. The bytes go into a per-thread
/// buffer and blake3 hashes them once: `Hash` makes many tiny writes.
pub fn hash_key(data: &impl std::hash::Hash) -> u64 {
    thread_local! {
        static BUFFER: std::cell::RefCell<ByteSink> = const { std::cell::RefCell::new(ByteSink(Vec::new())) };
    }
    let bytes = BUFFER.with_borrow_mut(|sink| {
        sink.0.clear();
        data.hash(sink);
        blake3::hash(&sink.0)
    });
    let mut first = [0u8; 8];
    first.copy_from_slice(&bytes.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

/// Collects what a `Hash` impl writes; [`hash_key`] hashes it with blake3.
struct ByteSink(Vec<u8>);

impl std::hash::Hasher for ByteSink {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        // Never called: `hash_key` hashes the collected bytes itself.
        0
    }
}
