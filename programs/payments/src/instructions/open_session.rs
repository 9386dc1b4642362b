use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use depin_fractional::pda::MARKET_SEED;
use depin_fractional::state::MarketConfig;
use depin_registry::state::{Device, Network};

use crate::errors::PaymentsError;
use crate::events::SessionOpened;
use crate::payout::require_token_account;
use crate::pda::{ESCROW_SEED, SESSION_SEED};
use crate::state::{Session, SessionTerms, Tariff};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenSessionArgs {
    /// Chosen by the customer; one session per (device, customer, id).
    pub id: u64,
    /// Moved into escrow now: the most the session can charge.
    pub deposit: u64,
}

/// A customer opens a session at a device: the deposit (at least the
/// tariff's minimum) moves into the session's escrow, and the session keeps
/// the tariff's terms and the market's fee as they are now. Only while the
/// tariff is unpaused, the device active and its network unpaused. The
/// payer gets both rents back when the session ends.
#[derive(Accounts)]
#[instruction(args: OpenSessionArgs)]
pub struct OpenSession<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub customer: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    pub device: Box<Account<'info, Device>>,
    #[account(
        has_one = device @ PaymentsError::WrongAccount,
        has_one = network @ PaymentsError::WrongAccount,
        has_one = payment_mint @ PaymentsError::WrongAccount
    )]
    pub tariff: Box<Account<'info, Tariff>>,
    pub payment_mint: Box<Account<'info, Mint>>,
    #[account(
        init,
        payer = payer,
        space = 8 + Session::INIT_SPACE,
        seeds = [
            SESSION_SEED,
            device.key().as_ref(),
            customer.key().as_ref(),
            &args.id.to_le_bytes()
        ],
        bump
    )]
    pub session: Box<Account<'info, Session>>,
    #[account(
        init,
        payer = payer,
        seeds = [ESCROW_SEED, session.key().as_ref()],
        bump,
        token::mint = payment_mint,
        token::authority = session,
        token::token_program = token_program
    )]
    pub escrow: Box<Account<'info, TokenAccount>>,
    /// CHECK: the customer's token account the deposit comes from (the token
    /// program checks it); unused deposit goes back here.
    #[account(mut)]
    pub customer_source: UncheckedAccount<'info>,
    /// CHECK: the network's market settings at their fixed address (seeds
    /// checked), read if they exist: nobody can leave them out to skip the
    /// network's fee.
    #[account(seeds = [MARKET_SEED, network.key().as_ref()], bump, seeds::program = depin_fractional::ID)]
    pub market: UncheckedAccount<'info>,
    /// CHECK: the market fee recipient's token account in the payment mint
    /// (checked in validate); needed only when the market charges a fee.
    pub fee_account: Option<UncheckedAccount<'info>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl OpenSession<'_> {
    pub fn validate(&self, args: &OpenSessionArgs) -> Result<()> {
        self.tariff
            .require_open_for(&self.device, &self.network, args.deposit)?;
        self.fee_account_for(MarketConfig::fee_at(&self.market)?)?;
        Ok(())
    }

    /// The fee account a session records: the recipient's token account in
    /// the payment mint when there is a fee, else none.
    fn fee_account_for(&self, (fee_bps, fee_recipient): (u16, Pubkey)) -> Result<Pubkey> {
        if fee_bps == 0 {
            return Ok(Pubkey::default());
        }
        let account = self
            .fee_account
            .as_ref()
            .ok_or(PaymentsError::WrongFeeAccount)?;
        require_token_account(account, &self.payment_mint.key(), &fee_recipient)
            .map_err(|_| error!(PaymentsError::WrongFeeAccount))?;
        Ok(account.key())
    }
}

pub fn handler(ctx: Context<OpenSession>, args: OpenSessionArgs) -> Result<()> {
    let accounts = ctx.accounts;
    let market_fee = MarketConfig::fee_at(&accounts.market)?;
    let fee_account = accounts.fee_account_for(market_fee)?;
    let terms = SessionTerms {
        tariff: accounts.tariff.terms(),
        fee_bps: market_fee.0,
        deposit: args.deposit,
        opened_at: Clock::get()?.unix_timestamp,
    };
    let deadline = Session::deadline_for(&terms)?;
    accounts.session.set_inner(Session {
        device: accounts.device.key(),
        customer: accounts.customer.key(),
        id: args.id,
        registration: accounts.device.registration,
        payment_mint: accounts.payment_mint.key(),
        escrow: accounts.escrow.key(),
        refund_account: accounts.customer_source.key(),
        fee_account,
        rent_payer: accounts.payer.key(),
        unit: terms.tariff.unit,
        price_per_unit: terms.tariff.price_per_unit,
        fee_bps: terms.fee_bps,
        operator_cut_bps: terms.tariff.operator_cut_bps,
        deposit: terms.deposit,
        settled: 0,
        units: 0,
        sequence: 0,
        opened_at: terms.opened_at,
        deadline,
        bump: ctx.bumps.session,
        escrow_bump: ctx.bumps.escrow,
    });
    depin_token_cpi::transfer(
        &accounts.customer_source,
        &accounts.escrow.to_account_info(),
        &accounts.customer,
        &accounts.token_program,
        args.deposit,
    )?;
    let session = &accounts.session;
    emit!(SessionOpened {
        session: session.key(),
        device: session.device,
        customer: session.customer,
        id: session.id,
        deposit: session.deposit,
        payment_mint: session.payment_mint,
        unit: session.unit,
        price_per_unit: session.price_per_unit,
        fee_bps: session.fee_bps,
        operator_cut_bps: session.operator_cut_bps,
        deadline,
    });
    Ok(())
}
