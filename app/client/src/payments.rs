//! Metered payment sessions: builders and readers for `depin_payments`.
//! Settling needs the device's signature of a reading; the device side of
//! that lives in [`crate::device_signer`].

use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use depin_fractional::state::Asset;
use depin_payments::{accounts as accs, instruction as ixs, pda};
use depin_registry::state::Device;
use depin_revenue::state::RevenuePool;
use solana_instruction::Instruction;

pub use depin_payments::instructions::{OpenSessionArgs, SettleArgs};
pub use depin_payments::state::{MeterUnit, Session, Split, Tariff, TariffTerms};
pub use depin_registry::meter::MeterReading;

use crate::cluster::{fetch, fetch_optional, Cluster};
use crate::device_signer::SignedReading;
use crate::error::ClientError;
use crate::token::TOKEN_PROGRAM_ID;

const SYSTEM_PROGRAM: Pubkey = anchor_lang::solana_program::system_program::ID;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: depin_payments::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

pub fn tariff_address(device: &Pubkey) -> Pubkey {
    pda::tariff(device).0
}

pub fn session_address(device: &Pubkey, customer: &Pubkey, id: u64) -> Pubkey {
    pda::session(device, customer, id).0
}

pub fn escrow_address(session: &Pubkey) -> Pubkey {
    pda::escrow(session).0
}

/// The device's controller sets its tariff. `device_owner` is the device
/// record's `owner` (the asset when tokenized).
pub fn set_tariff(
    payer: &Pubkey,
    controller: &Pubkey,
    network: &Pubkey,
    device: &Pubkey,
    device_owner: &Pubkey,
    payment_mint: &Pubkey,
    terms: TariffTerms,
) -> Instruction {
    build(
        accs::SetTariff {
            payer: *payer,
            controller: *controller,
            network: *network,
            device: *device,
            device_owner: *device_owner,
            payment_mint: *payment_mint,
            tariff: tariff_address(device),
            system_program: SYSTEM_PROGRAM,
        },
        ixs::SetTariff { terms },
    )
}

pub fn set_tariff_paused(
    controller: &Pubkey,
    device: &Pubkey,
    device_owner: &Pubkey,
    paused: bool,
) -> Instruction {
    build(
        accs::SetTariffPaused {
            controller: *controller,
            device: *device,
            device_owner: *device_owner,
            tariff: tariff_address(device),
        },
        ixs::SetTariffPaused { paused },
    )
}

/// Where a new session's money comes from and which fee account it records.
#[derive(Debug, Clone, Copy)]
pub struct SessionOpening {
    pub payer: Pubkey,
    pub customer: Pubkey,
    pub network: Pubkey,
    pub device: Pubkey,
    pub payment_mint: Pubkey,
    /// The customer's token account the deposit comes from (and returns to).
    pub customer_source: Pubkey,
    /// The market fee recipient's token account, when the market charges a fee.
    pub fee_account: Option<Pubkey>,
}

pub fn open_session(opening: &SessionOpening, args: OpenSessionArgs) -> Instruction {
    let session = session_address(&opening.device, &opening.customer, args.id);
    build(
        accs::OpenSession {
            payer: opening.payer,
            customer: opening.customer,
            network: opening.network,
            device: opening.device,
            tariff: tariff_address(&opening.device),
            payment_mint: opening.payment_mint,
            session,
            escrow: escrow_address(&session),
            customer_source: opening.customer_source,
            market: crate::fractional::market_address(&opening.network),
            fee_account: opening.fee_account,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::OpenSession { args },
    )
}

/// Everything a settlement of `session` pays, read from the chain: the
/// accounts `settle` needs besides the reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettlementAccounts {
    pub session: Pubkey,
    pub stored: SessionKeys,
    pub device: Pubkey,
    pub device_owner: Pubkey,
    pub fee_account: Option<Pubkey>,
    pub operator_account: Option<Pubkey>,
    pub machine_account: Option<Pubkey>,
    /// The tokenized device's revenue pool and its vault.
    pub revenue: Option<(Pubkey, Pubkey)>,
}

