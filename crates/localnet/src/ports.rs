//! Free loopback ports for a validator: RPC, faucet, gossip and a
//! contiguous dynamic range, none in use and none handed to another
//! validator of this process.

use std::collections::HashSet;
use std::net::{TcpListener, UdpSocket};
use std::sync::Mutex;

use crate::{err, Result};

/// Ports a validator binds (the dynamic range is `dynamic.0..dynamic.1`).
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    pub rpc: u16,
    pub faucet: u16,
    pub gossip: u16,
    pub dynamic: (u16, u16),
}

/// Ports of the validator's dynamic range (its TPU, TVU, repair sockets...).
const DYNAMIC_RANGE: u16 = 40;
/// Gossip, RPC, websocket (RPC + 1), faucet, then the dynamic range.
const BLOCK: u16 = 4 + DYNAMIC_RANGE;

static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

fn is_free(port: u16) -> bool {
    // The validator uses both protocols on several of its ports.
    TcpListener::bind(("127.0.0.1", port)).is_ok() && UdpSocket::bind(("127.0.0.1", port)).is_ok()
}

/// A block of free ports (RPC = block start + 1 so that the websocket port,
/// RPC + 1, stays inside the block).
pub fn allocate() -> Result<Ports> {
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
    let handed_out = handed_out.get_or_insert_with(HashSet::new);
    // Spread processes apart by pid so parallel test binaries rarely collide.
    let seed = (std::process::id() as u16).wrapping_mul(97);
    for attempt in 0..400u16 {
        let start = 20_000 + (seed.wrapping_add(attempt.wrapping_mul(BLOCK))) % 40_000;
        let block: Vec<u16> = (start..start + BLOCK).collect();
        if block.iter().all(|p| !handed_out.contains(p) && is_free(*p)) {
            handed_out.extend(&block);
            return Ok(Ports {
                gossip: start,
                rpc: start + 1,
                faucet: start + 3,
                dynamic: (start + 4, start + BLOCK),
            });
        }
    }
    Err(err("no block of free loopback ports found for a validator"))
}
