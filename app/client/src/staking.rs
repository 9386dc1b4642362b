//! Staking: instruction builders, readers, and pending rewards computed with
//! the program's own math.
//!
//! Every instruction on a pool must carry the pool's lock-end buckets that
//! are due (a lock's boost leaves the pool by itself at its midnight, when
//! the next instruction applies that day's bucket), and an instruction on a
//! position also the position's own bucket once it has a boost. The
//! builders read the pool (and position) and the clock and add them, so
//! they are `async` and take the cluster. A pool left untouched for so long
//! that more buckets are due than one transaction carries
//! ([`MAX_BOOST_ENDS`]) is brought up to date first with [`catch_up`].

use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use depin_registry::pda::member;
use depin_staking::depin_accrual::{day_of, ExpiryBucket};
use depin_staking::state::{BoostEnd, Position, StakePool};
use depin_staking::{accounts as accs, instruction as ixs, pda};
use solana_instruction::{AccountMeta, Instruction};

pub use depin_staking::instructions::{SlashArgs, StakeArgs};
pub use depin_staking::state::{PoolParams, PositionKind, BPS, DAY};

use crate::cluster::{fetch, fetch_all, fetch_optional, AccountFilter, Cluster};
use crate::error::ClientError;
use crate::token::TOKEN_PROGRAM_ID;

const SYSTEM_PROGRAM: Pubkey = anchor_lang::solana_program::system_program::ID;

/// Buckets due up to this many seconds after the clock reading are added
/// too: a transaction built just before a midnight still carries the bucket
/// that midnight makes due (one not yet due is ignored by the program).
pub const DUE_SLACK_SECS: i64 = 300;

/// The most lock-end buckets the builders add to one instruction (a legacy
/// transaction fits about 20 more accounts; applying one costs a few
/// thousand compute units).
pub const MAX_BOOST_ENDS: usize = 16;

fn build(
    accounts: impl ToAccountMetas,
    data: impl InstructionData,
    boost_ends: Vec<AccountMeta>,
) -> Instruction {
    let mut metas = accounts.to_account_metas(None);
    metas.extend(boost_ends);
    Instruction {
        program_id: depin_staking::ID,
        accounts: metas,
        data: data.data(),
    }
}

/// The stake pool of `network` and its two vaults.
pub fn pool_address(network: &Pubkey) -> Pubkey {
    pda::pool(network).0
}

/// The lock-end bucket of `network`'s pool for `day` (days since the epoch).
pub fn boost_end_address(network: &Pubkey, day: i64) -> Pubkey {
    pda::boost_end(&pool_address(network), day).0
}

/// A pool as read now: what the builders need to add its buckets.
pub struct PoolView {
    pub network: Pubkey,
    pub address: Pubkey,
    pub pool: StakePool,
    /// The cluster's clock at the reading.
    pub now: i64,
}

impl PoolView {
    pub async fn read(cluster: &impl Cluster, network: &Pubkey) -> Result<PoolView, ClientError> {
        let address = pool_address(network);
        Ok(PoolView {
            network: *network,
            address,
            pool: fetch(cluster, &address).await?,
            now: cluster.unix_timestamp().await?,
        })
    }

    /// The days whose buckets an instruction sent now must carry: those due
    /// (with [`DUE_SLACK_SECS`] to spare), plus `own` (a position's bucket),
    /// in day order.
    pub fn boost_end_days(&self, own: Option<i64>) -> Vec<i64> {
        let mut days = self
            .pool
            .boost_end_days_due(self.now.saturating_add(DUE_SLACK_SECS));
        days.extend(own);
        days.sort_unstable();
        days.dedup();
        days
    }

    /// [`boost_end_days`](Self::boost_end_days) as writable account metas;
    /// more than [`MAX_BOOST_ENDS`] is an error telling to [`catch_up`].
    pub fn boost_end_metas(&self, own: Option<i64>) -> Result<Vec<AccountMeta>, ClientError> {
        let days = self.boost_end_days(own);
        if days.len() > MAX_BOOST_ENDS {
            return Err(ClientError::Cluster(format!(
                "{} lock-end buckets are due in the stake pool of {}: run staking::catch_up first",
                days.len(),
                self.network
            )));
        }
        Ok(days
            .into_iter()
            .map(|day| AccountMeta::new(pda::boost_end(&self.address, day).0, false))
            .collect())
    }

    /// The bucket a new lock of `amount` for `lockup_secs` taken now
    /// schedules its boost into (`None` if it has no boost).
    pub fn new_lock_boost_end(&self, amount: u64, lockup_secs: i64) -> Option<Pubkey> {
        let params = &self.pool.params;
        let boost = params.boost(amount, lockup_secs).ok()?;
        let end = params.lock_end(self.now, lockup_secs).ok()?;
        (boost > 0).then(|| pda::boost_end(&self.address, day_of(end)).0)
    }
}

