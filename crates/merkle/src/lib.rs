//! Merkle trees for compressed reward claims.
//!
//! The crank commits every recipient's cumulative reward to one 32-byte root
//! per distributor; a recipient claims with its leaf fields and a proof, and
//! the rewards program checks them with [`verify`]. On-chain and off-chain
//! code hash through the same function (`solana_sha256_hasher::hashv`: the
//! `sol_sha256` syscall on `target_os = "solana"` / `target_arch = "bpf"`, the
//! `sha2` crate elsewhere), so a tree built off-chain verifies on-chain
//! byte for byte. [`verify`] is `no_std`, allocation-free and never panics;
//! the tree builder (`MerkleTree`) is behind the `builder` feature.
//!
//! # Leaf layout
//!
//! ```text
//! leaf = sha256(0x00 || distributor (32) || recipient (32)
//!               || index (u32 LE) || cumulative_amount (u64 LE))   // 77 bytes hashed
//! node = sha256(0x01 || left (32) || right (32))                   // 65 bytes hashed
//! ```
//!
//! * `distributor` binds the leaf to one distributor account, so a proof can
//!   not be replayed against another distributor whose tree happens to contain
//!   the same recipient.
//! * `cumulative_amount` is everything the recipient has earned so far; the
//!   program pays `cumulative_amount - claimed` and records the new total, so
//!   a newer root never has to know what was already claimed.
//! * `index` is the recipient's **stable ledger index**: the position of the
//!   recipient's 8-byte "claimed so far" slot in the distributor's paged
//!   claim ledger. It stays the same across epochs and roots, so claimed
//!   amounts live in fixed 8-byte slots on-chain instead of one account per
//!   recipient. Committing it in the leaf is what makes that safe: without it a
//!   recipient could present its leaf with the index of another (or a fresh,
//!   still zero) slot and claim the same cumulative amount again.
//!
//! # Domain separation
//!
//! Leaves are hashed with [`LEAF_PREFIX`] (`0x00`) and inner nodes with
//! [`NODE_PREFIX`] (`0x01`), and the two preimages also differ in length
//! (77 vs. 65 bytes). A leaf hash therefore never equals an inner node unless
//! SHA-256 collides, so an inner node (whose children an attacker can read
//! off-chain) cannot be passed off as a leaf with a shorter proof, and a leaf
//! cannot stand in for an inner node. [`verify`] itself takes an
//! already-hashed leaf: the protection holds because the program computes the
//! leaf with [`leaf_hash`] from the claimed fields, never taking a leaf hash
//! from the caller.
//!
//! # Positional proofs
//!
//! A proof is the list of siblings from the leaf up to the root. Whether each
//! sibling goes on the left or the right is not sorted or stored: it is bit `i`
//! of the leaf's position (`0`: the running node is the left child). The leaf
//! for ledger index `i` sits at position `i` in the tree, so the program passes
//! the same `index` to [`leaf_hash`] and [`verify`], and the proof also pins the
//! position: one root holds at most one leaf per ledger slot. `index` must fit
//! in `proof.len()` bits and proofs are at most [`MAX_PROOF_LEN`] (32) levels,
//! enough for all 2^32 indices.
//!
//! # Padding
//!
//! A tree of `n` leaves has depth `ceil(log2(n))` (a single leaf is its own
//! root, with an empty proof). Missing leaves up to `2^depth` are [`EMPTY`]
//! (all zero). No `leaf_hash` output is all zero (short of a SHA-256
//! preimage), so the padding can never be claimed. Off-chain code may also put
//! [`EMPTY`] at positions whose ledger slot has no recipient in this root.

#![cfg_attr(not(test), no_std)]

#[cfg(feature = "builder")]
extern crate alloc;

#[cfg(feature = "builder")]
mod tree;
#[cfg(feature = "builder")]
pub use tree::{MerkleTree, TreeError};

use solana_sha256_hasher::hashv;

/// A SHA-256 digest: a leaf, an inner node or a root.
pub type Hash = [u8; 32];

/// First byte hashed for a leaf.
pub const LEAF_PREFIX: u8 = 0x00;
/// First byte hashed for an inner node.
pub const NODE_PREFIX: u8 = 0x01;
/// Longest proof [`verify`] accepts: 32 levels cover every `u32` index.
pub const MAX_PROOF_LEN: usize = 32;
/// The padding leaf at positions `n..2^depth` of a tree with `n` leaves.
pub const EMPTY: Hash = [0u8; 32];

/// The leaf for `recipient` at ledger `index` of `distributor`:
/// `sha256(LEAF_PREFIX || distributor || recipient || index (u32 LE) || cumulative_amount (u64 LE))`.
#[inline]
pub fn leaf_hash(
    distributor: &[u8; 32],
    recipient: &[u8; 32],
    index: u32,
    cumulative_amount: u64,
) -> Hash {
    hashv(&[
        &[LEAF_PREFIX],
        distributor,
        recipient,
        &index.to_le_bytes(),
        &cumulative_amount.to_le_bytes(),
    ])
    .to_bytes()
}

/// The parent of `left` and `right`: `sha256(NODE_PREFIX || left || right)`.
#[inline]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    hashv(&[&[NODE_PREFIX], left, right]).to_bytes()
}

/// Whether `leaf` sits at position `index` of the tree with `root`, given the
/// siblings in `proof` from the leaf level up. See [`root_from_proof`].
/// `leaf` must come from [`leaf_hash`] (see the crate docs).
#[inline]
pub fn verify(root: &Hash, leaf: &Hash, index: u32, proof: &[Hash]) -> bool {
    root_from_proof(leaf, index, proof).is_some_and(|computed| computed == *root)
}

/// The root that `leaf` at position `index` and the siblings in `proof` fold
/// up to. Bit `i` of `index` says whether the node at level `i` is a left
/// (`0`) or a right (`1`) child. `None` if the proof is longer than
/// [`MAX_PROOF_LEN`] or `index` does not fit in `proof.len()` bits. Never
/// allocates or panics.
#[inline]
pub fn root_from_proof(leaf: &Hash, index: u32, proof: &[Hash]) -> Option<Hash> {
    if proof.len() > MAX_PROOF_LEN {
        return None;
    }
    // `proof.len() <= 32`; a shift by 32 bits leaves nothing.
    if index.checked_shr(proof.len() as u32).unwrap_or(0) != 0 {
        return None;
    }
    let mut node = *leaf;
    for (level, sibling) in proof.iter().enumerate() {
        node = if (index >> level) & 1 == 0 {
            node_hash(&node, sibling)
        } else {
            node_hash(sibling, &node)
        };
    }
    Some(node)
}

#[cfg(test)]
mod tests;
