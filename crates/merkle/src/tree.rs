//! Off-chain tree builder (feature `builder`).

use alloc::{vec, vec::Vec};
use core::fmt;

use crate::{node_hash, Hash, EMPTY, MAX_PROOF_LEN};

/// Why a [`MerkleTree`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeError {
    /// No leaves: a tree needs at least one.
    Empty,
    /// More than 2^32 leaves: indices are `u32`.
    TooLarge,
}

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TreeError::Empty => f.write_str("a Merkle tree needs at least one leaf"),
            TreeError::TooLarge => f.write_str("a Merkle tree holds at most 2^32 leaves"),
        }
    }
}

impl core::error::Error for TreeError {}

/// All levels of a tree, leaves first, for computing the root and proofs.
///
/// Level `k` keeps only its `ceil(n / 2^k)` real nodes: the padding at level
/// `k` is the root of an all-[`EMPTY`] subtree of height `k`, kept once per
/// level instead of being materialised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleTree {
    /// `levels[0]` are the leaves, `levels[depth]` is `[root]`.
    levels: Vec<Vec<Hash>>,
    /// `empty[k]`: root of an all-`EMPTY` subtree of height `k`, for `k < depth`.
    empty: Vec<Hash>,
}

impl MerkleTree {
    /// Builds the tree over `leaves` (position `i` holds `leaves[i]`), padded
    /// with [`EMPTY`] up to the next power of two.
    pub fn new(leaves: Vec<Hash>) -> Result<MerkleTree, TreeError> {
        if leaves.is_empty() {
            return Err(TreeError::Empty);
        }
        if leaves.len() as u64 > 1u64 << MAX_PROOF_LEN {
            return Err(TreeError::TooLarge);
        }
        // depth = ceil(log2(n)); at most 32 by the check above.
        let depth = leaves.len().next_power_of_two().trailing_zeros() as usize;
        let mut empty = Vec::with_capacity(depth);
        let mut levels = Vec::with_capacity(depth + 1);
        let mut pad = EMPTY;
        let mut level = leaves;
        while level.len() > 1 {
            let mut next = Vec::with_capacity(level.len().div_ceil(2));
            let mut pairs = level.chunks_exact(2);
            next.extend(pairs.by_ref().map(|pair| node_hash(&pair[0], &pair[1])));
            if let [last] = pairs.remainder() {
                next.push(node_hash(last, &pad));
            }
            empty.push(pad);
            pad = node_hash(&pad, &pad);
            levels.push(level);
            level = next;
        }
        levels.push(level);
        debug_assert_eq!(levels.len(), depth + 1);
        Ok(MerkleTree { levels, empty })
    }

    /// The root: the single leaf for a one-leaf tree.
    pub fn root(&self) -> Hash {
        self.levels[self.depth()][0]
    }

    /// `ceil(log2(len))`: the length of every proof.
    pub fn depth(&self) -> usize {
        self.levels.len() - 1
    }

    /// The number of leaves (without padding).
    pub fn len(&self) -> usize {
        self.levels[0].len()
    }

    /// Always `false`: [`MerkleTree::new`] rejects empty trees.
    pub fn is_empty(&self) -> bool {
        self.levels[0].is_empty()
    }

    /// The leaves, in position order.
    pub fn leaves(&self) -> &[Hash] {
        &self.levels[0]
    }

    /// The siblings of the leaf at `index` from the bottom up (`depth()`
    /// hashes), for [`crate::verify`]; `None` if `index >= len()`.
    pub fn proof(&self, index: u32) -> Option<Vec<Hash>> {
        let index = index as usize;
        if index >= self.len() {
            return None;
        }
        let mut proof = vec![EMPTY; self.depth()];
        for (k, (level, sibling)) in self.levels.iter().zip(proof.iter_mut()).enumerate() {
            let at = (index >> k) ^ 1;
            *sibling = level.get(at).copied().unwrap_or(self.empty[k]);
        }
        Some(proof)
    }
}
