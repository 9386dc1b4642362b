//! One event per state change; the crank and indexers follow these.

use anchor_lang::prelude::*;

use crate::state::OfferingState;

#[event]
#[derive(Debug, Clone)]
pub struct MarketConfigured {
    pub network: Pubkey,
    pub fee_bps: u16,
    pub fee_recipient: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct AllowlistSet {
    pub network: Pubkey,
    pub investor: Pubkey,
    pub allowed: bool,
    pub by: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct AssetCreated {
    pub asset: Pubkey,
    pub device: Pubkey,
    pub authority: Pubkey,
    pub share_mint: Pubkey,
    pub revenue_pool: Pubkey,
    pub payment_mint: Pubkey,
    pub total_shares: u64,
}

#[event]
#[derive(Debug, Clone)]
pub struct SharesRetained {
    pub asset: Pubkey,
    pub authority: Pubkey,
    pub shares: u64,
    pub issued: u64,
}

#[event]
#[derive(Debug, Clone)]
pub struct OfferingCreated {
    pub asset: Pubkey,
    pub offering: Pubkey,
    pub id: u16,
    pub price_per_share: u64,
    pub shares_for_sale: u64,
    pub soft_cap: u64,
    pub deadline: i64,
    pub fee_bps: u16,
}

#[event]
#[derive(Debug, Clone)]
pub struct SharesBought {
    pub offering: Pubkey,
    pub buyer: Pubkey,
    pub shares: u64,
    pub cost: u64,
    pub sold: u64,
}

#[event]
#[derive(Debug, Clone)]
pub struct OfferingClosed {
    pub offering: Pubkey,
    pub state: OfferingState,
    pub sold: u64,
    pub raised: u64,
    pub fee: u64,
    pub proceeds: u64,
    pub retained_by_authority: u64,
}

/// A failed offering's sold shares were burned and the revenue they earned
/// while it was open went back to the pool (see the revenue program's
/// `HoldingDissolved`).
#[event]
#[derive(Debug, Clone)]
pub struct OfferingUnwound {
    pub offering: Pubkey,
    pub shares_burned: u64,
}

/// A successful offering's purchase reached the buyer's holding, with the
/// revenue its shares earned since the purchase.
#[event]
#[derive(Debug, Clone)]
pub struct PurchaseDelivered {
    pub offering: Pubkey,
    pub buyer: Pubkey,
    pub shares: u64,
    pub revenue: u64,
}

#[event]
#[derive(Debug, Clone)]
pub struct Refunded {
    pub offering: Pubkey,
    pub buyer: Pubkey,
    pub amount: u64,
}

#[event]
#[derive(Debug, Clone)]
pub struct OfferingCancelled {
    pub offering: Pubkey,
}

/// Every purchase of a finished offering is delivered or refunded: its
/// accounts closed and their rent went back to whoever paid it.
#[event]
#[derive(Debug, Clone)]
pub struct OfferingSettled {
    pub offering: Pubkey,
    pub rent_to: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct AssetRetired {
    pub asset: Pubkey,
    pub device: Pubkey,
    /// The open offering failed by the retirement, if there was one.
    pub failed_offering: Option<Pubkey>,
}

#[event]
#[derive(Debug, Clone)]
pub struct AssetAuthorityTransferred {
    pub asset: Pubkey,
    pub from: Pubkey,
    pub to: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct AssetOperatorSet {
    pub asset: Pubkey,
    pub device: Pubkey,
    pub operator: Pubkey,
}
