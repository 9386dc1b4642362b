//! Staking: instruction builders, readers, and pending rewards computed with
//! the program's own math.

use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use depin_registry::pda::member;
use depin_staking::state::{Position, StakePool};
use depin_staking::{accounts as accs, instruction as ixs, pda};
use solana_instruction::Instruction;

pub use depin_staking::instructions::{SlashArgs, StakeArgs};
pub use depin_staking::state::{PoolParams, PositionKind, BPS, DAY};

use crate::cluster::{fetch, fetch_optional, Cluster};
use crate::error::ClientError;
use crate::token::TOKEN_PROGRAM_ID;

const SYSTEM_PROGRAM: Pubkey = anchor_lang::solana_program::system_program::ID;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: depin_staking::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// The stake pool of `network` and its two vaults.
pub fn pool_address(network: &Pubkey) -> Pubkey {
    pda::pool(network).0
}

/// `authority` needs the admin permission; the mint is the network's token.
pub fn create_pool(
    payer: &Pubkey,
    authority: &Pubkey,
    network: &Pubkey,
    mint: &Pubkey,
    treasury: &Pubkey,
    params: PoolParams,
) -> Instruction {
    let pool = pool_address(network);
    build(
        accs::CreatePool {
            payer: *payer,
            authority: *authority,
            member: member(network, authority).0,
            network: *network,
            mint: *mint,
            pool,
            stake_vault: pda::stake_vault(&pool).0,
            reward_vault: pda::reward_vault(&pool).0,
            treasury: *treasury,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::CreatePool { params },
    )
}

/// Opens position `args.id` of `owner`, paying from `source`.
pub fn stake(
    payer: &Pubkey,
    owner: &Pubkey,
    network: &Pubkey,
    source: &Pubkey,
    args: StakeArgs,
) -> Instruction {
    let pool = pool_address(network);
    build(
        accs::Stake {
            payer: *payer,
            owner: *owner,
            pool,
            position: pda::position(&pool, owner, args.id).0,
            source: *source,
            stake_vault: pda::stake_vault(&pool).0,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::Stake { args },
    )
}

/// `position` is a position or bond address (see [`position_address`], [`bond_address`]).
pub fn extend_lockup(
    owner: &Pubkey,
    network: &Pubkey,
    position: &Pubkey,
    lockup_secs: i64,
) -> Instruction {
    build(
        accs::ExtendLockup {
            owner: *owner,
            pool: pool_address(network),
            position: *position,
        },
        ixs::ExtendLockup { lockup_secs },
    )
}

/// Anyone: returns a stake whose lockup ended to the 1x weight.
pub fn expire_lockup(network: &Pubkey, position: &Pubkey) -> Instruction {
    build(
        accs::ExpireLockup {
            pool: pool_address(network),
            position: *position,
        },
        ixs::ExpireLockup {},
    )
}

pub fn claim_rewards(
    owner: &Pubkey,
    network: &Pubkey,
    position: &Pubkey,
    destination: &Pubkey,
) -> Instruction {
    let pool = pool_address(network);
    build(
        accs::ClaimRewards {
            owner: *owner,
            pool,
            position: *position,
            reward_vault: pda::reward_vault(&pool).0,
            destination: *destination,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::ClaimRewards {},
    )
}

pub fn request_unstake(owner: &Pubkey, network: &Pubkey, position: &Pubkey) -> Instruction {
    build(
        accs::RequestUnstake {
            owner: *owner,
            pool: pool_address(network),
            position: *position,
        },
        ixs::RequestUnstake {},
    )
}

pub fn withdraw(
    owner: &Pubkey,
    network: &Pubkey,
    position: &Pubkey,
    destination: &Pubkey,
) -> Instruction {
    let pool = pool_address(network);
    build(
        accs::Withdraw {
            owner: *owner,
            pool,
            position: *position,
            stake_vault: pda::stake_vault(&pool).0,
            reward_vault: pda::reward_vault(&pool).0,
            destination: *destination,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::Withdraw {},
    )
}

/// `authority` needs the treasury permission and signs for `source`.
pub fn fund_rewards(
    authority: &Pubkey,
    network: &Pubkey,
    source: &Pubkey,
    amount: u64,
    duration_secs: i64,
) -> Instruction {
    let pool = pool_address(network);
    build(
        accs::FundRewards {
            authority: *authority,
            member: member(network, authority).0,
            pool,
            reward_vault: pda::reward_vault(&pool).0,
            source: *source,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::FundRewards {
            amount,
            duration_secs,
        },
    )
}

pub fn bond(
    payer: &Pubkey,
    operator: &Pubkey,
    network: &Pubkey,
    source: &Pubkey,
    amount: u64,
) -> Instruction {
    let pool = pool_address(network);
    build(
        accs::Bond {
            payer: *payer,
            operator: *operator,
            pool,
            bond: pda::bond(&pool, operator).0,
            source: *source,
            stake_vault: pda::stake_vault(&pool).0,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::Bond { amount },
    )
}

/// `authority` needs the slasher permission.
pub fn slash(
    authority: &Pubkey,
    network: &Pubkey,
    operator: &Pubkey,
    treasury: &Pubkey,
    args: SlashArgs,
) -> Instruction {
    let pool = pool_address(network);
    build(
        accs::Slash {
            authority: *authority,
            member: member(network, authority).0,
            pool,
            bond: pda::bond(&pool, operator).0,
            stake_vault: pda::stake_vault(&pool).0,
            treasury: *treasury,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::Slash { args },
    )
}

pub fn position_address(network: &Pubkey, owner: &Pubkey, id: u32) -> Pubkey {
    pda::position(&pool_address(network), owner, id).0
}

pub fn bond_address(network: &Pubkey, operator: &Pubkey) -> Pubkey {
    pda::bond(&pool_address(network), operator).0
}

// ---- readers ----

pub async fn pool(cluster: &impl Cluster, network: &Pubkey) -> Result<StakePool, ClientError> {
    fetch(cluster, &pool_address(network)).await
}

pub async fn position(cluster: &impl Cluster, address: &Pubkey) -> Result<Position, ClientError> {
    fetch(cluster, address).await
}

/// What `position` could claim now, computed with the program's own
/// accrual code on copies of the accounts.
pub async fn pending_rewards(
    cluster: &impl Cluster,
    network: &Pubkey,
    position: &Pubkey,
) -> Result<u64, ClientError> {
    let pool = pool(cluster, network).await?;
    let position = self::position(cluster, position).await?;
    let now = cluster.unix_timestamp().await?;
    pool.pending_rewards(&position, now)
        .map_err(|e| ClientError::Cluster(format!("pending rewards: {e}")))
}

/// Whether `operator`'s bond meets the network's minimum bond (the crank
/// pays device rewards only to eligible operators).
pub async fn is_eligible_operator(
    cluster: &impl Cluster,
    network: &Pubkey,
    operator: &Pubkey,
) -> Result<bool, ClientError> {
    let min_bond = crate::registry::network(cluster, network)
        .await?
        .min_operator_bond;
    let bond: Option<Position> = fetch_optional(cluster, &bond_address(network, operator)).await?;
    Ok(bond.is_some_and(|b| b.is_eligible_operator(min_bond)))
}
