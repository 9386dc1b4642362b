//! `depin staking ...`: the network token's stake pool: create it, stake
//! with a lockup, extend, expire ended lock boosts, unstake, withdraw,
//! claim, fund rewards, operator bonds and slashing, and read a position
//! (with its pending rewards) or the pool.
//!
//! Every command names the network with `--network` (its id or address);
//! amounts are typed in UI units of the pool's mint (`2.5`), and token
//! accounts default to the signer's associated token account of the mint.
//! Before sending, a command that moves the signer's tokens checks the
//! source account holds enough (and says which account and how much).
//!
//! JSON. AMOUNT is `{"amount", "ui_amount", "decimals"}` (base units, the
//! decimal string, the mint's decimals); weights are decimal strings (u128).
//! - `pool`: `{"address", "network", "mint", "stake_vault", "reward_vault",
//!   "treasury", "params": {"max_lockup_secs", "max_multiplier_bps",
//!   "cooldown_secs"}, "total_staked": AMOUNT, "total_rewards_funded":
//!   AMOUNT, "total_rewards_paid": AMOUNT, "total_slashed": AMOUNT,
//!   "reward_vault_balance": AMOUNT, "stream": {"rate_per_second",
//!   "period_end", "remaining": AMOUNT}, "total_weight", "boost_weight",
//!   "boost_end_days_due": [DAY], "last_applied_day", "now"}`.
//! - `position [OWNER]`: `{"network", "pool", "owner", "positions":
//!   [POSITION], "bond": POSITION | null}` where POSITION is `{"address",
//!   "owner", "kind": "stake" | "operator-bond", "id", "amount": AMOUNT,
//!   "lockup_secs", "lockup_end", "locked", "weight", "effective_weight",
//!   "boost", "pending_rewards": AMOUNT, "unbonding": AMOUNT,
//!   "unbonding_ends_at", "withdrawable", "created_at"}`.
//! - Commands that send print their fields plus `"transaction"` (see `tx`):
//!   `create-pool` `{"pool", "network", "mint", "treasury", "params"}`;
//!   `stake` `{"position", "owner", "id", "amount", "lockup_secs",
//!   "source"}`; `extend` `{"position", "lockup_secs"}`; `unstake`
//!   `{"position", "amount", "cooldown_secs"}`; `withdraw` `{"position",
//!   "destination", "principal", "rewards"}`; `claim` `{"position",
//!   "destination", "amount"}` (amounts as computed just before sending);
//!   `fund` `{"pool", "amount", "duration_secs", "source"}`; `bond`
//!   `{"bond", "operator", "amount", "source"}`; `slash` `{"bond",
//!   "operator", "amount", "reason", "evidence", "treasury"}`; `expire`
//!   `{"network", "pool", "days": [DAY]}` plus `"transaction"` (one
//!   transaction), `"transactions": [..]` (several) or nothing (none due).

use std::ops::Deref;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use depin_client::depin_staking::state::{Position, PositionKind, StakePool};
use depin_client::rpc::RpcCluster;
use depin_client::staking::{self, PoolParams, PoolView, SlashArgs, StakeArgs, DAY};
use depin_client::{token, Cluster, Keypair, Pubkey};
use serde_json::{json, Value};

use super::network::{object_human, NetworkRef};
use crate::output::{amount_json, parse_ui_amount, ui_amount};
use crate::table::Table;
use crate::tx::{Session, SignerSource, TxArgs};

#[derive(Args, Clone)]
pub struct NetworkArg {
    /// The network (its id or address) whose stake pool this is
    #[arg(long, value_name = "ID_OR_ADDRESS")]
    pub network: NetworkRef,
}

#[derive(Args, Clone)]
pub struct OwnerArg {
    /// The position's owner (a keypair file, or a public key when signing offline) [default: -k]
    #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
    pub owner: Option<String>,
}

#[derive(Args, Clone)]
pub struct WhichPosition {
    /// The position's id [default: the owner's only stake position]
    #[arg(long, value_name = "ID", conflicts_with = "bond")]
    pub id: Option<u32>,
    /// Act on the owner's operator bond instead of a stake position
    #[arg(long)]
    pub bond: bool,
}

