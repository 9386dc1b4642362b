//! The claim path shared by `claim` (recipient signs) and `push_claim`
//! (anyone pays out to the recipient's own token account).

use anchor_lang::prelude::*;
use depin_merkle::{leaf_hash, verify, MAX_PROOF_LEN};

use crate::errors::RewardsError;
use crate::state::{ClaimLedger, Distributor, DistributorSigner};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ClaimArgs {
    /// The recipient's stable leaf index (also its ledger slot).
    pub index: u32,
    /// Everything the recipient has earned so far, per the current root.
    pub cumulative_amount: u64,
    pub proof: Vec<[u8; 32]>,
}

impl ClaimArgs {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.proof.len() <= MAX_PROOF_LEN,
            RewardsError::ProofTooLong
        );
        Ok(())
    }
}

/// What a settled claim pays, and how the distributor signs for it.
pub struct Settled {
    pub amount: u64,
    pub signer: DistributorSigner,
}

/// Checks the distributor is open, the leaf against the current root and
/// the ledger, records the payout (counted by the circuit breaker), and
/// returns the amount still owed. The caller transfers it (the distributor
/// is no longer borrowed then).
pub fn settle(
    distributor: &AccountLoader<Distributor>,
    ledger: &AccountLoader<ClaimLedger>,
    recipient: &Pubkey,
    args: &ClaimArgs,
) -> Result<Settled> {
    // One clock read serves the expiry and the breaker.
    let now = Clock::get()?.unix_timestamp;
    let key = distributor.key();
    let mut distributor = distributor.load_mut()?;
    distributor.require_claimable(now)?;
    require!(
        args.index < distributor.recipient_count,
        RewardsError::InvalidProof
    );
    let leaf = leaf_hash(
        &key.to_bytes(),
        &recipient.to_bytes(),
        args.index,
        args.cumulative_amount,
    );
    require!(
        verify(&distributor.root, &leaf, args.index, &args.proof),
        RewardsError::InvalidProof
    );

    let (page, slot) = ClaimLedger::locate(args.index);
    let mut ledger = ledger.load_mut()?;
    require!(
        ledger.distributor == key && ledger.page == page,
        RewardsError::WrongLedgerPage
    );
    let amount = ledger.settle(slot, args.cumulative_amount)?;
    distributor.record_claim(amount, now)?;
    Ok(Settled {
        amount,
        signer: distributor.signer(),
    })
}
