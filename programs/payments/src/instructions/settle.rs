use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};
use depin_registry::attestation::INSTRUCTIONS_SYSVAR_ID;
use depin_registry::meter::MeterReading;
use depin_registry::state::Device;
use depin_revenue::program::DepinRevenue;
use depin_revenue::state::RevenuePool;

use crate::errors::PaymentsError;
use crate::events::{SessionEnd, SessionSettled};
use crate::machine::Machine;
use crate::payout::{self, require_token_account, SessionSeeds};
use crate::signature::require_signed_by_device;
use crate::state::{Session, Split};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettleArgs {
    /// The session's cumulative meter reading.
    pub units: u64,
    pub sequence: u64,
    /// The device ends the session: the rest of the deposit goes back.
    pub is_final: bool,
}

impl SettleArgs {
    pub fn reading(&self) -> MeterReading {
        MeterReading {
            units: self.units,
            sequence: self.sequence,
            is_final: self.is_final,
        }
    }
}

/// Settles a device-signed cumulative reading: the instruction right before
/// this one is the Ed25519 precompile over `depin_registry::meter::message`.
/// Anyone may submit it (the device needs no SOL). The new units are charged
/// at the session's price, capped by the deposit, and split at once: the
/// market fee, the operator's cut when the device has an operator, and the
/// rest to the machine (its revenue pool when tokenized and shares earn
/// there, else its owner, or the asset's authority while no share earns).
/// A final reading refunds the rest to the customer and returns both rents.
#[derive(Accounts)]
pub struct Settle<'info> {
    #[account(
        mut,
        has_one = device @ PaymentsError::WrongAccount,
        has_one = escrow @ PaymentsError::WrongAccount,
        has_one = refund_account @ PaymentsError::WrongAccount,
        has_one = rent_payer @ PaymentsError::WrongAccount
    )]
    pub session: Box<Account<'info, Session>>,
    #[account(mut)]
    pub escrow: Box<Account<'info, TokenAccount>>,
    pub device: Box<Account<'info, Device>>,
    /// CHECK: the account at the device's owner address (checked in
    /// `Machine::of`): a wallet, or the device's asset when tokenized.
    pub device_owner: UncheckedAccount<'info>,
    /// CHECK: address-checked against the session; when it charges a fee.
    #[account(mut)]
    pub fee_account: Option<UncheckedAccount<'info>>,
    /// CHECK: the operator's token account (checked in the handler); when
    /// the device has an operator and the session an operator's cut.
    #[account(mut)]
    pub operator_account: Option<UncheckedAccount<'info>>,
    /// CHECK: the owner's token account, or the asset authority's while no
    /// share earns (checked in the handler); not needed when the revenue
    /// pool is paid.
    #[account(mut)]
    pub machine_account: Option<UncheckedAccount<'info>>,
    /// The asset's revenue pool, for a tokenized device (address-checked).
    #[account(mut)]
    pub revenue_pool: Option<Box<Account<'info, RevenuePool>>>,
    /// CHECK: checked by the revenue program against the pool.
    #[account(mut)]
    pub revenue_vault: Option<UncheckedAccount<'info>>,
    pub revenue_program: Option<Program<'info, DepinRevenue>>,
    /// CHECK: address-checked against the session.
    #[account(mut)]
    pub refund_account: UncheckedAccount<'info>,
    /// CHECK: address-checked against the session.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
    /// CHECK: address-checked: the instructions sysvar (not spoofable).
    #[account(address = INSTRUCTIONS_SYSVAR_ID)]
    pub instructions_sysvar: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl Settle<'_> {
    pub fn validate(&self, args: &SettleArgs) -> Result<()> {
        self.session.require_device(&self.device)?;
        require_signed_by_device(
            &self.instructions_sysvar,
            &self.device,
            &self.session.key(),
            self.session.opened_at,
            &args.reading(),
        )
    }
}

