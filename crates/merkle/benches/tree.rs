//! Builds a tree of 1,000,000 leaves (or the count given as the first
//! argument), generates every proof, verifies every 1000th, and reports the
//! times and peak memory:
//!
//! ```text
//! cargo bench -p depin-merkle --features builder --bench tree [-- <leaves>]
//! ```

use std::time::{Duration, Instant};

use depin_merkle::{leaf_hash, verify, Hash, MerkleTree};

const DEFAULT_LEAVES: u32 = 1_000_000;
const VERIFY_EVERY: u32 = 1000;
const DISTRIBUTOR: [u8; 32] = [0x42; 32];

fn recipient(index: u32) -> [u8; 32] {
    let mut recipient = [0xa5; 32];
    recipient[..4].copy_from_slice(&index.to_le_bytes());
    recipient
}

fn amount(index: u32) -> u64 {
    index as u64 * 1_000 + 1
}

/// Peak resident set size (VmHWM) from /proc/self/status.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .map(|value| value.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1e3)
}

fn main() {
    // `cargo bench` passes `--bench`; the leaf count is the first other argument.
    let leaves: u32 = std::env::args()
        .skip(1)
        .find(|arg| !arg.starts_with('-'))
        .map(|arg| arg.parse().expect("leaf count must be a u32"))
        .unwrap_or(DEFAULT_LEAVES);
    assert!(leaves > 0, "need at least one leaf");

    let start = Instant::now();
    let hashes: Vec<Hash> = (0..leaves)
        .map(|i| leaf_hash(&DISTRIBUTOR, &recipient(i), i, amount(i)))
        .collect();
    let leaf_time = start.elapsed();

    let start = Instant::now();
    let tree = MerkleTree::new(hashes).expect("non-empty tree");
    let build_time = start.elapsed();
    let root = tree.root();

    // Every proof, folded into a checksum so none is optimised away or kept.
    let start = Instant::now();
    let mut checksum = [0u8; 32];
    let mut proof_hashes = 0usize;
    for i in 0..leaves {
        let proof = tree.proof(i).expect("index in range");
        proof_hashes += proof.len();
        for sibling in &proof {
            for (sum, byte) in checksum.iter_mut().zip(sibling) {
                *sum ^= byte;
            }
        }
    }
    let proof_time = start.elapsed();
    std::hint::black_box(checksum);

    // Every 1000th claim, as the program checks it: leaf hash + verify.
    let sampled: Vec<(u32, Vec<Hash>)> = (0..leaves)
        .step_by(VERIFY_EVERY as usize)
        .map(|i| (i, tree.proof(i).expect("index in range")))
        .collect();
    let start = Instant::now();
    for (i, proof) in &sampled {
        let leaf = leaf_hash(&DISTRIBUTOR, &recipient(*i), *i, amount(*i));
        assert!(verify(&root, &leaf, *i, proof), "proof {i} failed");
    }
    let verify_time = start.elapsed();

    println!("leaves:            {}", tree.len());
    println!("depth:             {}", tree.depth());
    println!("root:              {}", hex(&root));
    println!("leaf hashing:      {}", ms(leaf_time));
    println!("tree build:        {}", ms(build_time));
    println!(
        "all proofs:        {} ({} proofs, {} sibling hashes, checksum {})",
        ms(proof_time),
        leaves,
        proof_hashes,
        &hex(&checksum)[..16]
    );
    println!(
        "verify sampled:    {} ({} claims, every {}th; {:.2} us each, leaf hash included)",
        ms(verify_time),
        sampled.len(),
        VERIFY_EVERY,
        verify_time.as_secs_f64() * 1e6 / sampled.len() as f64
    );
    println!("peak memory:       {}", peak_memory());
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