/// The session's own accounts `settle` and `reclaim` are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionKeys {
    pub escrow: Pubkey,
    pub refund_account: Pubkey,
    pub rent_payer: Pubkey,
}

impl SessionKeys {
    pub fn of(session: &Session) -> Self {
        SessionKeys {
            escrow: session.escrow,
            refund_account: session.refund_account,
            rent_payer: session.rent_payer,
        }
    }
}

/// The two instructions that settle a signed reading: the Ed25519 precompile
/// carrying the device's signature, then `settle`. Send both, in this
/// order, in one transaction; anyone may (the device needs no SOL).
pub fn settle_instructions(
    accounts: &SettlementAccounts,
    signed: &SignedReading,
) -> [Instruction; 2] {
    let reading = signed.reading;
    let settle = build(
        accs::Settle {
            session: accounts.session,
            escrow: accounts.stored.escrow,
            device: accounts.device,
            device_owner: accounts.device_owner,
            fee_account: accounts.fee_account,
            operator_account: accounts.operator_account,
            machine_account: accounts.machine_account,
            revenue_pool: accounts.revenue.map(|(pool, _)| pool),
            revenue_vault: accounts.revenue.map(|(_, vault)| vault),
            revenue_program: accounts.revenue.map(|_| depin_revenue::ID),
            refund_account: accounts.stored.refund_account,
            rent_payer: accounts.stored.rent_payer,
            instructions_sysvar: depin_registry::attestation::INSTRUCTIONS_SYSVAR_ID,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::Settle {
            args: SettleArgs {
                units: reading.units,
                sequence: reading.sequence,
                is_final: reading.is_final,
            },
        },
    );
    [signed.ed25519_instruction(), settle]
}

/// After the deadline anyone ends the session; the rest goes back to the
/// refund account.
pub fn reclaim(session: &Pubkey, keys: &SessionKeys) -> Instruction {
    reclaim_to(session, keys, None)
}

/// [`reclaim`], refunding to `customer_account` (a token account of the
/// session's mint owned by its customer) when the refund account is gone.
pub fn reclaim_to(
    session: &Pubkey,
    keys: &SessionKeys,
    customer_account: Option<Pubkey>,
) -> Instruction {
    build(
        accs::Reclaim {
            session: *session,
            escrow: keys.escrow,
            refund_account: keys.refund_account,
            rent_payer: keys.rent_payer,
            customer_account,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::Reclaim {},
    )
}

/// Everything that reclaims `session_address` now: when the customer closed
/// the account the deposit came from, its associated account (created
/// first, `payer` paying its rent) receives the refund instead. Returns the
/// instructions and the account refunded.
pub async fn reclaim_instructions(
    cluster: &impl Cluster,
    payer: &Pubkey,
    session_address: &Pubkey,
) -> Result<(Vec<Instruction>, Pubkey), ClientError> {
    let stored = session(cluster, session_address).await?;
    let keys = SessionKeys::of(&stored);
    let refund_live = cluster
        .get_account(&stored.refund_account)
        .await?
        .is_some_and(|account| account.owner == TOKEN_PROGRAM_ID && !account.data.is_empty());
    if refund_live {
        return Ok((vec![reclaim(session_address, &keys)], stored.refund_account));
    }
    let (account, create) =
        crate::token::receiving_account(cluster, payer, &stored.customer, &stored.payment_mint)
            .await?;
    let mut instructions: Vec<Instruction> = create.into_iter().collect();
    instructions.push(reclaim_to(session_address, &keys, Some(account)));
    Ok((instructions, account))
}

// ---- readers ----

pub async fn tariff(cluster: &impl Cluster, device: &Pubkey) -> Result<Tariff, ClientError> {
    fetch(cluster, &tariff_address(device)).await
}

pub async fn tariff_optional(
    cluster: &impl Cluster,
    device: &Pubkey,
) -> Result<Option<Tariff>, ClientError> {
    fetch_optional(cluster, &tariff_address(device)).await
}

pub async fn session(cluster: &impl Cluster, session: &Pubkey) -> Result<Session, ClientError> {
    fetch(cluster, session).await
}

pub async fn session_optional(
    cluster: &impl Cluster,
    session: &Pubkey,
) -> Result<Option<Session>, ClientError> {
    fetch_optional(cluster, session).await
}

/// The accounts a settlement of `session` pays, as the program will check
/// them now: the fee account the session recorded; the operator's and the
/// payee's token accounts in the session's mint (their default accounts,
/// else their associated ones, which [`payout_account_instructions`] creates);
/// for a tokenized device its revenue pool, plus its manager's account
/// while no share earns.
pub async fn settlement_accounts(
    cluster: &impl Cluster,
    session_address: &Pubkey,
) -> Result<SettlementAccounts, ClientError> {
    let stored = session(cluster, session_address).await?;
    let device: Device = fetch(cluster, &stored.device).await?;
    let mint = stored.payment_mint;
    let payee_account =
        |owner: Pubkey| async move { crate::token::payout_address(cluster, &owner, &mint).await };
    let fee_account = (stored.fee_bps > 0).then_some(stored.fee_account);
    let operator_account = if device.operator != Pubkey::default() && stored.operator_cut_bps > 0 {
        Some(payee_account(device.operator).await?)
    } else {
        None
    };
    let (machine_account, revenue) = match machine_of(cluster, &device).await? {
        Machine::Owned { owner } => (Some(payee_account(owner).await?), None),
        Machine::Tokenized { asset, pool } => {
            // While no share earns, or for a session in another mint than
            // the pool's, the program pays the asset's manager.
            let manager = if pool.total_weight == 0 || pool.payment_mint != mint {
                Some(payee_account(asset.authority).await?)
            } else {
                None
            };
            (manager, Some((asset.revenue_pool, pool.revenue_vault)))
        }
    };
    Ok(SettlementAccounts {
        session: *session_address,
        stored: SessionKeys::of(&stored),
        device: stored.device,
        device_owner: device.owner,
        fee_account,
        operator_account,
        machine_account,
        revenue,
    })
}

/// Instructions creating the payout accounts of `accounts` that do not
/// exist yet (associated accounts, paid by `payer`), to run before settle.
pub async fn payout_account_instructions(
    cluster: &impl Cluster,
    payer: &Pubkey,
    accounts: &SettlementAccounts,
    session: &Session,
) -> Result<Vec<Instruction>, ClientError> {
    let device: Device = fetch(cluster, &accounts.device).await?;
    let mut payees = vec![];
    if let Some(operator_account) = accounts.operator_account {
        payees.push((device.operator, operator_account));
    }
    if let Some(machine_account) = accounts.machine_account {
        let payee = match machine_of(cluster, &device).await? {
            Machine::Owned { owner } => owner,
            Machine::Tokenized { asset, .. } => asset.authority,
        };
        payees.push((payee, machine_account));
    }
    let mut instructions = vec![];
    for (owner, account) in payees {
        if cluster.get_account(&account).await?.is_none() {
            instructions.push(crate::token::create_associated_idempotent(
                payer,
                &owner,
                &session.payment_mint,
            ));
        }
    }
    Ok(instructions)
}

/// Who a device's earnings go to, as the program tells it: the account at
/// the device's owner address is its asset when the fractional program owns
/// it.
pub enum Machine {
    Owned {
        owner: Pubkey,
    },
    Tokenized {
        asset: Box<Asset>,
        pool: Box<RevenuePool>,
    },
}

pub async fn machine_of(cluster: &impl Cluster, device: &Device) -> Result<Machine, ClientError> {
    match cluster.get_account(&device.owner).await? {
        Some(account) if account.owner == depin_fractional::ID => {
            let asset: Asset = fetch(cluster, &device.owner).await?;
            let pool: RevenuePool = fetch(cluster, &asset.revenue_pool).await?;
            Ok(Machine::Tokenized {
                asset: Box::new(asset),
                pool: Box::new(pool),
            })
        }
        _ => Ok(Machine::Owned {
            owner: device.owner,
        }),
    }
}

/// A customer's sessions (open ones: a session account closes when it ends).
pub async fn sessions_of(
    cluster: &impl Cluster,
    customer: &Pubkey,
) -> Result<Vec<(Pubkey, Session)>, ClientError> {
    crate::cluster::fetch_all(
        cluster,
        &depin_payments::ID,
        &[crate::AccountFilter::Memcmp {
            offset: offsets::SESSION_CUSTOMER,
            bytes: customer.to_bytes().to_vec(),
        }],
    )
    .await
}

/// Byte offsets of fields that reads filter on (after the 8-byte discriminator).
pub mod offsets {
    pub const SESSION_DEVICE: usize = 8;
    pub const SESSION_CUSTOMER: usize = 40;
}

/// What a device signs a reading of `session` against.
pub async fn reading_target(
    cluster: &impl Cluster,
    session_address: &Pubkey,
) -> Result<crate::device_signer::ReadingTarget, ClientError> {
    let stored = session(cluster, session_address).await?;
    let device: Device = fetch(cluster, &stored.device).await?;
    Ok(crate::device_signer::ReadingTarget {
        device: stored.device,
        device_key: device.device_key,
        registration: stored.registration,
        session: *session_address,
        opened_at: stored.opened_at,
    })
}

/// Everything that settles `signed`: instructions creating missing payout
/// accounts (paid by `payer`), then the Ed25519 check and `settle`.
pub async fn settle_reading_instructions(
    cluster: &impl Cluster,
    payer: &Pubkey,
    signed: &SignedReading,
) -> Result<Vec<Instruction>, ClientError> {
    let session_address = signed.target.session;
    let stored = session(cluster, &session_address).await?;
    let accounts = settlement_accounts(cluster, &session_address).await?;
    let mut instructions = payout_account_instructions(cluster, payer, &accounts, &stored).await?;
    instructions.extend(settle_instructions(&accounts, signed));
    Ok(instructions)
}

/// A session about to open, with the instructions that open it.
#[derive(Debug, Clone)]
pub struct OpenSessionPlan {
    pub session: Pubkey,
    pub opening: SessionOpening,
    pub tariff: Tariff,
    /// Creating the market fee recipient's account when missing, then
    /// `open_session`.
    pub instructions: Vec<Instruction>,
}

/// Plans `customer`'s session `id` at `device` with `deposit`, paying from
/// `source` (default: the customer's default account of the tariff's mint).
pub async fn open_session_instructions(
    cluster: &impl Cluster,
    payer: &Pubkey,
    customer: &Pubkey,
    device: &Pubkey,
    args: OpenSessionArgs,
    source: Option<Pubkey>,
) -> Result<OpenSessionPlan, ClientError> {
    let stored_tariff = tariff(cluster, device).await?;
    let mint = stored_tariff.payment_mint;
    let customer_source = match source {
        Some(source) => source,
        None => crate::token::payout_address(cluster, customer, &mint).await?,
    };
    let mut instructions = vec![];
    let market = crate::fractional::market(cluster, &stored_tariff.network).await?;
    let fee_account = match market {
        Some(market) if market.fee_bps > 0 => {
            let (address, create) =
                crate::token::receiving_account(cluster, payer, &market.fee_recipient, &mint)
                    .await?;
            instructions.extend(create);
            Some(address)
        }
        _ => None,
    };
    let opening = SessionOpening {
        payer: *payer,
        customer: *customer,
        network: stored_tariff.network,
        device: *device,
        payment_mint: mint,
        customer_source,
        fee_account,
    };
    instructions.push(open_session(&opening, args));
    Ok(OpenSessionPlan {
        session: session_address(device, customer, args.id),
        opening,
        tariff: stored_tariff,
        instructions,
    })
}