/// The bucket day a position needs passed (its lock's, while it has a boost).
fn own_day(position: &Position) -> Option<i64> {
    (position.boost > 0).then(|| position.boost_end_day())
}

/// The builders, from one reading of the pool (several instructions may be
/// built from it; the async functions below read it for each).
impl PoolView {
    /// Opens position `args.id` of `owner`, paying from `source`; `payer`
    /// pays the position's rent and, for a lock with a boost, the lock-end
    /// bucket's if it is the first lock ending that day.
    pub fn stake(
        &self,
        payer: &Pubkey,
        owner: &Pubkey,
        source: &Pubkey,
        args: StakeArgs,
    ) -> Result<Instruction, ClientError> {
        let pool = self.address;
        Ok(build(
            accs::Stake {
                payer: *payer,
                owner: *owner,
                pool,
                position: pda::position(&pool, owner, args.id).0,
                boost_end: self.new_lock_boost_end(args.amount, args.lockup_secs),
                source: *source,
                stake_vault: pda::stake_vault(&pool).0,
                token_program: TOKEN_PROGRAM_ID,
                system_program: SYSTEM_PROGRAM,
            },
            ixs::Stake { args },
            self.boost_end_metas(None)?,
        ))
    }

    /// Re-locks `position` (at `address`) for `lockup_secs` from now;
    /// `payer` pays a new lock-end bucket if needed.
    pub fn extend_lockup(
        &self,
        payer: &Pubkey,
        owner: &Pubkey,
        (address, position): (&Pubkey, &Position),
        lockup_secs: i64,
    ) -> Result<Instruction, ClientError> {
        Ok(build(
            accs::ExtendLockup {
                payer: *payer,
                owner: *owner,
                pool: self.address,
                position: *address,
                boost_end: self.new_lock_boost_end(position.amount, lockup_secs),
                system_program: SYSTEM_PROGRAM,
            },
            ixs::ExtendLockup { lockup_secs },
            self.boost_end_metas(own_day(position))?,
        ))
    }

    pub fn claim_rewards(
        &self,
        owner: &Pubkey,
        (address, position): (&Pubkey, &Position),
        destination: &Pubkey,
    ) -> Result<Instruction, ClientError> {
        let pool = self.address;
        Ok(build(
            accs::ClaimRewards {
                owner: *owner,
                pool,
                position: *address,
                reward_vault: pda::reward_vault(&pool).0,
                destination: *destination,
                token_program: TOKEN_PROGRAM_ID,
            },
            ixs::ClaimRewards {},
            self.boost_end_metas(own_day(position))?,
        ))
    }

    pub fn request_unstake(
        &self,
        owner: &Pubkey,
        (address, position): (&Pubkey, &Position),
    ) -> Result<Instruction, ClientError> {
        Ok(build(
            accs::RequestUnstake {
                owner: *owner,
                pool: self.address,
                position: *address,
            },
            ixs::RequestUnstake {},
            self.boost_end_metas(own_day(position))?,
        ))
    }

    /// `position` is unstaked (it carries no boost any more).
    pub fn withdraw(
        &self,
        owner: &Pubkey,
        position: &Pubkey,
        destination: &Pubkey,
    ) -> Result<Instruction, ClientError> {
        let pool = self.address;
        Ok(build(
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
            self.boost_end_metas(None)?,
        ))
    }

    /// `authority` needs the treasury permission and signs for `source`.
    pub fn fund_rewards(
        &self,
        authority: &Pubkey,
        source: &Pubkey,
        amount: u64,
        duration_secs: i64,
    ) -> Result<Instruction, ClientError> {
        let pool = self.address;
        Ok(build(
            accs::FundRewards {
                authority: *authority,
                member: member(&self.network, authority).0,
                pool,
                reward_vault: pda::reward_vault(&pool).0,
                source: *source,
                token_program: TOKEN_PROGRAM_ID,
            },
            ixs::FundRewards {
                amount,
                duration_secs,
            },
            self.boost_end_metas(None)?,
        ))
    }

    pub fn bond(
        &self,
        payer: &Pubkey,
        operator: &Pubkey,
        source: &Pubkey,
        amount: u64,
    ) -> Result<Instruction, ClientError> {
        let pool = self.address;
        Ok(build(
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
            self.boost_end_metas(None)?,
        ))
    }