pub fn handler(ctx: Context<Settle>, args: SettleArgs) -> Result<()> {
    let accounts = ctx.accounts;
    let has_operator = accounts.device.operator != Pubkey::default();
    let now = Clock::get()?.unix_timestamp;
    let split = accounts
        .session
        .settle(&args.reading(), &accounts.device, now, has_operator)?;
    let seeds = SessionSeeds::of(&accounts.session);
    let to_revenue_pool = accounts.pay(&split, &seeds)?;
    let session = &accounts.session;
    emit!(SessionSettled {
        session: session.key(),
        units: session.units,
        sequence: session.sequence,
        amount: split.amount,
        fee: split.fee,
        operator: split.operator,
        machine: split.machine,
        to_revenue_pool,
        settled: session.settled,
    });
    if args.is_final {
        payout::end_session(
            &mut accounts.session,
            &mut accounts.escrow,
            &accounts.refund_account,
            &accounts.rent_payer,
            &accounts.token_program,
            SessionEnd::Final,
        )?;
    }
    Ok(())
}

impl<'info> Settle<'info> {
    /// Pays the split out of the escrow; true when the machine's part went
    /// into the revenue pool.
    fn pay(&self, split: &Split, seeds: &SessionSeeds) -> Result<bool> {
        let session = self.session.to_account_info();
        let escrow = self.escrow.to_account_info();
        let token_program = self.token_program.to_account_info();
        let pay = |to: &AccountInfo<'info>, amount: u64| {
            payout::pay(&session, seeds, &escrow, to, &token_program, amount)
        };
        if split.fee > 0 {
            let fee_account = self
                .fee_account
                .as_ref()
                .ok_or(PaymentsError::WrongFeeAccount)?;
            require_keys_eq!(
                fee_account.key(),
                self.session.fee_account,
                PaymentsError::WrongFeeAccount
            );
            pay(fee_account, split.fee)?;
        }
        if split.operator > 0 {
            let operator_account =
                self.payout_account(&self.operator_account, &self.device.operator)?;
            pay(operator_account, split.operator)?;
        }
        if split.machine == 0 {
            return Ok(false);
        }
        match Machine::of(&self.device, &self.device_owner.to_account_info())? {
            Machine::Owned { owner } => {
                pay(
                    self.payout_account(&self.machine_account, &owner)?,
                    split.machine,
                )?;
                Ok(false)
            }
            Machine::Tokenized { asset } => {
                let pool = self
                    .revenue_pool
                    .as_ref()
                    .ok_or(PaymentsError::WrongAccount)?;
                require_keys_eq!(pool.key(), asset.revenue_pool, PaymentsError::WrongAccount);
                if pool.total_weight == 0 || pool.payment_mint != self.session.payment_mint {
                    // No share earns yet: nobody to pay pro rata, so the
                    // machine's manager is paid (as device rewards are).
                    // Likewise for a session opened before the device was
                    // tokenized, in another mint than the pool's (a tariff
                    // set before tokenizing opens no new session).
                    pay(
                        self.payout_account(&self.machine_account, &asset.authority)?,
                        split.machine,
                    )?;
                    return Ok(false);
                }
                self.deposit_revenue(pool, seeds, split.machine)?;
                Ok(true)
            }
        }
    }

    /// `slot`, checked to be a token account of the session's mint owned by `payee`.
    fn payout_account<'a>(
        &self,
        slot: &'a Option<UncheckedAccount<'info>>,
        payee: &Pubkey,
    ) -> Result<&'a AccountInfo<'info>> {
        let account = slot.as_ref().ok_or(PaymentsError::WrongPayoutAccount)?;
        require_token_account(account, &self.session.payment_mint, payee)?;
        Ok(account)
    }

    /// The revenue program's deposit, from the escrow, signed by the session.
    fn deposit_revenue(
        &self,
        pool: &Account<'info, RevenuePool>,
        seeds: &SessionSeeds,
        amount: u64,
    ) -> Result<()> {
        let (vault, program) = self
            .revenue_vault
            .as_ref()
            .zip(self.revenue_program.as_ref())
            .ok_or(PaymentsError::WrongAccount)?;
        let deposit = depin_revenue::cpi::accounts::DepositRevenue {
            depositor: self.session.to_account_info(),
            pool: pool.to_account_info(),
            revenue_vault: vault.to_account_info(),
            source: self.escrow.to_account_info(),
            token_program: self.token_program.to_account_info(),
        };
        let signer = seeds.seeds();
        depin_revenue::cpi::deposit_revenue(
            CpiContext::new_with_signer(program.key(), deposit, &[&signer]),
            amount,
        )
    }
}
