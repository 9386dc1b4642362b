//! Revenue share: builders and readers (holders' claimable revenue computed
//! with the program's own math).

use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use depin_revenue::state::{Holding, RevenuePool};
use depin_revenue::{accounts as accs, instruction as ixs, pda};
use solana_instruction::Instruction;

use crate::cluster::{fetch, fetch_optional, Cluster};
use crate::error::ClientError;
use crate::token::TOKEN_PROGRAM_ID;

const SYSTEM_PROGRAM: Pubkey = anchor_lang::solana_program::system_program::ID;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: depin_revenue::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

pub fn pool_address(share_mint: &Pubkey) -> Pubkey {
    pda::pool(share_mint).0
}

pub fn holding_address(share_mint: &Pubkey, owner: &Pubkey) -> Pubkey {
    pda::holding(&pool_address(share_mint), owner).0
}

/// Anyone pays `amount` of revenue (payment mint) from `source`.
pub fn deposit_revenue(
    depositor: &Pubkey,
    share_mint: &Pubkey,
    source: &Pubkey,
    amount: u64,
) -> Instruction {
    let pool = pool_address(share_mint);
    build(
        accs::DepositRevenue {
            depositor: *depositor,
            pool,
            revenue_vault: pda::revenue_vault(&pool).0,
            source: *source,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::DepositRevenue { amount },
    )
}

/// `owner` moves shares from its wallet account `source` into its holding.
pub fn deposit_shares(
    payer: &Pubkey,
    owner: &Pubkey,
    share_mint: &Pubkey,
    source: &Pubkey,
    amount: u64,
) -> Instruction {
    let pool = pool_address(share_mint);
    build(
        accs::DepositShares {
            payer: *payer,
            owner: *owner,
            pool,
            holding: pda::holding(&pool, owner).0,
            source: *source,
            share_vault: pda::share_vault(&pool).0,
            token_program: TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::DepositShares { amount },
    )
}

/// `owner` takes shares from its holding to `destination` (to trade them).
pub fn withdraw_shares(
    owner: &Pubkey,
    share_mint: &Pubkey,
    destination: &Pubkey,
    amount: u64,
) -> Instruction {
    let pool = pool_address(share_mint);
    build(
        accs::WithdrawShares {
            owner: *owner,
            pool,
            holding: pda::holding(&pool, owner).0,
            share_vault: pda::share_vault(&pool).0,
            destination: *destination,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::WithdrawShares { amount },
    )
}

pub fn claim_revenue(owner: &Pubkey, share_mint: &Pubkey, destination: &Pubkey) -> Instruction {
    let pool = pool_address(share_mint);
    build(
        accs::ClaimRevenue {
            owner: *owner,
            pool,
            holding: pda::holding(&pool, owner).0,
            revenue_vault: pda::revenue_vault(&pool).0,
            destination: *destination,
            token_program: TOKEN_PROGRAM_ID,
        },
        ixs::ClaimRevenue {},
    )
}

// ---- readers ----

pub async fn pool(cluster: &impl Cluster, share_mint: &Pubkey) -> Result<RevenuePool, ClientError> {
    fetch(cluster, &pool_address(share_mint)).await
}

pub async fn holding(
    cluster: &impl Cluster,
    share_mint: &Pubkey,
    owner: &Pubkey,
) -> Result<Option<Holding>, ClientError> {
    fetch_optional(cluster, &holding_address(share_mint, owner)).await
}

/// (shares earning, revenue claimable now) of `owner`.
pub async fn position(
    cluster: &impl Cluster,
    share_mint: &Pubkey,
    owner: &Pubkey,
) -> Result<(u64, u64), ClientError> {
    let Some(holding) = holding(cluster, share_mint, owner).await? else {
        return Ok((0, 0));
    };
    let pool = pool(cluster, share_mint).await?;
    let claimable = pool
        .claimable(&holding)
        .map_err(|e| ClientError::Cluster(format!("claimable revenue: {e}")))?;
    Ok((holding.shares, claimable))
}