    /// `authority` needs the slasher permission.
    pub fn slash(
        &self,
        authority: &Pubkey,
        operator: &Pubkey,
        treasury: &Pubkey,
        args: SlashArgs,
    ) -> Result<Instruction, ClientError> {
        let pool = self.address;
        Ok(build(
            accs::Slash {
                authority: *authority,
                member: member(&self.network, authority).0,
                pool,
                bond: pda::bond(&pool, operator).0,
                stake_vault: pda::stake_vault(&pool).0,
                treasury: *treasury,
                token_program: TOKEN_PROGRAM_ID,
            },
            ixs::Slash { args },
            self.boost_end_metas(None)?,
        ))
    }
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
        vec![],
    )
}

/// [`PoolView::stake`], reading the pool now.
pub async fn stake(
    cluster: &impl Cluster,
    payer: &Pubkey,
    owner: &Pubkey,
    network: &Pubkey,
    source: &Pubkey,
    args: StakeArgs,
) -> Result<Instruction, ClientError> {
    PoolView::read(cluster, network)
        .await?
        .stake(payer, owner, source, args)
}

/// [`PoolView::extend_lockup`], reading the pool and `position` now.
pub async fn extend_lockup(
    cluster: &impl Cluster,
    payer: &Pubkey,
    owner: &Pubkey,
    network: &Pubkey,
    position: &Pubkey,
    lockup_secs: i64,
) -> Result<Instruction, ClientError> {
    let stored: Position = fetch(cluster, position).await?;
    PoolView::read(cluster, network).await?.extend_lockup(
        payer,
        owner,
        (position, &stored),
        lockup_secs,
    )
}

/// [`PoolView::claim_rewards`], reading the pool and `position` now.
pub async fn claim_rewards(
    cluster: &impl Cluster,
    owner: &Pubkey,
    network: &Pubkey,
    position: &Pubkey,
    destination: &Pubkey,
) -> Result<Instruction, ClientError> {
    let stored: Position = fetch(cluster, position).await?;
    PoolView::read(cluster, network)
        .await?
        .claim_rewards(owner, (position, &stored), destination)
}

/// [`PoolView::request_unstake`], reading the pool and `position` now.
pub async fn request_unstake(
    cluster: &impl Cluster,
    owner: &Pubkey,
    network: &Pubkey,
    position: &Pubkey,
) -> Result<Instruction, ClientError> {
    let stored: Position = fetch(cluster, position).await?;
    PoolView::read(cluster, network)
        .await?
        .request_unstake(owner, (position, &stored))
}

/// [`PoolView::withdraw`], reading the pool now.
pub async fn withdraw(
    cluster: &impl Cluster,
    owner: &Pubkey,
    network: &Pubkey,
    position: &Pubkey,
    destination: &Pubkey,
) -> Result<Instruction, ClientError> {
    PoolView::read(cluster, network)
        .await?
        .withdraw(owner, position, destination)
}

/// [`PoolView::fund_rewards`], reading the pool now.
pub async fn fund_rewards(
    cluster: &impl Cluster,
    authority: &Pubkey,
    network: &Pubkey,
    source: &Pubkey,
    amount: u64,
    duration_secs: i64,
) -> Result<Instruction, ClientError> {
    PoolView::read(cluster, network)
        .await?
        .fund_rewards(authority, source, amount, duration_secs)
}

/// [`PoolView::bond`], reading the pool now.
pub async fn bond(
    cluster: &impl Cluster,
    payer: &Pubkey,
    operator: &Pubkey,
    network: &Pubkey,
    source: &Pubkey,
    amount: u64,
) -> Result<Instruction, ClientError> {
    PoolView::read(cluster, network)
        .await?
        .bond(payer, operator, source, amount)
}

/// [`PoolView::slash`], reading the pool now.
pub async fn slash(
    cluster: &impl Cluster,
    authority: &Pubkey,
    network: &Pubkey,
    operator: &Pubkey,
    treasury: &Pubkey,
    args: SlashArgs,
) -> Result<Instruction, ClientError> {
    PoolView::read(cluster, network)
        .await?
        .slash(authority, operator, treasury, args)
}

/// Anyone: applies the buckets of `days` (due, in day order) of
/// `network`'s pool.
pub fn apply_boost_ends(network: &Pubkey, days: &[i64]) -> Instruction {
    let pool = pool_address(network);
    build(
        accs::ApplyBoostEnds { pool },
        ixs::ApplyBoostEnds {},
        days.iter()
            .map(|day| AccountMeta::new(pda::boost_end(&pool, *day).0, false))
            .collect(),
    )
}

