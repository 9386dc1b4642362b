use anchor_lang::prelude::*;
use depin_accrual::{AccrualError, Position, RewardIndex};

use crate::errors::FractionalError;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum OfferingState {
    Open,
    /// Soft cap reached with the machine in service: proceeds paid out,
    /// unsold shares retained, purchases delivered to buyers' holdings.
    Succeeded,
    /// Under the soft cap at the deadline, or the machine out of service
    /// when it ended: every buyer is refunded in full.
    Failed,
    Cancelled,
}

/// An offering of an asset's shares. Sold shares sit in the offering's own
/// holding in the revenue pool until the outcome: they earn there from the
/// moment of purchase, and the offering splits what they earn among its
/// purchases with a second reward-per-share index (`revenue_*`). A success
/// delivers each purchase's shares and revenue to the buyer's holding; a
/// failure returns the offering holding's revenue to the pool's other
/// holders and refunds every buyer: a failed buyer never ends with more than
/// it paid.
#[account]
#[derive(InitSpace, Debug)]
pub struct Offering {
    pub asset: Pubkey,
    pub id: u16,
    pub payment_mint: Pubkey,
    pub escrow: Pubkey,
    pub price_per_share: u64,
    pub shares_for_sale: u64,
    pub sold: u64,
    /// Shares that must sell for the offering to succeed.
    pub soft_cap: u64,
    pub deadline: i64,
    /// Most shares one buyer may hold from this offering; 0 = no cap.
    pub per_investor_cap: u64,
    pub allowlist_required: bool,
    /// The network's fee and its recipient when the offering opened.
    pub fee_bps: u16,
    pub fee_recipient: Pubkey,
    /// Paid the offering's rent (offering, escrow, holding); gets it back.
    pub rent_payer: Pubkey,
    pub state: OfferingState,
    pub raised: u64,
    pub refunded: u64,
    /// Purchase records not yet delivered or refunded (each closes then).
    pub open_purchases: u32,
    /// Sold shares delivered to buyers' holdings after a success.
    pub delivered: u64,
    /// Revenue per share of the offering's holding (scaled, see depin-accrual).
    pub revenue_per_share: u128,
    pub revenue_dust: u128,
    /// The offering holding's claimable revenue already split among purchases.
    pub revenue_seen: u64,
    pub bump: u8,
    pub escrow_bump: u8,
}

fn accounting(error: AccrualError) -> Error {
    match error {
        AccrualError::Overflow => error!(FractionalError::Overflow),
        _ => error!(FractionalError::AccountingInconsistent),
    }
}

impl Offering {
    pub fn require_open(&self, now: i64) -> Result<()> {
        require!(
            self.state == OfferingState::Open,
            FractionalError::OfferingNotOpen
        );
        require!(now < self.deadline, FractionalError::DeadlinePassed);
        Ok(())
    }

    /// A buyer's first purchase opens its record.
    pub fn open_purchase(
        &mut self,
        purchase: &mut Purchase,
        key: Pubkey,
        buyer: Pubkey,
        bump: u8,
    ) -> Result<()> {
        if purchase.offering != Pubkey::default() {
            return Ok(());
        }
        purchase.offering = key;
        purchase.buyer = buyer;
        purchase.bump = bump;
        purchase.index_snapshot = self.revenue_per_share;
        self.open_purchases = self
            .open_purchases
            .checked_add(1)
            .ok_or(FractionalError::Overflow)?;
        Ok(())
    }

    /// Records a sale after the checks of the offering's terms; returns the
    /// price to pay. Settle the purchase's revenue first.
    pub fn sell(&mut self, purchase: &mut Purchase, shares: u64) -> Result<u64> {
        require!(shares > 0, FractionalError::ZeroAmount);
        let sold = self
            .sold
            .checked_add(shares)
            .ok_or(FractionalError::Overflow)?;
        require!(sold <= self.shares_for_sale, FractionalError::SoldOut);
        let held = purchase
            .shares
            .checked_add(shares)
            .ok_or(FractionalError::Overflow)?;
        require!(
            self.per_investor_cap == 0 || held <= self.per_investor_cap,
            FractionalError::InvestorCapExceeded
        );
        let cost = shares
            .checked_mul(self.price_per_share)
            .ok_or(FractionalError::Overflow)?;
        self.sold = sold;
        self.raised = self
            .raised
            .checked_add(cost)
            .ok_or(FractionalError::Overflow)?;
        purchase.shares = held;
        purchase.paid = purchase
            .paid
            .checked_add(cost)
            .ok_or(FractionalError::Overflow)?;
        Ok(cost)
    }

