use super::*;
use proptest::prelude::*;

/// Reference tree: pads the leaves with `EMPTY` to a power of two and hashes
/// every level in full. `levels[0]` are the padded leaves, the last is `[root]`.
fn reference_levels(leaves: &[Hash]) -> Vec<Vec<Hash>> {
    let width = leaves.len().next_power_of_two();
    let mut level = leaves.to_vec();
    level.resize(width, EMPTY);
    let mut levels = vec![level];
    while levels.last().unwrap().len() > 1 {
        let next = levels
            .last()
            .unwrap()
            .chunks(2)
            .map(|pair| node_hash(&pair[0], &pair[1]))
            .collect();
        levels.push(next);
    }
    levels
}

fn reference_proof(levels: &[Vec<Hash>], index: usize) -> Vec<Hash> {
    levels[..levels.len() - 1]
        .iter()
        .enumerate()
        .map(|(k, level)| level[(index >> k) ^ 1])
        .collect()
}

/// The root and every leaf's proof: from `MerkleTree` (checked against the
/// reference) with the `builder` feature, from the reference without it.
fn root_and_proofs(leaves: &[Hash]) -> (Hash, Vec<Vec<Hash>>) {
    let levels = reference_levels(leaves);
    let root = levels.last().unwrap()[0];
    let proofs: Vec<_> = (0..leaves.len())
        .map(|i| reference_proof(&levels, i))
        .collect();
    #[cfg(feature = "builder")]
    {
        let tree = MerkleTree::new(leaves.to_vec()).unwrap();
        assert_eq!(tree.root(), root);
        assert_eq!(tree.depth(), levels.len() - 1);
        assert_eq!(tree.len(), leaves.len());
        assert!(!tree.is_empty());
        assert_eq!(tree.leaves(), leaves);
        assert_eq!(tree.proof(leaves.len() as u32), None);
        let built: Vec<_> = (0..leaves.len() as u32)
            .map(|i| tree.proof(i).unwrap())
            .collect();
        assert_eq!(built, proofs);
        (tree.root(), built)
    }
    #[cfg(not(feature = "builder"))]
    (root, proofs)
}

/// Leaves for `(recipient, cumulative_amount)` at ledger indices `0..`.
fn leaves_of(distributor: &[u8; 32], entries: &[([u8; 32], u64)]) -> Vec<Hash> {
    entries
        .iter()
        .enumerate()
        .map(|(i, (recipient, amount))| leaf_hash(distributor, recipient, i as u32, *amount))
        .collect()
}

/// Folds `proof` positionally like `verify`, without its length and range checks.
fn fold(leaf: &Hash, index: u64, proof: &[Hash]) -> Hash {
    proof.iter().enumerate().fold(*leaf, |node, (k, sibling)| {
        if (index >> k) & 1 == 0 {
            node_hash(&node, sibling)
        } else {
            node_hash(sibling, &node)
        }
    })
}

fn hex(s: &str) -> Hash {
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// splitmix64, for deterministic "random" searches.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn random_bytes(state: &mut u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    for chunk in out.chunks_mut(8) {
        chunk.copy_from_slice(&next(state).to_le_bytes());
    }
    out
}

// Known-answer vectors, computed independently with Python's hashlib:
//
//   import hashlib, struct
//   leaf = lambda d, r, i, a: hashlib.sha256(b"\x00" + d + r + struct.pack("<I", i) + struct.pack("<Q", a)).digest()
//   node = lambda l, r: hashlib.sha256(b"\x01" + l + r).digest()
//   leaf(b"\x11" * 32, b"\x22" * 32, 7, 1_000_000_000).hex()
//     == "bb0b6280c12f7729953670bc69fa30de96cfa117766fcb2bbb906b5216306aa9"
//   node(b"\xaa" * 32, b"\xbb" * 32).hex()
//     == "2f65cc0c7abfdb0c535cb7f942d65ae1fb04c9a3ad3ea5a62057aa8ac934a93a"
//   node(b"\x00" * 32, b"\x00" * 32).hex()   # empty subtree of height 1
//     == "ae0798d0ecaed2b778eddebf18f071a561c53658c05e76cedecc27cafbdbc577"
//   ls = [leaf(b"\x11" * 32, bytes([i + 1]) * 32, i, (i + 1) * 100) for i in range(3)]
//   node(node(ls[0], ls[1]), node(ls[2], b"\x00" * 32)).hex()
//     == "c882f8a9ccd39a127be7eecb58c091cfdc455e8ab019569bc34da34f184a6fa6"

