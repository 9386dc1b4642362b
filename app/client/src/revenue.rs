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

// ---- lookups ----

/// Where `Holding.pool` and `Holding.owner` sit (after the discriminator).
pub const HOLDING_POOL_OFFSET: usize = 8;
pub const HOLDING_OWNER_OFFSET: usize = 40;

/// Every holding of `owner`, in any pool (`getProgramAccounts` filtered on
/// the owner field), sorted by address.
pub async fn holdings_of(
    cluster: &impl Cluster,
    owner: &Pubkey,
) -> Result<Vec<(Pubkey, Holding)>, ClientError> {
    let filters = [crate::AccountFilter::Memcmp {
        offset: HOLDING_OWNER_OFFSET,
        bytes: owner.to_bytes().to_vec(),
    }];
    let mut all = crate::fetch_all::<Holding>(cluster, &depin_revenue::ID, &filters).await?;
    all.sort_by_key(|(address, _)| *address);
    Ok(all)
}

/// The revenue `owner` has claimed from `share_mint`'s pool so far: the sum
/// of the `RevenueClaimed` events in its holding's transaction history
/// (pages of `getSignaturesForAddress`, then each transaction). Needs a node
/// that keeps the history (devnet and mainnet RPCs do; a pruned node
/// undercounts). Revenue delivered with a purchase is not a claim.
pub async fn revenue_received(
    cluster: &crate::rpc::RpcCluster,
    share_mint: &Pubkey,
    owner: &Pubkey,
) -> Result<u64, ClientError> {
    use anchor_lang::{AnchorDeserialize, Discriminator};
    use depin_revenue::events::RevenueClaimed;
    use solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
    use solana_rpc_client_api::config::RpcTransactionConfig;
    use solana_transaction_status_client_types::option_serializer::OptionSerializer;
    use solana_transaction_status_client_types::UiTransactionEncoding;

    let pool = pool_address(share_mint);
    let holding = pda::holding(&pool, owner).0;
    let rpc = cluster.rpc();
    let history = |method: &'static str| {
        move |e: solana_rpc_client_api::client_error::Error| ClientError::Rpc {
            method: method.into(),
            reason: e.to_string(),
        }
    };
    let mut total: u64 = 0;
    let mut before = None;
    loop {
        let page = rpc
            .get_signatures_for_address_with_config(
                &holding,
                GetConfirmedSignaturesForAddress2Config {
                    before,
                    until: None,
                    limit: Some(1_000),
                    commitment: Some(cluster.commitment()),
                },
            )
            .await
            .map_err(history("getSignaturesForAddress"))?;
        let Some(last) = page.last() else { break };
        before = last.signature.parse().ok();
        for entry in page.iter().filter(|e| e.err.is_none()) {
            let Ok(signature) = entry.signature.parse() else {
                continue;
            };
            let config = RpcTransactionConfig {
                encoding: Some(UiTransactionEncoding::Base64),
                commitment: Some(cluster.commitment()),
                max_supported_transaction_version: Some(0),
            };
            let found = rpc
                .get_transaction_with_config(&signature, config)
                .await
                .map_err(history("getTransaction"))?;
            let Some(meta) = found.transaction.meta else {
                continue;
            };
            let OptionSerializer::Some(logs) = meta.log_messages else {
                continue;
            };
            for data in crate::events::program_data(&logs) {
                let Some(mut body) = data.strip_prefix(RevenueClaimed::DISCRIMINATOR) else {
                    continue;
                };
                if let Ok(event) = RevenueClaimed::deserialize(&mut body) {
                    if event.pool == pool && event.owner == *owner {
                        total = total.saturating_add(event.amount);
                    }
                }
            }
        }
        if page.len() < 1_000 || before.is_none() {
            break;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AccountSerialize;

    #[test]
    fn holding_filter_offsets_match_the_layout() {
        let pool = Pubkey::new_unique();
        let owner = Pubkey::new_unique();
        let holding = Holding {
            pool,
            owner,
            bump: 0,
            shares: 5,
            index_snapshot: 0,
            pending: 0,
        };
        let mut data = vec![];
        holding.try_serialize(&mut data).unwrap();
        assert_eq!(&data[HOLDING_POOL_OFFSET..][..32], pool.as_ref());
        assert_eq!(&data[HOLDING_OWNER_OFFSET..][..32], owner.as_ref());
    }
}
