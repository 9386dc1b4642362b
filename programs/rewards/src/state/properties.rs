//! Property tests of the payout rules: random sequences of funded roots and
//! claims by random recipients.

use anchor_lang::prelude::Pubkey;
use proptest::prelude::*;

use super::*;
use crate::errors::RewardsError;

const RECIPIENTS: usize = 8;

#[derive(Debug, Clone)]
enum Step {
    /// Every recipient earns `rewards[i]` more; the vault is topped up by
    /// `extra_funding` beyond what is needed (possibly less: `shortfall`).
    PostRoot {
        rewards: Vec<u32>,
        shortfall: u32,
    },
    Claim {
        recipient: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (prop::collection::vec(0u32..1_000_000, RECIPIENTS), 0u32..3)
            .prop_map(|(rewards, shortfall)| { Step::PostRoot { rewards, shortfall } }),
        (0..RECIPIENTS).prop_map(|recipient| Step::Claim { recipient }),
        (0..RECIPIENTS).prop_map(|recipient| Step::Claim { recipient }),
    ]
}

fn distributor() -> Distributor {
    Distributor {
        network: Pubkey::default(),
        mint: Pubkey::default(),
        vault: Pubkey::default(),
        treasury: Pubkey::default(),
        pool_id: 0,
        bump: 255,
        vault_bump: 255,
        paused: false,
        clawed_back: false,
        root: [0; 32],
        epoch: 0,
        cumulative_total: 0,
        total_claimed: 0,
        total_funded: 0,
        recipient_count: 0,
        ledger_pages: 1,
        expires_at: 0,
    }
}

proptest! {
    /// Whatever the order of roots and claims: each recipient is paid exactly
    /// the latest cumulative amount it claimed, never more than its leaf, a
    /// repeated claim pays nothing, the vault never goes negative, and an
    /// unfunded root is refused without changing anything.
    #[test]
    fn payouts_match_cumulative_leaves(steps in prop::collection::vec(step(), 1..60)) {
        let mut d = distributor();
        let mut ledger: ClaimLedger = bytemuck::Zeroable::zeroed();
        let mut vault: u64 = 0;
        let mut funded: u64 = 0;
        let mut earned = [0u64; RECIPIENTS];
        let mut paid = [0u64; RECIPIENTS];
        // What each recipient's leaf says under the current root.
        let mut leaves = [0u64; RECIPIENTS];

        for (i, step) in steps.into_iter().enumerate() {
            match step {
                Step::PostRoot { rewards, shortfall } => {
                    let mut next = earned;
                    for (e, r) in next.iter_mut().zip(&rewards) {
                        *e += u64::from(*r);
                    }
                    let total: u64 = next.iter().sum();
                    // Fund exactly what is missing, minus the shortfall.
                    let needed = total - d.total_claimed - vault;
                    let topped = needed.saturating_sub(u64::from(shortfall));
                    let before = (d.epoch, d.cumulative_total, d.root);
                    let result = d.post_root(i as u64 + 1, [i as u8; 32], total, RECIPIENTS as u32, vault + topped);
                    if topped < needed {
                        prop_assert_eq!(result.unwrap_err(), RewardsError::RootUnfunded.into());
                        prop_assert_eq!((d.epoch, d.cumulative_total, d.root), before);
                    } else {
                        result.unwrap();
                        vault += topped;
                        funded += topped;
                        earned = next;
                        leaves = next;
                    }
                }
                Step::Claim { recipient } => {
                    let leaf = leaves[recipient];
                    match ledger.settle(recipient, leaf) {
                        Ok(owed) => {
                            d.record_claim(owed).unwrap();
                            prop_assert!(owed <= vault, "vault would go negative");
                            vault -= owed;
                            paid[recipient] += owed;
                            prop_assert_eq!(paid[recipient], leaf);
                        }
                        Err(e) => {
                            prop_assert_eq!(e, RewardsError::NothingToClaim.into());
                            prop_assert_eq!(paid[recipient], leaf);
                        }
                    }
                }
            }
            let total_paid: u64 = paid.iter().sum();
            prop_assert_eq!(total_paid, d.total_claimed);
            prop_assert!(d.total_claimed <= d.cumulative_total);
            prop_assert_eq!(vault + total_paid, funded);
            for r in 0..RECIPIENTS {
                prop_assert_eq!(ledger.claimed[r], paid[r]);
                prop_assert!(paid[r] <= earned[r]);
            }
        }
    }
}

#[test]
fn roots_only_move_forward() {
    let mut d = distributor();
    d.post_root(5, [1; 32], 100, 4, 100).unwrap();
    assert_eq!(
        d.post_root(5, [2; 32], 100, 4, 100).unwrap_err(),
        RewardsError::EpochNotIncreasing.into()
    );
    assert_eq!(
        d.post_root(6, [2; 32], 99, 4, 100).unwrap_err(),
        RewardsError::CumulativeTotalDecreased.into()
    );
    assert_eq!(
        d.post_root(6, [2; 32], 100, LEDGER_PAGE_SIZE as u32 + 1, 100)
            .unwrap_err(),
        RewardsError::LedgerTooSmall.into()
    );
    assert_eq!(
        d.post_root(6, [2; 32], u64::MAX, 4, u64::MAX - 1)
            .unwrap_err(),
        RewardsError::RootUnfunded.into()
    );
    // Vault plus claimed beyond u64::MAX still covers the largest total.
    d.total_claimed = 1;
    d.post_root(6, [2; 32], u64::MAX, 4, u64::MAX).unwrap();
    assert_eq!(
        d.record_claim(u64::MAX).unwrap_err(),
        RewardsError::Overflow.into()
    );
    d.cumulative_total = 100;
    assert_eq!(
        d.record_claim(100).unwrap_err(),
        RewardsError::ClaimExceedsTotal.into()
    );
}

#[test]
fn ledger_pages_are_added_in_order() {
    let mut d = distributor();
    assert_eq!(
        d.add_ledger_page(2).unwrap_err(),
        RewardsError::LedgerPageOutOfOrder.into()
    );
    d.add_ledger_page(1).unwrap();
    assert_eq!(d.ledger_capacity(), 2 * LEDGER_PAGE_SIZE as u64);
}