#[test]
fn known_answer_leaf_hash() {
    assert_eq!(
        leaf_hash(&[0x11; 32], &[0x22; 32], 7, 1_000_000_000),
        hex("bb0b6280c12f7729953670bc69fa30de96cfa117766fcb2bbb906b5216306aa9")
    );
}

#[test]
fn known_answer_node_hash() {
    assert_eq!(
        node_hash(&[0xaa; 32], &[0xbb; 32]),
        hex("2f65cc0c7abfdb0c535cb7f942d65ae1fb04c9a3ad3ea5a62057aa8ac934a93a")
    );
    assert_eq!(
        node_hash(&EMPTY, &EMPTY),
        hex("ae0798d0ecaed2b778eddebf18f071a561c53658c05e76cedecc27cafbdbc577")
    );
}

#[test]
fn known_answer_three_leaf_root() {
    let distributor = [0x11; 32];
    let entries: Vec<_> = (0..3u8)
        .map(|i| ([i + 1; 32], (i as u64 + 1) * 100))
        .collect();
    let leaves = leaves_of(&distributor, &entries);
    let (root, proofs) = root_and_proofs(&leaves);
    assert_eq!(
        root,
        hex("c882f8a9ccd39a127be7eecb58c091cfdc455e8ab019569bc34da34f184a6fa6")
    );
    // Leaf 2's sibling is the padding.
    assert_eq!(proofs[2][0], EMPTY);
    for (i, proof) in proofs.iter().enumerate() {
        assert_eq!(proof.len(), 2);
        assert!(verify(&root, &leaves[i], i as u32, proof));
    }
}

#[test]
fn single_leaf_is_its_own_root() {
    let leaf = leaf_hash(&[1; 32], &[2; 32], 0, 5);
    let (root, proofs) = root_and_proofs(&[leaf]);
    assert_eq!(root, leaf);
    assert_eq!(proofs, vec![Vec::<Hash>::new()]);
    assert!(verify(&root, &leaf, 0, &[]));
    // Index 1 does not fit in zero bits.
    assert!(!verify(&root, &leaf, 1, &[]));
    assert!(!verify(&root, &leaf, 0, &[EMPTY]));
}

#[test]
fn proof_longer_than_max_is_rejected() {
    let mut state = 1;
    let leaf = leaf_hash(&[3; 32], &[4; 32], 0x8000_0001, 9);
    let proof: Vec<Hash> = (0..=MAX_PROOF_LEN)
        .map(|_| random_bytes(&mut state))
        .collect();
    assert_eq!(proof.len(), 33);
    // The 33-element proof hashes to `root` (bit 32 of a u32 index is 0), but is too long.
    let root = fold(&leaf, 0x8000_0001, &proof);
    assert!(!verify(&root, &leaf, 0x8000_0001, &proof));
    // The same fold over 32 levels is accepted.
    let root = fold(&leaf, 0x8000_0001, &proof[..MAX_PROOF_LEN]);
    assert!(verify(&root, &leaf, 0x8000_0001, &proof[..MAX_PROOF_LEN]));
}

#[test]
fn full_depth_proof_takes_every_index() {
    let mut state = 2;
    let proof: Vec<Hash> = (0..MAX_PROOF_LEN)
        .map(|_| random_bytes(&mut state))
        .collect();
    for index in [0, 1, 0x8000_0000, u32::MAX] {
        let leaf = leaf_hash(&[5; 32], &[6; 32], index, 1);
        let root = fold(&leaf, index as u64, &proof);
        assert!(verify(&root, &leaf, index, &proof));
        assert!(!verify(&root, &leaf, index ^ 1, &proof));
    }
}

