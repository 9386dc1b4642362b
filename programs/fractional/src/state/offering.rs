use anchor_lang::prelude::*;

use crate::errors::FractionalError;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum OfferingState {
    Open,
    /// Soft cap reached: proceeds paid out, unsold shares retained.
    Succeeded,
    /// Deadline passed under the soft cap: every buyer can refund in full.
    Failed,
    Cancelled,
}

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
    /// The network's fee when the offering opened.
    pub fee_bps: u16,
    pub state: OfferingState,
    pub raised: u64,
    pub refunded: u64,
    pub bump: u8,
    pub escrow_bump: u8,
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

    /// Records a sale after the checks of the offering's terms; returns the
    /// price to pay.
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

    /// Decides the outcome once the deadline passed or everything sold.
    pub fn finish(&mut self, now: i64) -> Result<OfferingState> {
        require!(
            self.state == OfferingState::Open,
            FractionalError::OfferingNotOpen
        );
        require!(
            now >= self.deadline || self.sold == self.shares_for_sale,
            FractionalError::TooEarlyToClose
        );
        self.state = if self.sold >= self.soft_cap {
            OfferingState::Succeeded
        } else {
            OfferingState::Failed
        };
        Ok(self.state)
    }

    /// The network's fee and the authority's proceeds of a success; the fee
    /// rounds down, so the split never exceeds what was raised.
    pub fn split_proceeds(&self) -> Result<(u64, u64)> {
        let fee = u128::from(self.raised) * u128::from(self.fee_bps) / 10_000;
        let fee = u64::try_from(fee).map_err(|_| FractionalError::Overflow)?;
        Ok((fee, self.raised - fee))
    }
}

/// One buyer's purchases in one offering (for caps and refunds).
#[account]
#[derive(InitSpace, Debug)]
pub struct Purchase {
    pub offering: Pubkey,
    pub buyer: Pubkey,
    pub shares: u64,
    pub paid: u64,
    pub refunded: bool,
    pub bump: u8,
}
