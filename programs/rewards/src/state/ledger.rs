use anchor_lang::prelude::*;

use crate::errors::RewardsError;

/// Recipients per ledger page: 1,024 × 8 bytes keeps a page (8,240 bytes)
/// under the 10 KiB an account can be created with from a program.
pub const LEDGER_PAGE_SIZE: usize = 1024;

/// What each recipient has claimed so far, 8 bytes per recipient, at the
/// recipient's stable leaf index. The network pays for pages as the tree
/// grows, so recipients need no SOL and leave no per-claimant account.
#[account(zero_copy)]
#[repr(C)]
pub struct ClaimLedger {
    pub distributor: Pubkey,
    pub page: u32,
    pub bump: u8,
    pub _padding: [u8; 3],
    pub claimed: [u64; LEDGER_PAGE_SIZE],
}

// A program can create an account of at most 10 KiB (MAX_PERMITTED_DATA_INCREASE).
const _: () = assert!(ClaimLedger::SIZE <= 10_240);

impl ClaimLedger {
    pub const SIZE: usize = 8 + std::mem::size_of::<ClaimLedger>();

    /// The page and the slot in it that hold leaf `index`.
    pub fn locate(index: u32) -> (u32, usize) {
        (
            index / LEDGER_PAGE_SIZE as u32,
            index as usize % LEDGER_PAGE_SIZE,
        )
    }

    /// Settles a claim of a leaf worth `cumulative` in total: returns what is
    /// still owed and records the leaf as paid up to `cumulative`. A repeated
    /// claim owes nothing; a later, larger leaf owes only the difference.
    pub fn settle(&mut self, slot: usize, cumulative: u64) -> Result<u64> {
        let claimed = self.claimed[slot];
        require!(cumulative > claimed, RewardsError::NothingToClaim);
        self.claimed[slot] = cumulative;
        Ok(cumulative - claimed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_layout_and_size() {
        assert_eq!(ClaimLedger::SIZE, 8 + 32 + 4 + 1 + 3 + 8 * LEDGER_PAGE_SIZE);
        assert_eq!(ClaimLedger::locate(0), (0, 0));
        assert_eq!(ClaimLedger::locate(1023), (0, 1023));
        assert_eq!(ClaimLedger::locate(1024), (1, 0));
        assert_eq!(ClaimLedger::locate(u32::MAX), (4_194_303, 1023));
    }
}