#[test]
fn index_beyond_depth_is_rejected() {
    let distributor = [7; 32];
    let entries: Vec<_> = (0..4u8).map(|i| ([i; 32], 10)).collect();
    let leaves = leaves_of(&distributor, &entries);
    let (root, proofs) = root_and_proofs(&leaves);
    assert!(verify(&root, &leaves[1], 1, &proofs[1]));
    // Indices 5, 9, 1 + 2^31, 2^2: the low two bits pick the same path as
    // index 1 (or 0), so the hashes alone would match; the range check rejects them.
    for index in [5, 9, 0x8000_0001] {
        assert_eq!(fold(&leaves[1], index as u64, &proofs[1]), root);
        assert!(!verify(&root, &leaves[1], index, &proofs[1]));
    }
    assert!(!verify(&root, &leaves[0], 4, &proofs[0]));
}

#[test]
fn inner_node_is_not_a_leaf() {
    let distributor = [8; 32];
    let entries: Vec<_> = (0..6u8).map(|i| ([i; 32], 1000 + i as u64)).collect();
    let leaves = leaves_of(&distributor, &entries);
    let (root, proofs) = root_and_proofs(&leaves);
    let (a, b) = (leaves[2], leaves[3]);
    let inner = node_hash(&a, &b);
    assert_eq!(proofs[3][0], a);

    // `verify` takes a hashed leaf, so the level-1 node with the rest of the
    // proof folds to the root: the protection is that the program only ever
    // verifies `leaf_hash(..)` of the claimed fields...
    assert!(verify(&root, &inner, 3 / 2, &proofs[3][1..]));

    // ...and no fields hash to that node. The fields read off the node's
    // 64-byte preimage (plus 12 zero bytes) give a different hash, because
    // leaves and nodes have different prefixes.
    let mut bytes = [0u8; 76];
    bytes[..32].copy_from_slice(&a);
    bytes[32..64].copy_from_slice(&b);
    let d: [u8; 32] = bytes[..32].try_into().unwrap();
    let r: [u8; 32] = bytes[32..64].try_into().unwrap();
    let index = u32::from_le_bytes(bytes[64..68].try_into().unwrap());
    let amount = u64::from_le_bytes(bytes[68..76].try_into().unwrap());
    assert_ne!(leaf_hash(&d, &r, index, amount), inner);
    // The other way round: a leaf is not the node over its own fields.
    let leaf = leaf_hash(&distributor, &entries[2].0, 2, entries[2].1);
    assert_ne!(leaf, node_hash(&distributor, &entries[2].0));

    // A random search over fields, also near the real ones.
    let mut state = 3;
    for attempt in 0..4096u32 {
        let d = if attempt % 2 == 0 {
            a
        } else {
            random_bytes(&mut state)
        };
        let r = if attempt % 4 < 2 {
            b
        } else {
            random_bytes(&mut state)
        };
        let index = next(&mut state) as u32;
        let amount = next(&mut state);
        let candidate = leaf_hash(&d, &r, index, amount);
        assert_ne!(candidate, inner);
        assert_ne!(candidate, root);
    }
}

/// A distributor and 1..=300 (recipient, cumulative amount) entries.
fn claims() -> impl Strategy<Value = ([u8; 32], Vec<([u8; 32], u64)>)> {
    (
        any::<[u8; 32]>(),
        proptest::collection::vec((any::<[u8; 32]>(), any::<u64>()), 1..=300),
    )
}

