use anchor_lang::prelude::*;

use crate::errors::RewardsError;
use crate::state::{OutflowBreaker, RootContent, LEDGER_PAGE_SIZE};

/// A reward pool: a vault, the current Merkle root of everyone's cumulative
/// rewards, the totals that keep it solvent, and the outflow breaker.
/// Zero-copy: claims read and write it in place instead of decoding and
/// re-encoding every field (fields ordered so no padding is implicit).
#[account(zero_copy)]
#[repr(C)]
#[derive(Debug)]
pub struct Distributor {
    pub network: Pubkey,
    pub mint: Pubkey,
    pub vault: Pubkey,
    /// Token account (of `mint`) receiving the remainder after expiry.
    pub treasury: Pubkey,
    pub root: [u8; 32],
    pub epoch: u64,
    /// Sum of every leaf's cumulative amount under `root`: what may ever be
    /// claimed under it.
    pub cumulative_total: u64,
    pub total_claimed: u64,
    pub total_funded: u64,
    /// Unix seconds after which claims stop and the remainder can be clawed
    /// back; 0 = never.
    pub expires_at: i64,
    /// Bounds what claims take out of the vault per time window.
    pub breaker: OutflowBreaker,
    /// Leaves under `root`; leaf indexes run 0..recipient_count.
    pub recipient_count: u32,
    pub ledger_pages: u32,
    pub pool_id: u16,
    pub bump: u8,
    pub vault_bump: u8,
    /// 0 or 1 (see `is_paused`).
    pub paused: u8,
    /// 0 or 1 (see `is_clawed_back`).
    pub clawed_back: u8,
    pub _padding: [u8; 2],
}

impl Distributor {
    pub const SIZE: usize = 8 + std::mem::size_of::<Distributor>();

    pub fn is_paused(&self) -> bool {
        self.paused != 0
    }

    pub fn set_paused(&mut self, paused: bool) {
        self.paused = u8::from(paused);
    }

    pub fn is_clawed_back(&self) -> bool {
        self.clawed_back != 0
    }

    pub fn mark_clawed_back(&mut self) {
        self.clawed_back = 1;
    }

    pub fn is_expired(&self, now: i64) -> bool {
        self.expires_at != 0 && now >= self.expires_at
    }

    pub fn require_claimable(&self, now: i64) -> Result<()> {
        require!(!self.is_paused(), RewardsError::Paused);
        require!(!self.is_expired(now), RewardsError::Expired);
        Ok(())
    }

    pub fn ledger_capacity(&self) -> u64 {
        u64::from(self.ledger_pages) * LEDGER_PAGE_SIZE as u64
    }

    /// A proposed root must move forward from the current one: a higher
    /// epoch (so an activated root can never be proposed again) and a
    /// cumulative total that does not shrink.
    pub fn require_successor(&self, content: &RootContent) -> Result<()> {
        require!(content.epoch > self.epoch, RewardsError::EpochNotIncreasing);
        require!(
            content.cumulative_total >= self.cumulative_total,
            RewardsError::CumulativeTotalDecreased
        );
        Ok(())
    }

    /// Makes an approved root the current one if it moves forward, never
    /// shrinks what recipients were promised, fits the ledger, and is fully
    /// funded: the vault plus what was already paid out must cover the new
    /// cumulative total.
    pub fn activate_root(&mut self, content: &RootContent, vault_balance: u64) -> Result<()> {
        self.require_successor(content)?;
        require!(
            u64::from(content.recipient_count) <= self.ledger_capacity(),
            RewardsError::LedgerTooSmall
        );
        // Past u64::MAX the sum covers any u64 total.
        let covered = vault_balance.saturating_add(self.total_claimed);
        require!(
            covered >= content.cumulative_total,
            RewardsError::RootUnfunded
        );
        self.epoch = content.epoch;
        self.root = content.root;
        self.cumulative_total = content.cumulative_total;
        self.recipient_count = content.recipient_count;
        Ok(())
    }

    /// Records a payout at `now`. The root's cumulative total bounds all
    /// payouts, so no sequence of claims can take more than was promised
    /// and funded; the breaker bounds how fast they can take it.
    pub fn record_claim(&mut self, amount: u64, now: i64) -> Result<()> {
        let total = self
            .total_claimed
            .checked_add(amount)
            .ok_or(RewardsError::Overflow)?;
        require!(
            total <= self.cumulative_total,
            RewardsError::ClaimExceedsTotal
        );
        self.breaker.record(amount, now)?;
        self.total_claimed = total;
        Ok(())
    }

    pub fn record_funding(&mut self, amount: u64) -> Result<()> {
        self.total_funded = self
            .total_funded
            .checked_add(amount)
            .ok_or(RewardsError::Overflow)?;
        Ok(())
    }

    pub fn add_ledger_page(&mut self, page: u32) -> Result<()> {
        require_eq!(page, self.ledger_pages, RewardsError::LedgerPageOutOfOrder);
        self.ledger_pages = page.checked_add(1).ok_or(RewardsError::Overflow)?;
        Ok(())
    }

    /// What the distributor PDA signs with (its stored bump: no search).
    pub fn signer(&self) -> DistributorSigner {
        DistributorSigner {
            network: self.network,
            mint: self.mint,
            pool_id: self.pool_id.to_le_bytes(),
            bump: [self.bump],
        }
    }
}

/// The distributor PDA's seeds, copied out so the account is not borrowed
/// while it signs a transfer.
pub struct DistributorSigner {
    pub network: Pubkey,
    pub mint: Pubkey,
    pub pool_id: [u8; 2],
    pub bump: [u8; 1],
}

// Claims rely on the layout being exactly the fields (no implicit padding).
const _: () = assert!(Distributor::SIZE == 8 + 5 * 32 + 5 * 8 + 32 + 2 * 4 + 2 + 4 + 2);