/// The `apply_boost_ends` instructions that bring `network`'s pool up to
/// date (each in its own transaction, in order); empty when at most
/// [`MAX_BOOST_ENDS`] buckets are due (the builders add those themselves).
pub async fn catch_up_instructions(
    cluster: &impl Cluster,
    network: &Pubkey,
) -> Result<Vec<Instruction>, ClientError> {
    let view = PoolView::read(cluster, network).await?;
    let days = view.pool.boost_end_days_due(view.now);
    if days.len() <= MAX_BOOST_ENDS {
        return Ok(vec![]);
    }
    Ok(days
        .chunks(MAX_BOOST_ENDS)
        .map(|chunk| apply_boost_ends(network, chunk))
        .collect())
}

/// Sends [`catch_up_instructions`] (the cluster's payer pays); returns how
/// many transactions it took.
pub async fn catch_up(cluster: &impl Cluster, network: &Pubkey) -> Result<usize, ClientError> {
    let instructions = catch_up_instructions(cluster, network).await?;
    for ix in &instructions {
        cluster.send(std::slice::from_ref(ix), &[]).await?;
    }
    Ok(instructions.len())
}

/// Every `apply_boost_ends` instruction due now in `network`'s pool, with
/// the days each applies: one per [`MAX_BOOST_ENDS`] due buckets, to send
/// in order (empty when nothing is due). Unlike [`catch_up_instructions`]
/// this also covers the few buckets the other builders would carry, for an
/// explicit "apply the lock ends now" (`depin staking expire`).
pub async fn due_boost_end_instructions(
    cluster: &impl Cluster,
    network: &Pubkey,
) -> Result<Vec<(Vec<i64>, Instruction)>, ClientError> {
    let view = PoolView::read(cluster, network).await?;
    Ok(view
        .pool
        .boost_end_days_due(view.now)
        .chunks(MAX_BOOST_ENDS)
        .map(|chunk| (chunk.to_vec(), apply_boost_ends(network, chunk)))
        .collect())
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

/// Every position (stakes and the operator bond) of `owner` in `network`'s
/// pool, by id.
pub async fn positions_of(
    cluster: &impl Cluster,
    network: &Pubkey,
    owner: &Pubkey,
) -> Result<Vec<(Pubkey, Position)>, ClientError> {
    // Position layout after the discriminator: pool (32), owner (32).
    let filters = [
        AccountFilter::Memcmp {
            offset: 8,
            bytes: pool_address(network).to_bytes().to_vec(),
        },
        AccountFilter::Memcmp {
            offset: 40,
            bytes: owner.to_bytes().to_vec(),
        },
    ];
    let mut positions = fetch_all::<Position>(cluster, &depin_staking::ID, &filters).await?;
    positions.sort_by_key(|(_, p)| (p.kind == PositionKind::OperatorBond, p.id));
    Ok(positions)
}

/// The lock-end bucket of `network`'s pool for `day`, if it exists.
pub async fn boost_end(
    cluster: &impl Cluster,
    network: &Pubkey,
    day: i64,
) -> Result<Option<BoostEnd>, ClientError> {
    fetch_optional(cluster, &boost_end_address(network, day)).await
}

/// The buckets of `days`, as the accrual math takes them.
async fn buckets(
    cluster: &impl Cluster,
    network: &Pubkey,
    days: &[i64],
) -> Result<Vec<(i64, ExpiryBucket)>, ClientError> {
    let mut buckets = Vec::with_capacity(days.len());
    for day in days {
        if let Some(bucket) = boost_end(cluster, network, *day).await? {
            buckets.push((*day, bucket.bucket()));
        }
    }
    Ok(buckets)
}

/// What `position` could claim now, computed with the program's own
/// accrual code on copies of the accounts (and the due lock-end buckets).
pub async fn pending_rewards(
    cluster: &impl Cluster,
    network: &Pubkey,
    position: &Pubkey,
) -> Result<u64, ClientError> {
    let view = PoolView::read(cluster, network).await?;
    let position = self::position(cluster, position).await?;
    let due = view.pool.boost_end_days_due(view.now);
    let mut days = due;
    days.extend(own_day(&position));
    let mut buckets = buckets(cluster, network, &days).await?;
    view.pool
        .pending_rewards(&position, view.now, buckets.as_mut_slice())
        .map_err(|e| ClientError::Cluster(format!("pending rewards: {e}")))
}

/// The weight `position` earns with now (its stored weight still carries
/// an ended lock's boost until the position is next touched).
pub async fn effective_weight(
    cluster: &impl Cluster,
    network: &Pubkey,
    position: &Pubkey,
) -> Result<u128, ClientError> {
    let view = PoolView::read(cluster, network).await?;
    let position = self::position(cluster, position).await?;
    Ok(view.pool.effective_weight(&position, view.now))
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