proptest! {
    /// Every leaf's proof verifies (and has length ceil(log2(n))), for trees
    /// of 1..=300 leaves, powers of two or not.
    #[test]
    fn every_proof_verifies((distributor, entries) in claims()) {
        let leaves = leaves_of(&distributor, &entries);
        let (root, proofs) = root_and_proofs(&leaves);
        let depth = leaves.len().next_power_of_two().trailing_zeros() as usize;
        for (i, (recipient, amount)) in entries.iter().enumerate() {
            let leaf = leaf_hash(&distributor, recipient, i as u32, *amount);
            prop_assert_eq!(proofs[i].len(), depth);
            prop_assert!(verify(&root, &leaf, i as u32, &proofs[i]));
        }
    }

    /// Changing any claimed field, any proof element, the order of two proof
    /// elements or the proof's length makes a claim fail.
    #[test]
    fn tampered_claims_fail(
        (distributor, entries) in claims(),
        pick in any::<prop::sample::Index>(),
        other_index in any::<u32>(),
        flip in 1u8..,
        at in 0usize..32,
        delta in 1u64..,
        extra in any::<[u8; 32]>(),
    ) {
        let leaves = leaves_of(&distributor, &entries);
        let (root, proofs) = root_and_proofs(&leaves);
        let i = pick.index(entries.len());
        let index = i as u32;
        let (recipient, amount) = entries[i];
        let proof = &proofs[i];
        let flipped = |mut bytes: [u8; 32]| {
            bytes[at] ^= flip;
            bytes
        };
        prop_assert!(verify(&root, &leaves[i], index, proof));

        // Claimed fields.
        let claim = |d: &[u8; 32], r: &[u8; 32], idx: u32, amt: u64, pos: u32| {
            verify(&root, &leaf_hash(d, r, idx, amt), pos, proof)
        };
        prop_assert!(!claim(&distributor, &recipient, index, amount.wrapping_add(delta), index));
        prop_assert!(!claim(&distributor, &flipped(recipient), index, amount, index));
        prop_assert!(!claim(&flipped(distributor), &recipient, index, amount, index));
        if other_index != index {
            prop_assert!(!claim(&distributor, &recipient, other_index, amount, other_index));
            prop_assert!(!claim(&distributor, &recipient, other_index, amount, index));
            prop_assert!(!claim(&distributor, &recipient, index, amount, other_index));
        }

        // Any single proof element.
        for k in 0..proof.len() {
            let mut bad = proof.clone();
            bad[k] = flipped(bad[k]);
            prop_assert!(!verify(&root, &leaves[i], index, &bad));
        }
        // Two proof elements swapped.
        for k in 0..proof.len() {
            for l in k + 1..proof.len() {
                if proof[k] != proof[l] {
                    let mut bad = proof.clone();
                    bad.swap(k, l);
                    prop_assert!(!verify(&root, &leaves[i], index, &bad));
                }
            }
        }
        // Truncated.
        for len in 0..proof.len() {
            prop_assert!(!verify(&root, &leaves[i], index, &proof[..len]));
        }
        // Extended.
        for tail in [extra, EMPTY, root] {
            let mut bad = proof.clone();
            bad.push(tail);
            prop_assert!(!verify(&root, &leaves[i], index, &bad));
        }
    }
}

#[cfg(feature = "builder")]
mod builder {
    use super::*;

    #[test]
    fn empty_tree_is_an_error() {
        assert_eq!(MerkleTree::new(Vec::new()), Err(TreeError::Empty));
    }

    #[test]
    fn depth_is_ceil_log2() {
        for (n, depth) in [
            (1, 0),
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 3),
            (8, 3),
            (9, 4),
            (1000, 10),
        ] {
            let tree = MerkleTree::new(vec![[9; 32]; n]).unwrap();
            assert_eq!(tree.depth(), depth, "n = {n}");
            assert_eq!(tree.len(), n);
            assert_eq!(tree.proof(0).unwrap().len(), depth);
            assert_eq!(tree.proof(n as u32), None);
            assert_eq!(tree.proof(u32::MAX), None);
        }
    }

    #[test]
    fn padding_uses_empty_subtrees() {
        // 9 leaves: depth 4; leaf 8's siblings are EMPTY, the empty subtrees
        // of height 1 and 2, then the (real) node over leaves 0..8.
        let leaves: Vec<Hash> = (0..9u8).map(|i| [i + 1; 32]).collect();
        let tree = MerkleTree::new(leaves.clone()).unwrap();
        let empty1 = node_hash(&EMPTY, &EMPTY);
        let empty2 = node_hash(&empty1, &empty1);
        let reference = reference_levels(&leaves);
        assert_eq!(
            tree.proof(8).unwrap(),
            vec![EMPTY, empty1, empty2, reference[3][0]]
        );
        assert_eq!(tree.root(), reference.last().unwrap()[0]);
    }
}