#[derive(Subcommand)]
pub enum StakingCommand {
    /// Creates the network's stake pool for its token (admin).
    CreatePool {
        #[command(flatten)]
        network: NetworkArg,
        /// Token account of the network's token that receives slashed stake [default: the authority's associated token account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        treasury: Option<Pubkey>,
        /// The longest lockup, in days (it earns the maximum multiplier)
        #[arg(long, default_value_t = 365, value_name = "DAYS")]
        max_lockup_days: u32,
        /// Weight multiplier at the longest lockup, e.g. 2 or 2.5 (linear from 1 at no lockup)
        #[arg(long, default_value = "2", value_name = "MULTIPLIER")]
        max_multiplier: String,
        /// Wait between an unstake and the withdrawal, in days
        #[arg(long, default_value_t = 7, value_name = "DAYS")]
        cooldown_days: u32,
        #[command(flatten)]
        authority: super::network::AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Stakes AMOUNT (UI units, e.g. 2.5) into a new position, optionally locked.
    Stake {
        /// Tokens to stake, in UI units of the pool's mint (e.g. 10 or 2.5)
        amount: String,
        #[command(flatten)]
        network: NetworkArg,
        /// Lock the stake for this many days (longer locks weigh more); the lock ends at the UTC midnight after
        #[arg(long, default_value_t = 0, value_name = "DAYS")]
        lockup_days: u32,
        /// The new position's id [default: the owner's next free id]
        #[arg(long, value_name = "ID")]
        id: Option<u32>,
        /// Token account paying the stake [default: the owner's associated token account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        source: Option<Pubkey>,
        #[command(flatten)]
        owner: OwnerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Locks a position again for D days from now (never ending earlier than its lock).
    Extend {
        #[command(flatten)]
        network: NetworkArg,
        #[arg(long, value_name = "DAYS")]
        lockup_days: u32,
        /// The position's id [default: the owner's only stake position]
        #[arg(long, value_name = "ID")]
        id: Option<u32>,
        #[command(flatten)]
        owner: OwnerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Applies the lock-boost ends that are due (anyone; every other command does it too).
    Expire {
        #[command(flatten)]
        network: NetworkArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Requests the unstake of a position (or the bond): the cooldown starts.
    Unstake {
        #[command(flatten)]
        network: NetworkArg,
        #[command(flatten)]
        which: WhichPosition,
        #[command(flatten)]
        owner: OwnerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// After the cooldown: pays out the principal and rewards and closes the position.
    Withdraw {
        #[command(flatten)]
        network: NetworkArg,
        #[command(flatten)]
        which: WhichPosition,
        /// Token account receiving the tokens [default: the owner's associated token account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        destination: Option<Pubkey>,
        #[command(flatten)]
        owner: OwnerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Claims a position's (or the bond's) rewards.
    Claim {
        #[command(flatten)]
        network: NetworkArg,
        #[command(flatten)]
        which: WhichPosition,
        /// Token account receiving the rewards [default: the owner's associated token account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        destination: Option<Pubkey>,
        #[command(flatten)]
        owner: OwnerArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Funds AMOUNT (UI units) of rewards, streamed over the duration (treasury role).
    Fund {
        /// Tokens, in UI units of the pool's mint (e.g. 1000 or 0.5)
        amount: String,
        #[command(flatten)]
        network: NetworkArg,
        /// Stream the rewards over this many days
        #[arg(
            long,
            default_value_t = 7,
            value_name = "DAYS",
            conflicts_with = "duration_secs"
        )]
        duration_days: u32,
        /// Stream the rewards over this many seconds instead
        #[arg(long, value_name = "SECONDS")]
        duration_secs: Option<u32>,
        /// Token account paying, owned by the authority [default: the authority's associated token account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        source: Option<Pubkey>,
        #[command(flatten)]
        authority: super::network::AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Bonds AMOUNT (UI units) as a device operator (adds to an existing bond).
    Bond {
        /// Tokens, in UI units of the pool's mint
        amount: String,
        #[command(flatten)]
        network: NetworkArg,
        /// Token account paying [default: the operator's associated token account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        source: Option<Pubkey>,
        /// The operator (a keypair file, or a public key when signing offline) [default: -k]
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        operator: Option<String>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Slashes AMOUNT (UI units) of OPERATOR's bond to the pool's treasury (slasher role).
    Slash {
        /// The bonded operator's address
        operator: Pubkey,
        /// Tokens, in UI units of the pool's mint
        amount: String,
        #[command(flatten)]
        network: NetworkArg,
        /// Reason code recorded with the slash
        #[arg(long, default_value_t = 0)]
        reason: u16,
        /// 32-byte evidence hash (64 hex digits) recorded with the slash
        #[arg(long, value_name = "HEX")]
        evidence: Option<String>,
        #[command(flatten)]
        authority: super::network::AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Shows OWNER's positions and bond with pending rewards [default: -k's].
    Position {
        /// Whose positions [default: the -k keypair's address]
        owner: Option<Pubkey>,
        #[command(flatten)]
        network: NetworkArg,
    },
    /// Shows the stake pool.
    Pool {
        #[command(flatten)]
        network: NetworkArg,
    },
}

impl StakingCommand {
    /// The transaction flags of a command that sends (reads have none).
    pub fn tx_args(&self) -> TxArgs {
        match self {
            StakingCommand::CreatePool { tx, .. }
            | StakingCommand::Stake { tx, .. }
            | StakingCommand::Extend { tx, .. }
            | StakingCommand::Expire { tx, .. }
            | StakingCommand::Unstake { tx, .. }
            | StakingCommand::Withdraw { tx, .. }
            | StakingCommand::Claim { tx, .. }
            | StakingCommand::Fund { tx, .. }
            | StakingCommand::Bond { tx, .. }
            | StakingCommand::Slash { tx, .. } => tx.clone(),
            StakingCommand::Position { .. } | StakingCommand::Pool { .. } => TxArgs::default(),
        }
    }
}

// ---- helpers shared with `rewards` ----

/// The cluster for the reads that build a transaction: the session's, or
/// with `--sign-only` a read-only connection of its own (signing offline
/// still needs the pool's or distributor's state to build the message).
pub enum Reads<'a> {
    Session(&'a RpcCluster),
    Own(Box<RpcCluster>),
}

impl Deref for Reads<'_> {
    type Target = RpcCluster;
    fn deref(&self) -> &RpcCluster {
        match self {
            Reads::Session(cluster) => cluster,
            Reads::Own(cluster) => cluster,
        }
    }
}

pub fn reads(session: &Session) -> Result<Reads<'_>> {
    if session.tx.sign_only {
        let cluster = crate::connect(&session.settings, Keypair::new())
            .context("--sign-only: this command reads the cluster to build its transaction")?;
        return Ok(Reads::Own(Box::new(cluster)));
    }
    Ok(Reads::Session(session.cluster()?))
}

/// The given token account, or `owner`'s associated token account of `mint`.
pub fn account_or_ata(given: Option<Pubkey>, owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    given.unwrap_or_else(|| token::associated_address(owner, mint))
}

/// Checks `account` is a token account of `mint` owned by `owner` holding
/// at least `amount`, or says what is wrong.
pub async fn check_source(
    cluster: &impl Cluster,
    account: &Pubkey,
    mint: &Pubkey,
    owner: &Pubkey,
    amount: u64,
    decimals: u8,
) -> Result<()> {
    let info = token_account(cluster, account, mint, "--source").await?;
    if info.owner != *owner {
        bail!(
            "token account {account} belongs to {}, not to the signer {owner}: pass a token \
             account of yours with --source",
            info.owner
        );
    }
    if info.amount < amount {
        bail!(
            "not enough tokens: {account} holds {} but {} are needed",
            ui_amount(info.amount, decimals),
            ui_amount(amount, decimals)
        );
    }
    Ok(())
}

/// A token account of `mint` that must exist (for payouts), or what to do.
pub async fn token_account(
    cluster: &impl Cluster,
    account: &Pubkey,
    mint: &Pubkey,
    flag: &str,
) -> Result<token::TokenAccountInfo> {
    let info = token::token_account_info(cluster, account).await?;
    let Some(info) = info else {
        bail!(
            "no token account at {account}: create one for mint {mint} (`depin token \
             create-account {mint}`) or pass an existing one with {flag}"
        );
    };
    if info.mint != *mint {
        bail!(
            "token account {account} holds mint {}, not {mint}: pass a token account of {mint} \
             with {flag}",
            info.mint
        );
    }
    Ok(info)
}

pub fn days_secs(days: u32) -> i64 {
    i64::from(days) * DAY
}

fn u128_json(value: u128) -> Value {
    json!(value.to_string())
}

// ---- the commands ----

fn owner(session: &Session, arg: &OwnerArg) -> Result<SignerSource> {
    session.signer(arg.owner.as_deref(), "--owner")
}

/// The pool of `network`, or what to do when it has none.
async fn pool_view(cluster: &impl Cluster, network: &Pubkey) -> Result<PoolView> {
    PoolView::read(cluster, network).await.map_err(|e| match e {
        depin_client::ClientError::AccountNotFound(address) => anyhow!(
            "network {network} has no stake pool (no account at {address}): an admin creates it \
             with `depin staking create-pool --network ...`"
        ),
        other => other.into(),
    })
}

/// The position a command acts on: `--bond`, `--id`, or the owner's only
/// stake position.
/// What paying a position out (withdraw, claim) needs: the position, the
/// pool, the mint's decimals and a destination token account that exists.
struct Payout {
    address: Pubkey,
    position: Position,
    view: PoolView,
    decimals: u8,
    destination: Pubkey,
}

async fn payout(
    cluster: &impl Cluster,
    network: &Pubkey,
    owner: &Pubkey,
    which: &WhichPosition,
    destination: Option<Pubkey>,
) -> Result<Payout> {
    let (address, position) = resolve_position(cluster, network, owner, which).await?;
    let view = pool_view(cluster, network).await?;
    let mint = view.pool.mint;
    let decimals = token::mint_decimals(cluster, &mint).await?;
    let destination = account_or_ata(destination, owner, &mint);
    token_account(cluster, &destination, &mint, "--destination").await?;
    Ok(Payout {
        address,
        position,
        view,
        decimals,
        destination,
    })
}

async fn resolve_position(
    cluster: &impl Cluster,
    network: &Pubkey,
    owner: &Pubkey,
    which: &WhichPosition,
) -> Result<(Pubkey, Position)> {
    let address = if which.bond {
        staking::bond_address(network, owner)
    } else if let Some(id) = which.id {
        staking::position_address(network, owner, id)
    } else {
        let stakes: Vec<(Pubkey, Position)> = staking::positions_of(cluster, network, owner)
            .await?
            .into_iter()
            .filter(|(_, p)| p.kind == PositionKind::Stake)
            .collect();
        match stakes.len() {
            0 => bail!(
                "{owner} has no stake position in network {network}: `depin staking stake` opens \
                 one (or use --bond for the operator bond)"
            ),
            1 => return Ok(stakes.into_iter().next().expect("one")),
            _ => {
                let ids: Vec<String> = stakes.iter().map(|(_, p)| p.id.to_string()).collect();
                bail!(
                    "{owner} has {} stake positions (ids {}): choose one with --id",
                    stakes.len(),
                    ids.join(", ")
                )
            }
        }
    };
    match staking::position(cluster, &address).await {
        Ok(position) => Ok((address, position)),
        Err(depin_client::ClientError::AccountNotFound(_)) => bail!(
            "no {} of {owner} at {address} in network {network}",
            if which.bond {
                "operator bond".to_string()
            } else {
                format!("position {}", which.id.unwrap_or(0))
            }
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn run(session: &Session, command: StakingCommand) -> Result<()> {
    let payer = session.fee_payer.pubkey();
    match command {
        StakingCommand::CreatePool {
            network,
            treasury,
            max_lockup_days,
            max_multiplier,
            cooldown_days,
            authority,
            ..
        } => {
            let network = network.network.0;
            let cluster = reads(session)?;
            let signer = super::network::authority(session, &authority)?;
            let mint = depin_client::registry::network(&*cluster, &network)
                .await?
                .reward_mint;
            let treasury = account_or_ata(treasury, &signer.pubkey(), &mint);
            token_account(&*cluster, &treasury, &mint, "--treasury").await?;
            // "2.5" x as basis points: the multiplier with four decimals.
            let max_multiplier_bps = parse_ui_amount(&max_multiplier, 4)
                .ok()
                .and_then(|bps| u32::try_from(bps).ok())
                .ok_or_else(|| {
                    anyhow!("--max-multiplier {max_multiplier:?}: expected e.g. 2 or 1.5")
                })?;
            let params = PoolParams {
                max_lockup_secs: days_secs(max_lockup_days),
                max_multiplier_bps,
                cooldown_secs: days_secs(cooldown_days),
            };
            let ix = staking::create_pool(
                &payer,
                &signer.pubkey(),
                &network,
                &mint,
                &treasury,
                params.clone(),
            );
            let pool = staking::pool_address(&network);
            let summary = json!({
                "pool": pool.to_string(), "network": network.to_string(),
                "mint": mint.to_string(), "treasury": treasury.to_string(),
                "params": params_json(&params),
            });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Stake pool {pool} of network {network} (mint {mint})")
                })
                .await?;
            Ok(())
        }
        StakingCommand::Stake {
            amount,
            network,
            lockup_days,
            id,
            source,
            owner: who,
            ..
        } => {
            let network = network.network.0;
            let cluster = reads(session)?;
            let owner = owner(session, &who)?;
            let view = pool_view(&*cluster, &network).await?;
            let mint = view.pool.mint;
            let decimals = token::mint_decimals(&*cluster, &mint).await?;
            let amount = parse_ui_amount(&amount, decimals)?;
            let source = account_or_ata(source, &owner.pubkey(), &mint);
            check_source(&*cluster, &source, &mint, &owner.pubkey(), amount, decimals).await?;
            let id = match id {
                Some(id) => id,
                None => staking::positions_of(&*cluster, &network, &owner.pubkey())
                    .await?
                    .iter()
                    .filter(|(_, p)| p.kind == PositionKind::Stake)
                    .map(|(_, p)| p.id + 1)
                    .max()
                    .unwrap_or(0),
            };
            let lockup_secs = days_secs(lockup_days);
            let ix = view.stake(
                &payer,
                &owner.pubkey(),
                &source,
                StakeArgs {
                    id,
                    amount,
                    lockup_secs,
                },
            )?;
            let position = staking::position_address(&network, &owner.pubkey(), id);
            let summary = json!({
                "position": position.to_string(), "owner": owner.pubkey().to_string(), "id": id,
                "amount": amount_json(amount, decimals), "lockup_secs": lockup_secs,
                "source": source.to_string(),
            });
            session
                .run(&[ix], &[&owner], summary, || {
                    format!(
                        "Staked {} in position {id} ({position}), locked {lockup_days} days",
                        ui_amount(amount, decimals)
                    )
                })
                .await?;
            Ok(())
        }
        StakingCommand::Extend {
            network,
            lockup_days,
            id,
            owner: who,
            ..
        } => {
            let network = network.network.0;
            let cluster = reads(session)?;
            let owner = owner(session, &who)?;
            let which = WhichPosition { id, bond: false };
            let (address, position) =
                resolve_position(&*cluster, &network, &owner.pubkey(), &which).await?;
            let view = pool_view(&*cluster, &network).await?;
            let lockup_secs = days_secs(lockup_days);
            let ix =
                view.extend_lockup(&payer, &owner.pubkey(), (&address, &position), lockup_secs)?;
            let summary = json!({ "position": address.to_string(), "lockup_secs": lockup_secs });
            session
                .run(&[ix], &[&owner], summary, || {
                    format!("Position {address} locked for {lockup_days} days from now")
                })
                .await?;
            Ok(())
        }
        StakingCommand::Expire { network, .. } => {
            let network = network.network.0;
            let cluster = reads(session)?;
            pool_view(&*cluster, &network).await?;
            let due = staking::due_boost_end_instructions(&*cluster, &network).await?;
            let days: Vec<i64> = due.iter().flat_map(|(d, _)| d.clone()).collect();
            let pool = staking::pool_address(&network);
            let summary = json!({ "network": network.to_string(), "pool": pool.to_string(),
                "days": days });
            let batches = due.into_iter().map(|(_, ix)| vec![ix]).collect();
            let count = days.len();
            session
                .run_all(batches, &[], summary, || match count {
                    0 => "No lock boost end is due: nothing to do".into(),
                    n => format!("Applied {n} lock-end day(s): {days:?}"),
                })
                .await
        }
        StakingCommand::Unstake {
            network,
            which,
            owner: who,
            ..
        } => {
            let network = network.network.0;
            let cluster = reads(session)?;
            let owner = owner(session, &who)?;
            let (address, position) =
                resolve_position(&*cluster, &network, &owner.pubkey(), &which).await?;
            let view = pool_view(&*cluster, &network).await?;
            let decimals = token::mint_decimals(&*cluster, &view.pool.mint).await?;
            let ix = view.request_unstake(&owner.pubkey(), (&address, &position))?;
            let cooldown = view.pool.params.cooldown_secs;
            let summary = json!({
                "position": address.to_string(),
                "amount": amount_json(position.amount, decimals),
                "cooldown_secs": cooldown,
            });
            session
                .run(&[ix], &[&owner], summary, || {
                    format!(
                        "Unstaking {} from {address}: withdraw after the {cooldown} s cooldown",
                        ui_amount(position.amount, decimals)
                    )
                })
                .await?;
            Ok(())
        }
        StakingCommand::Withdraw {
            network,
            which,
            destination,
            owner: who,
            ..
        } => {
            let network = network.network.0;
            let cluster = reads(session)?;
            let owner = owner(session, &who)?;
            let Payout {
                address,
                position,
                view,
                decimals,
                destination,
            } = payout(&*cluster, &network, &owner.pubkey(), &which, destination).await?;
            let rewards = staking::pending_rewards(&*cluster, &network, &address).await?;
            let ix = view.withdraw(&owner.pubkey(), &address, &destination)?;
            let summary = json!({
                "position": address.to_string(), "destination": destination.to_string(),
                "principal": amount_json(position.unbonding, decimals),
                "rewards": amount_json(rewards, decimals),
            });
            session
                .run(&[ix], &[&owner], summary, || {
                    format!(
                        "Withdrew {} and {} of rewards from {address} to {destination}",
                        ui_amount(position.unbonding, decimals),
                        ui_amount(rewards, decimals)
                    )
                })
                .await?;
            Ok(())
        }
        StakingCommand::Claim {
            network,
            which,
            destination,
            owner: who,
            ..
        } => {
            let network = network.network.0;
            let cluster = reads(session)?;
            let owner = owner(session, &who)?;
            let Payout {
                address,
                position,
                view,
                decimals,
                destination,
            } = payout(&*cluster, &network, &owner.pubkey(), &which, destination).await?;
            let pending = staking::pending_rewards(&*cluster, &network, &address).await?;
            let ix = view.claim_rewards(&owner.pubkey(), (&address, &position), &destination)?;
            let summary = json!({
                "position": address.to_string(), "destination": destination.to_string(),
                "amount": amount_json(pending, decimals),
            });
            session
                .run(&[ix], &[&owner], summary, || {
                    format!(
                        "Claimed about {} of rewards from {address} to {destination}",
                        ui_amount(pending, decimals)
                    )
                })
                .await?;
            Ok(())
        }
        StakingCommand::Fund {
            amount,
            network,
            duration_days,
            duration_secs,
            source,
            authority,
            ..
        } => {
            let network = network.network.0;
            let cluster = reads(session)?;
            let signer = super::network::authority(session, &authority)?;
            let view = pool_view(&*cluster, &network).await?;
            let mint = view.pool.mint;
            let decimals = token::mint_decimals(&*cluster, &mint).await?;
            let amount = parse_ui_amount(&amount, decimals)?;
            let source = account_or_ata(source, &signer.pubkey(), &mint);
            check_source(
                &*cluster,
                &source,
                &mint,
                &signer.pubkey(),
                amount,
                decimals,
            )
            .await?;
            let duration = duration_secs
                .map(i64::from)
                .unwrap_or_else(|| days_secs(duration_days));
            let ix = view.fund_rewards(&signer.pubkey(), &source, amount, duration)?;
            let summary = json!({
                "pool": view.address.to_string(), "amount": amount_json(amount, decimals),
                "duration_secs": duration, "source": source.to_string(),
            });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!(
                        "Funded {} of rewards over {duration} s into pool {}",
                        ui_amount(amount, decimals),
                        view.address
                    )
                })
                .await?;
            Ok(())
        }
        StakingCommand::Bond {
            amount,
            network,
            source,
            operator,
            ..
        } => {
            let network = network.network.0;
            let cluster = reads(session)?;
            let operator =
                SignerSource::or_default(operator.as_deref(), "--operator", &session.settings)?;
            let view = pool_view(&*cluster, &network).await?;
            let mint = view.pool.mint;
            let decimals = token::mint_decimals(&*cluster, &mint).await?;
            let amount = parse_ui_amount(&amount, decimals)?;
            let source = account_or_ata(source, &operator.pubkey(), &mint);
            check_source(
                &*cluster,
                &source,
                &mint,
                &operator.pubkey(),
                amount,
                decimals,
            )
            .await?;
            let ix = view.bond(&payer, &operator.pubkey(), &source, amount)?;
            let bond = staking::bond_address(&network, &operator.pubkey());
            let summary = json!({
                "bond": bond.to_string(), "operator": operator.pubkey().to_string(),
                "amount": amount_json(amount, decimals), "source": source.to_string(),
            });
            session
                .run(&[ix], &[&operator], summary, || {
                    format!("Bonded {} ({bond})", ui_amount(amount, decimals))
                })
                .await?;
            Ok(())
        }
        StakingCommand::Slash {
            operator,
            amount,
            network,
            reason,
            evidence,
            authority,
            ..
        } => {
            let network = network.network.0;
            let cluster = reads(session)?;
            let signer = super::network::authority(session, &authority)?;
            let evidence = match evidence {
                Some(hex) => depin_client::rewards::parse_hex32(&hex)
                    .ok_or_else(|| anyhow!("--evidence {hex:?}: expected 64 hex digits"))?,
                None => [0; 32],
            };
            let view = pool_view(&*cluster, &network).await?;
            let decimals = token::mint_decimals(&*cluster, &view.pool.mint).await?;
            let amount = parse_ui_amount(&amount, decimals)?;
            let treasury = view.pool.treasury;
            let ix = view.slash(
                &signer.pubkey(),
                &operator,
                &treasury,
                SlashArgs {
                    amount,
                    reason,
                    evidence,
                },
            )?;
            let bond = staking::bond_address(&network, &operator);
            let summary = json!({
                "bond": bond.to_string(), "operator": operator.to_string(),
                "amount": amount_json(amount, decimals), "reason": reason,
                "evidence": depin_client::rewards::hex32(&evidence),
                "treasury": treasury.to_string(),
            });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!(
                        "Slashed {} of {operator}'s bond to {treasury} (reason {reason})",
                        ui_amount(amount, decimals)
                    )
                })
                .await?;
            Ok(())
        }
        StakingCommand::Position { owner, network } => {
            let network = network.network.0;
            let cluster = session.cluster()?;
            let owner = match owner {
                Some(owner) => owner,
                None => depin_client::Signer::pubkey(&session.settings.payer()?),
            };
            let view = pool_view(cluster, &network).await?;
            let decimals = token::mint_decimals(cluster, &view.pool.mint).await?;
            let mut positions = vec![];
            let mut bond = Value::Null;
            for (address, position) in staking::positions_of(cluster, &network, &owner).await? {
                let json = position_json(cluster, &view, decimals, &address, &position).await?;
                match position.kind {
                    PositionKind::Stake => positions.push(json),
                    PositionKind::OperatorBond => bond = json,
                }
            }
            let json = json!({
                "network": network.to_string(), "pool": view.address.to_string(),
                "owner": owner.to_string(), "positions": positions, "bond": bond,
            });
            session.output.print(&json, || {
                let mut table = Table::new(&[
                    "id",
                    "amount",
                    "locked until",
                    "pending",
                    "unbonding",
                    "address",
                ]);
                let rows = positions.iter().map(|p| (p["id"].to_string(), p));
                let bond_row = (!bond.is_null()).then(|| ("bond".to_string(), &bond));
                for (id, p) in rows.chain(bond_row) {
                    table.row(vec![
                        id,
                        p["amount"]["ui_amount"].as_str().unwrap_or("").into(),
                        if p["locked"] == true {
                            p["lockup_end"].to_string()
                        } else {
                            "-".into()
                        },
                        p["pending_rewards"]["ui_amount"]
                            .as_str()
                            .unwrap_or("")
                            .into(),
                        p["unbonding"]["ui_amount"].as_str().unwrap_or("").into(),
                        p["address"].as_str().unwrap_or("").into(),
                    ]);
                }
                format!(
                    "Positions of {owner} in network {network}\n{}",
                    table.render()
                )
            });
            Ok(())
        }
        StakingCommand::Pool { network } => {
            let network = network.network.0;
            let cluster = session.cluster()?;
            let view = pool_view(cluster, &network).await?;
            let decimals = token::mint_decimals(cluster, &view.pool.mint).await?;
            let vault = token::balance(cluster, &view.pool.reward_vault).await?;
            let json = pool_json(&view, decimals, vault);
            session.output.print(&json, || object_human(&json));
            Ok(())
        }
    }
}

fn params_json(params: &PoolParams) -> Value {
    json!({
        "max_lockup_secs": params.max_lockup_secs,
        "max_multiplier_bps": params.max_multiplier_bps,
        "cooldown_secs": params.cooldown_secs,
    })
}

fn pool_json(view: &PoolView, decimals: u8, reward_vault_balance: u64) -> Value {
    let p: &StakePool = &view.pool;
    json!({
        "address": view.address.to_string(),
        "network": p.network.to_string(),
        "mint": p.mint.to_string(),
        "stake_vault": p.stake_vault.to_string(),
        "reward_vault": p.reward_vault.to_string(),
        "treasury": p.treasury.to_string(),
        "params": params_json(&p.params),
        "total_staked": amount_json(p.total_staked, decimals),
        "total_rewards_funded": amount_json(p.total_rewards_funded, decimals),
        "total_rewards_paid": amount_json(p.total_rewards_paid, decimals),
        "total_slashed": amount_json(p.total_slashed, decimals),
        "reward_vault_balance": amount_json(reward_vault_balance, decimals),
        "stream": {
            "rate_per_second": u128_json(p.stream_rate_per_second),
            "period_end": p.stream_period_end,
            "remaining": amount_json(p.stream_remaining, decimals),
        },
        "total_weight": u128_json(p.total_weight),
        "boost_weight": u128_json(p.boost_weight),
        "boost_end_days_due": p.boost_end_days_due(view.now),
        "last_applied_day": p.last_applied_day,
        "now": view.now,
    })
}

async fn position_json(
    cluster: &impl Cluster,
    view: &PoolView,
    decimals: u8,
    address: &Pubkey,
    p: &Position,
) -> Result<Value> {
    let pending = staking::pending_rewards(cluster, &view.network, address).await?;
    let effective = staking::effective_weight(cluster, &view.network, address).await?;
    Ok(json!({
        "address": address.to_string(),
        "owner": p.owner.to_string(),
        "kind": match p.kind {
            PositionKind::Stake => "stake",
            PositionKind::OperatorBond => "operator-bond",
        },
        "id": p.id,
        "amount": amount_json(p.amount, decimals),
        "lockup_secs": p.lockup_secs,
        "lockup_end": p.lockup_end,
        "locked": p.is_locked(view.now),
        "weight": u128_json(p.weight),
        "effective_weight": u128_json(effective),
        "boost": u128_json(p.boost),
        "pending_rewards": amount_json(pending, decimals),
        "unbonding": amount_json(p.unbonding, decimals),
        "unbonding_ends_at": p.unbonding_ends_at,
        "withdrawable": p.unbonding > 0 && view.now >= p.unbonding_ends_at,
        "created_at": p.created_at,
    }))
}