    /// Decides the outcome once the deadline passed, or everything sold with
    /// the machine in service, or at once if the asset was retired: a
    /// success needs the soft cap and the machine in service. (A sold-out
    /// offering of a suspended machine waits for its deadline: the
    /// suspension may be lifted by then.)
    pub fn finish(&mut self, now: i64, in_service: bool, retired: bool) -> Result<OfferingState> {
        require!(
            self.state == OfferingState::Open,
            FractionalError::OfferingNotOpen
        );
        require!(
            retired || now >= self.deadline || (self.sold == self.shares_for_sale && in_service),
            FractionalError::TooEarlyToClose
        );
        self.state = if self.sold >= self.soft_cap && in_service {
            OfferingState::Succeeded
        } else {
            OfferingState::Failed
        };
        Ok(self.state)
    }

    /// The network's fee and the authority's proceeds of a success, out of
    /// what the escrow holds. The fee is on what was raised and rounds down;
    /// anything sent to the escrow outside a purchase goes with the proceeds.
    pub fn split_proceeds(&self, escrow_balance: u64) -> Result<(u64, u64)> {
        let fee = u128::from(self.raised) * u128::from(self.fee_bps) / 10_000;
        let fee = u64::try_from(fee).map_err(|_| FractionalError::Overflow)?;
        let proceeds = escrow_balance
            .checked_sub(fee)
            .ok_or(FractionalError::AccountingInconsistent)?;
        Ok((fee, proceeds))
    }

    fn revenue_index(&self) -> RewardIndex {
        RewardIndex {
            reward_per_weight: self.revenue_per_share,
            dust: self.revenue_dust,
        }
    }

    /// Splits what the offering holding earned since the last sync
    /// (`holding_claimable` is its claimable revenue now) among the shares
    /// still in it, pro rata. Call before any purchase changes.
    pub fn sync_revenue(&mut self, holding_claimable: u64) -> Result<()> {
        let earned = holding_claimable
            .checked_sub(self.revenue_seen)
            .ok_or(FractionalError::AccountingInconsistent)?;
        if earned > 0 {
            let mut index = self.revenue_index();
            index
                .distribute(earned, u128::from(self.undelivered()?))
                .map_err(accounting)?;
            self.revenue_per_share = index.reward_per_weight;
            self.revenue_dust = index.dust;
        }
        self.revenue_seen = holding_claimable;
        Ok(())
    }

    /// Credits a purchase with its shares' part of the offering's revenue
    /// since its last settlement (rounded down: never more than earned).
    pub fn settle_purchase(&self, purchase: &mut Purchase) -> Result<()> {
        let mut position = Position {
            weight: u128::from(purchase.shares),
            index_snapshot: purchase.index_snapshot,
            pending: purchase.revenue,
        };
        position.settle(&self.revenue_index()).map_err(accounting)?;
        purchase.index_snapshot = position.index_snapshot;
        purchase.revenue = position.pending;
        Ok(())
    }

    /// Shares sold and still in the offering's holding.
    pub fn undelivered(&self) -> Result<u64> {
        self.sold
            .checked_sub(self.delivered)
            .ok_or(error!(FractionalError::AccountingInconsistent))
    }

    /// A settled purchase leaves for the buyer's holding after a success:
    /// returns (shares, revenue) to move.
    pub fn deliver(&mut self, purchase: &Purchase) -> Result<(u64, u64)> {
        require!(
            self.state == OfferingState::Succeeded,
            FractionalError::NotSucceeded
        );
        self.delivered = self
            .delivered
            .checked_add(purchase.shares)
            .ok_or(FractionalError::Overflow)?;
        self.revenue_seen = self
            .revenue_seen
            .checked_sub(purchase.revenue)
            .ok_or(FractionalError::AccountingInconsistent)?;
        self.close_purchase()?;
        Ok((purchase.shares, purchase.revenue))
    }

    /// A buyer of a failed offering gets back what it paid.
    pub fn refund(&mut self, purchase: &Purchase) -> Result<u64> {
        require!(
            self.state == OfferingState::Failed,
            FractionalError::NotFailed
        );
        self.refunded = self
            .refunded
            .checked_add(purchase.paid)
            .ok_or(FractionalError::Overflow)?;
        self.close_purchase()?;
        Ok(purchase.paid)
    }

    fn close_purchase(&mut self) -> Result<()> {
        self.open_purchases = self
            .open_purchases
            .checked_sub(1)
            .ok_or(FractionalError::AccountingInconsistent)?;
        Ok(())
    }

    /// Every purchase has been delivered or refunded (or there were none):
    /// the offering's accounts can close.
    pub fn is_settled(&self) -> bool {
        self.state != OfferingState::Open && self.open_purchases == 0
    }
}

/// One buyer's purchases in one offering: caps, refunds, and its part of
/// the offering's revenue until delivery. Closed (rent to the buyer) when
/// delivered or refunded.
#[account]
#[derive(InitSpace, Debug)]
pub struct Purchase {
    pub offering: Pubkey,
    pub buyer: Pubkey,
    pub shares: u64,
    pub paid: u64,
    /// The offering's `revenue_per_share` at the last settlement.
    pub index_snapshot: u128,
    /// Revenue credited and not yet delivered.
    pub revenue: u64,
    pub bump: u8,
}
