//! `depin rewards ...`: compressed reward claims. A distributor (per network,
//! mint and pool id) holds a vault and the Merkle root of everyone's
//! cumulative rewards; oracles post roots (m-of-n approvals and a challenge
//! window per its guards), recipients claim with a proof, or anyone pushes
//! their claims to them.
//!
//! The entitlements file of `post-root`/`approve-root` lists (recipient,
//! cumulative amount) in leaf order (a recipient's index is its ledger
//! slot: keep the order from epoch to epoch, or pass `--previous` with the
//! last proofs file to keep everyone's index): CSV lines `RECIPIENT,AMOUNT`
//! (an optional header line; `#` comments), or JSON `[{"recipient",
//! "amount"}]` or `[[RECIPIENT, AMOUNT]]`. Amounts are UI units of the
//! mint (`2.5`) unless `--base-units`. The proofs file (`--proofs-out`,
//! read by `claim` and `push-claim` from a path or an http(s) URL) is
//! `{"distributor", "epoch", "root": HEX, "cumulative_total",
//! "recipient_count", "claims": {RECIPIENT: {"index", "amount", "proof":
//! [HEX]}}}` with amounts in base units.
//!
//! JSON. AMOUNT is `{"amount", "ui_amount", "decimals"}`; GUARDS is
//! `{"required_approvals", "challenge_period_secs", "outflow_limit": AMOUNT
//! | null (no limit), "outflow_period_secs"}`.
//! - `status`: `{"address", "network", "mint", "pool_id", "vault",
//!   "vault_balance": AMOUNT, "treasury", "epoch", "root": HEX,
//!   "cumulative_total": AMOUNT, "total_funded": AMOUNT, "total_claimed":
//!   AMOUNT, "recipient_count", "ledger_pages", "ledger_capacity",
//!   "expires_at", "paused", "clawed_back", "guards": GUARDS, "proposal":
//!   {"sequence", "status", "epoch", "root", "cumulative_total": AMOUNT,
//!   "recipient_count", "approvers": [PUBKEY], "approvals_needed",
//!   "proposed_at", "approved_at", "activates_at"}}`.
//! - Commands that send print their fields plus `"transaction"` (see `tx`):
//!   `create-distributor` `{"distributor", "network", "mint", "pool_id",
//!   "vault", "root_proposal", "treasury", "expires_at", "guards"}`; `fund`
//!   `{"distributor", "amount", "source"}`; `ledger-pages` `{"distributor",
//!   "recipients", "pages_before", "pages_after", "created": [PAGE]}`
//!   (`"transactions"` when it takes several, nothing when none is
//!   needed); `post-root` and `approve-root` `{"distributor", "epoch",
//!   "root", "cumulative_total": AMOUNT, "recipient_count", "proofs_out",
//!   "proposal": {"status", "approvals", "approvals_needed",
//!   "activates_at"} | null}` (the proposal as read after sending);
//!   `activate-root`, `veto-root` `{"distributor", "epoch", "root"}`;
//!   `claim` `{"distributor", "recipient", "index", "cumulative_amount",
//!   "claimed_before", "amount", "destination"}`; `push-claim`
//!   `{"distributor", "claims": [{"recipient", "index", "amount",
//!   "destination"}]}`; `clawback` `{"distributor", "treasury", "amount"}`;
//!   `pause`/`unpause` `{"distributor", "paused"}`; `guards`
//!   `{"distributor", "guards"}`.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use depin_client::depin_rewards::pda;
use depin_client::depin_rewards::state::{Distributor, LEDGER_PAGE_SIZE};
use depin_client::rewards::{
    self, hex32, CreateDistributorArgs, Guards, Proofs, ProposalStatus, RewardTree, RootProposal,
};
use depin_client::{token, ClientError, Cluster, Instruction, Pubkey};
use serde_json::{json, Value};

use super::network::{authority, object_human, AuthorityArg, NetworkRef};
use super::staking::{account_or_ata, check_source, reads, token_account};
use crate::output::{amount_json, parse_ui_amount, ui_amount};
use crate::tx::{Outcome, Session, SignerSource, TxArgs};

/// Ledger pages created per transaction by `ledger-pages`.
const PAGES_PER_TRANSACTION: u32 = 4;

#[derive(Args, Clone, Default)]
pub struct GuardArgs {
    /// Distinct oracles that must approve a root, 1 to 8 [default: 1]
    #[arg(long, value_name = "N")]
    pub approvals: Option<u8>,
    /// Seconds an admin may veto a fully approved root before it activates [default: 0]
    #[arg(long, value_name = "SECONDS")]
    pub challenge_period: Option<u32>,
    /// Most tokens claims may take per window, in UI units, or `unlimited` [default: unlimited]
    #[arg(long, value_name = "AMOUNT")]
    pub outflow_limit: Option<String>,
    /// Length of an outflow window in seconds [default: 86400]
    #[arg(long, value_name = "SECONDS")]
    pub outflow_period: Option<u32>,
}

#[derive(Args, Clone)]
pub struct EntitlementsArgs {
    /// Entitlements: CSV `RECIPIENT,AMOUNT` lines or JSON `[{"recipient","amount"}]`, in leaf order
    #[arg(long, value_name = "PATH")]
    pub file: PathBuf,
    /// Amounts in the file are base units (integers), not UI units
    #[arg(long)]
    pub base_units: bool,
    /// The previous root's proofs file (path or URL): its recipients keep their leaf indexes
    #[arg(long, value_name = "FILE_OR_URL")]
    pub previous: Option<String>,
    /// The root's epoch [default: the distributor's epoch + 1; for approve-root the pending one's]
    #[arg(long)]
    pub epoch: Option<u64>,
}

#[derive(Subcommand)]
pub enum RewardsCommand {
    /// Creates a distributor of a mint in a network (treasury role).
    CreateDistributor {
        /// The network (id or address)
        #[arg(long, value_name = "ID_OR_ADDRESS")]
        network: NetworkRef,
        /// The reward mint [default: the network's reward mint]
        #[arg(long, value_name = "MINT")]
        mint: Option<Pubkey>,
        /// Tells several distributors of one network and mint apart
        #[arg(long, default_value_t = 0)]
        pool_id: u16,
        /// Token account receiving the remainder after expiry [default: the authority's associated token account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        treasury: Option<Pubkey>,
        /// Claims end this many seconds from now (then anyone can claw back) [default: never]
        #[arg(long, value_name = "SECONDS")]
        expires_in: Option<u32>,
        #[command(flatten)]
        guards: GuardArgs,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Moves AMOUNT (UI units) into the distributor's vault (anyone).
    Fund {
        /// The distributor's address (as create-distributor printed it)
        distributor: Pubkey,
        /// Tokens, in UI units of the distributor's mint (e.g. 100 or 2.5)
        amount: String,
        /// Token account paying [default: the funder's associated token account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        source: Option<Pubkey>,
        /// Owner of the source account (a keypair file, or a public key when signing offline) [default: -k]
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        funder: Option<String>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Creates the ledger pages (8 bytes a recipient) that RECIPIENTS leaves need (oracle role).
    LedgerPages {
        /// The distributor's address (as create-distributor printed it)
        distributor: Pubkey,
        /// How many recipients the roots will hold
        #[arg(long)]
        recipients: u32,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Builds the Merkle tree of an entitlements file, proposes its root and writes the proofs (oracle role).
    PostRoot {
        /// The distributor's address (as create-distributor printed it)
        distributor: Pubkey,
        #[command(flatten)]
        entitlements: EntitlementsArgs,
        /// Where to write the proofs file claimants use
        #[arg(long, value_name = "PATH")]
        proofs_out: PathBuf,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Rebuilds the tree from the same entitlements and approves the pending root if identical (another oracle).
    ApproveRoot {
        /// The distributor's address (as create-distributor printed it)
        distributor: Pubkey,
        #[command(flatten)]
        entitlements: EntitlementsArgs,
        /// Also write the proofs file
        #[arg(long, value_name = "PATH")]
        proofs_out: Option<PathBuf>,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Makes the approved root current once its challenge period is over (anyone).
    ActivateRoot {
        /// The distributor's address (as create-distributor printed it)
        distributor: Pubkey,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Stops the pending or approved root (admin).
    VetoRoot {
        /// The distributor's address (as create-distributor printed it)
        distributor: Pubkey,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Shows a distributor: root, proposal, guards, funded and claimed.
    Status {
        /// The distributor's address (as create-distributor printed it)
        distributor: Pubkey,
    },
    /// Claims the signer's rewards with its proof from a proofs file or URL.
    Claim {
        /// The proofs file, or its http(s) URL
        #[arg(long, value_name = "FILE_OR_URL")]
        proofs: String,
        /// The recipient (a keypair file, or a public key when signing offline) [default: -k]
        #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
        recipient: Option<String>,
        /// Token account receiving the rewards [default: the recipient's associated token account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        destination: Option<Pubkey>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Pays RECIPIENTs' rewards into their own token accounts (anyone; one transaction).
    PushClaim {
        /// Recipients' addresses (each must have a leaf in the proofs)
        #[arg(required = true)]
        recipients: Vec<Pubkey>,
        /// The proofs file, or its http(s) URL
        #[arg(long, value_name = "FILE_OR_URL")]
        proofs: String,
        /// Token account of the (single) recipient [default: its associated token account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        destination: Option<Pubkey>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// After expiry: sends the unclaimed remainder to the distributor's treasury (anyone).
    Clawback {
        /// The distributor's address (as create-distributor printed it)
        distributor: Pubkey,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Stops claims (admin).
    Pause {
        /// The distributor's address (as create-distributor printed it)
        distributor: Pubkey,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Lets claims resume (admin).
    Unpause {
        /// The distributor's address (as create-distributor printed it)
        distributor: Pubkey,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Changes the approvals, challenge period or outflow limit (admin); unset flags keep their value.
    Guards {
        /// The distributor's address (as create-distributor printed it)
        distributor: Pubkey,
        #[command(flatten)]
        guards: GuardArgs,
        #[command(flatten)]
        authority: AuthorityArg,
        #[command(flatten)]
        tx: TxArgs,
    },
}

impl RewardsCommand {
    /// The transaction flags of a command that sends (reads have none).
    pub fn tx_args(&self) -> TxArgs {
        match self {
            RewardsCommand::CreateDistributor { tx, .. }
            | RewardsCommand::Fund { tx, .. }
            | RewardsCommand::LedgerPages { tx, .. }
            | RewardsCommand::PostRoot { tx, .. }
            | RewardsCommand::ApproveRoot { tx, .. }
            | RewardsCommand::ActivateRoot { tx, .. }
            | RewardsCommand::VetoRoot { tx, .. }
            | RewardsCommand::Claim { tx, .. }
            | RewardsCommand::PushClaim { tx, .. }
            | RewardsCommand::Clawback { tx, .. }
            | RewardsCommand::Pause { tx, .. }
            | RewardsCommand::Unpause { tx, .. }
            | RewardsCommand::Guards { tx, .. } => tx.clone(),
            RewardsCommand::Status { .. } => TxArgs::default(),
        }
    }
}

/// A distributor and its mint's decimals, or what to do when it is missing.
async fn load(cluster: &impl Cluster, address: &Pubkey) -> Result<(Distributor, u8)> {
    let distributor = rewards::distributor(cluster, address)
        .await
        .map_err(|e| match e {
            ClientError::AccountNotFound(_) => anyhow!(
                "no distributor at {address}: `depin rewards create-distributor` creates one"
            ),
            other => other.into(),
        })?;
    let decimals = token::mint_decimals(cluster, &distributor.mint).await?;
    Ok((distributor, decimals))
}

fn guards_json(guards: &Guards, decimals: u8) -> Value {
    json!({
        "required_approvals": guards.required_approvals,
        "challenge_period_secs": guards.challenge_period_secs,
        "outflow_limit": (guards.outflow_limit != u64::MAX)
            .then(|| amount_json(guards.outflow_limit, decimals)),
        "outflow_period_secs": guards.outflow_period_secs,
    })
}

/// `base` with the flags given changed.
fn apply_guards(base: Guards, args: &GuardArgs, decimals: u8) -> Result<Guards> {
    let outflow_limit = match args.outflow_limit.as_deref() {
        None => base.outflow_limit,
        Some("unlimited") => u64::MAX,
        Some(text) => parse_ui_amount(text, decimals).context("--outflow-limit")?,
    };
    Ok(Guards {
        required_approvals: args.approvals.unwrap_or(base.required_approvals),
        challenge_period_secs: args.challenge_period.unwrap_or(base.challenge_period_secs),
        outflow_limit,
        outflow_period_secs: args.outflow_period.unwrap_or(base.outflow_period_secs),
    })
}

fn status_name(status: ProposalStatus) -> &'static str {
    match status {
        ProposalStatus::Empty => "empty",
        ProposalStatus::Pending => "pending",
        ProposalStatus::Approved => "approved",
        ProposalStatus::Activated => "activated",
        ProposalStatus::Vetoed => "vetoed",
    }
}

/// `(recipient, amount)` in file order (see the module's comment).
pub fn parse_entitlements(
    text: &str,
    decimals: u8,
    base_units: bool,
) -> Result<Vec<(Pubkey, u64)>> {
    let amount = |text: &str| -> Result<u64> {
        if base_units {
            text.parse::<u64>()
                .map_err(|_| anyhow!("{text:?} is not an amount in base units (an integer)"))
        } else {
            parse_ui_amount(text, decimals)
        }
    };
    let recipient = |text: &str| -> Result<Pubkey> {
        text.trim()
            .parse()
            .map_err(|_| anyhow!("{text:?} is not a recipient address"))
    };
    let mut entries = vec![];
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        bail!(
            "a JSON object has no order: list the entitlements as [{{\"recipient\", \"amount\"}}]"
        );
    }
    if trimmed.starts_with('[') {
        let items: Vec<Value> = serde_json::from_str(text).context("not a JSON list")?;
        for (i, item) in items.iter().enumerate() {
            let (who, how_much) = match item {
                Value::Object(map) => (map.get("recipient"), map.get("amount")),
                Value::Array(pair) if pair.len() == 2 => (pair.first(), pair.get(1)),
                _ => (None, None),
            };
            let (Some(Value::String(who)), Some(how_much)) = (who, how_much) else {
                bail!("entry {i}: expected {{\"recipient\": ADDRESS, \"amount\": AMOUNT}}");
            };
            let how_much = match how_much {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                other => bail!("entry {i}: {other} is not an amount"),
            };
            entries.push((
                recipient(who).with_context(|| format!("entry {i}"))?,
                amount(&how_much).with_context(|| format!("entry {i}"))?,
            ));
        }
    } else {
        for (line_no, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            if fields.len() != 2 {
                bail!("line {}: expected RECIPIENT,AMOUNT", line_no + 1);
            }
            if entries.is_empty() && fields[0].parse::<Pubkey>().is_err() {
                continue; // a header line
            }
            entries.push((
                recipient(fields[0]).with_context(|| format!("line {}", line_no + 1))?,
                amount(fields[1]).with_context(|| format!("line {}", line_no + 1))?,
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (who, _) in &entries {
        if !seen.insert(*who) {
            bail!("{who} is listed twice: one leaf per recipient");
        }
    }
    if entries.is_empty() {
        bail!("no entitlements: a root needs at least one recipient");
    }
    Ok(entries)
}

/// The file's entries with the previous root's recipients at their old
/// indexes (an absent one keeps its old amount; none may shrink), new
/// recipients appended in file order.
fn keep_indexes(previous: &Proofs, entries: Vec<(Pubkey, u64)>) -> Result<Vec<(Pubkey, u64)>> {
    let mut merged: Vec<(Pubkey, u64)> = previous
        .claims
        .iter()
        .map(|(who, args)| (*who, args.cumulative_amount))
        .collect();
    for (i, (who, _)) in merged.iter().enumerate() {
        let index = previous.claims[i].1.index as usize;
        if index != i {
            bail!("the previous proofs have no leaf {i} (recipient {who} is at {index})");
        }
    }
    for (who, amount) in entries {
        match merged.iter_mut().find(|(w, _)| *w == who) {
            Some((_, old)) if amount < *old => bail!(
                "{who}'s cumulative amount would shrink from {} to {amount} base units",
                *old
            ),
            Some((_, old)) => *old = amount,
            None => merged.push((who, amount)),
        }
    }
    Ok(merged)
}

async fn build_tree(
    distributor: &Pubkey,
    args: &EntitlementsArgs,
    decimals: u8,
) -> Result<RewardTree> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read the entitlements file {}", args.file.display()))?;
    let mut entries = parse_entitlements(&text, decimals, args.base_units)
        .with_context(|| format!("entitlements file {}", args.file.display()))?;
    if let Some(previous) = &args.previous {
        let previous = Proofs::load(previous).await?;
        if previous.distributor != *distributor {
            bail!(
                "--previous: those proofs are for distributor {}, not {distributor}",
                previous.distributor
            );
        }
        entries = keep_indexes(&previous, entries)?;
    }
    Ok(RewardTree::new(*distributor, entries))
}

fn write_proofs(path: &Path, proofs: &Proofs) -> Result<()> {
    let text = serde_json::to_string_pretty(&proofs.to_json()).expect("JSON values serialize");
    std::fs::write(path, text + "\n")
        .with_context(|| format!("cannot write the proofs file {}", path.display()))
}

fn proposal_json(proposal: &RootProposal) -> Value {
    json!({
        "status": status_name(proposal.status),
        "approvals": proposal.approval_count,
        "approvals_needed": proposal.approvals_needed,
        "activates_at": rewards::activates_at(proposal),
    })
}

/// `post-root` (`approve` false) and `approve-root` (true).
async fn post(
    session: &Session,
    address: Pubkey,
    entitlements: EntitlementsArgs,
    proofs_out: Option<PathBuf>,
    who: AuthorityArg,
    approve: bool,
) -> Result<()> {
    let cluster = reads(session)?;
    let signer = authority(session, &who)?;
    let (distributor, decimals) = load(&*cluster, &address).await?;
    let proposal = rewards::root_proposal(&*cluster, &address).await?;
    let pending = proposal.status == ProposalStatus::Pending;
    let tree = build_tree(&address, &entitlements, decimals).await?;
    let epoch = match (entitlements.epoch, approve) {
        (Some(epoch), _) => epoch,
        (None, true) if pending => proposal.content.epoch,
        (None, _) => distributor.epoch + 1,
    };
    let args = tree.post_root_args(epoch);
    if approve {
        if !pending {
            bail!(
                "no root awaits approval on {address} (the proposal is {}): `depin rewards \
                 post-root` proposes one",
                status_name(proposal.status)
            );
        }
        if proposal.content != args.content() {
            let c = &proposal.content;
            bail!(
                "your tree differs from the pending proposal: yours is epoch {epoch}, root {}, \
                 total {}, {} recipients; the proposal is epoch {}, root {}, total {}, {} \
                 recipients. Check the entitlements file (order matters) and --epoch",
                hex32(&args.root),
                args.cumulative_total,
                args.recipient_count,
                c.epoch,
                hex32(&c.root),
                c.cumulative_total,
                c.recipient_count
            );
        }
    }
    let capacity = distributor.ledger_capacity();
    if u64::from(tree.recipient_count()) > capacity {
        bail!(
            "{} recipients do not fit the {} ledger page(s) of {address} ({capacity} slots): \
             run `depin rewards ledger-pages {address} --recipients {}` first",
            tree.recipient_count(),
            distributor.ledger_pages,
            tree.recipient_count()
        );
    }
    let proofs = tree.proofs(epoch);
    if let Some(path) = &proofs_out {
        if !session.tx.dry_run {
            write_proofs(path, &proofs)?;
        }
    }
    let ix = rewards::post_root(
        &signer.pubkey(),
        &distributor.network,
        &address,
        args.clone(),
    );
    let outcome = session.execute(&[ix], &[&signer]).await?;
    let after = match &outcome {
        Outcome::Sent(_) => Some(rewards::root_proposal(&*cluster, &address).await?),
        _ => None,
    };
    let summary = json!({
        "distributor": address.to_string(),
        "epoch": epoch,
        "root": hex32(&args.root),
        "cumulative_total": amount_json(args.cumulative_total, decimals),
        "recipient_count": args.recipient_count,
        "proofs_out": proofs_out.as_ref().map(|p| p.display().to_string()),
        "proposal": after.as_ref().map(proposal_json),
    });
    session.print(&outcome, summary, || {
        let state = after
            .as_ref()
            .map(|p| {
                format!(
                    "; proposal {} ({}/{} approvals)",
                    status_name(p.status),
                    p.approval_count,
                    p.approvals_needed
                )
            })
            .unwrap_or_default();
        format!(
            "{} root {} of epoch {epoch}: {} to {} recipients{state}{}",
            if approve { "Approved" } else { "Posted" },
            hex32(&args.root),
            ui_amount(args.cumulative_total, decimals),
            args.recipient_count,
            proofs_out
                .as_ref()
                .map(|p| format!("\nProofs: {}", p.display()))
                .unwrap_or_default()
        )
    });
    Ok(())
}

/// The proofs, checked against the distributor's current root.
async fn current_proofs(cluster: &impl Cluster, source: &str) -> Result<(Proofs, Distributor, u8)> {
    let proofs = Proofs::load(source).await?;
    let (distributor, decimals) = load(cluster, &proofs.distributor).await?;
    if proofs.content.root != distributor.root || proofs.content.epoch != distributor.epoch {
        bail!(
            "the proofs are for epoch {} (root {}) but distributor {}'s current root is epoch {} \
             (root {}): get the proofs of the current root",
            proofs.content.epoch,
            hex32(&proofs.content.root),
            proofs.distributor,
            distributor.epoch,
            hex32(&distributor.root)
        );
    }
    Ok((proofs, distributor, decimals))
}

pub async fn run(session: &Session, command: RewardsCommand) -> Result<()> {
    let payer = session.fee_payer.pubkey();
    match command {
        RewardsCommand::CreateDistributor {
            network,
            mint,
            pool_id,
            treasury,
            expires_in,
            guards,
            authority: who,
            ..
        } => {
            let network = network.0;
            let cluster = reads(session)?;
            let signer = authority(session, &who)?;
            let mint = match mint {
                Some(mint) => mint,
                None => {
                    depin_client::registry::network(&*cluster, &network)
                        .await?
                        .reward_mint
                }
            };
            let decimals = token::mint_decimals(&*cluster, &mint).await?;
            let treasury = account_or_ata(treasury, &signer.pubkey(), &mint);
            token_account(&*cluster, &treasury, &mint, "--treasury").await?;
            let guards = apply_guards(Guards::SINGLE_ORACLE, &guards, decimals)?;
            let expires_at = match expires_in {
                Some(secs) => cluster.unix_timestamp().await? + i64::from(secs),
                None => 0,
            };
            let ix = rewards::create_distributor(
                &payer,
                &signer.pubkey(),
                &network,
                &mint,
                &treasury,
                CreateDistributorArgs {
                    pool_id,
                    expires_at,
                    guards,
                },
            );
            let address = pda::distributor(&network, &mint, pool_id).0;
            let summary = json!({
                "distributor": address.to_string(), "network": network.to_string(),
                "mint": mint.to_string(), "pool_id": pool_id,
                "vault": pda::vault(&address).0.to_string(),
                "root_proposal": pda::root_proposal(&address).0.to_string(),
                "treasury": treasury.to_string(), "expires_at": expires_at,
                "guards": guards_json(&guards, decimals),
            });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Distributor {address} of mint {mint} in network {network}")
                })
                .await?;
            Ok(())
        }
        RewardsCommand::Fund {
            distributor: address,
            amount,
            source,
            funder,
            ..
        } => {
            let cluster = reads(session)?;
            let funder =
                SignerSource::or_default(funder.as_deref(), "--funder", &session.settings)?;
            let (distributor, decimals) = load(&*cluster, &address).await?;
            let amount = parse_ui_amount(&amount, decimals)?;
            let source = account_or_ata(source, &funder.pubkey(), &distributor.mint);
            check_source(
                &*cluster,
                &source,
                &distributor.mint,
                &funder.pubkey(),
                amount,
                decimals,
            )
            .await?;
            let ix = rewards::fund(&funder.pubkey(), &address, &source, amount);
            let summary = json!({ "distributor": address.to_string(),
                "amount": amount_json(amount, decimals), "source": source.to_string() });
            session
                .run(&[ix], &[&funder], summary, || {
                    format!("Funded {address} with {}", ui_amount(amount, decimals))
                })
                .await?;
            Ok(())
        }
        RewardsCommand::LedgerPages {
            distributor: address,
            recipients,
            authority: who,
            ..
        } => {
            let cluster = reads(session)?;
            let signer = authority(session, &who)?;
            let (distributor, _) = load(&*cluster, &address).await?;
            let before = distributor.ledger_pages;
            let needed = rewards::pages_for(recipients);
            let pages: Vec<u32> = (before..needed.max(before)).collect();
            let batches: Vec<Vec<Instruction>> = pages
                .chunks(PAGES_PER_TRANSACTION as usize)
                .map(|chunk| {
                    chunk
                        .iter()
                        .map(|page| {
                            rewards::create_ledger_page(
                                &payer,
                                &signer.pubkey(),
                                &distributor.network,
                                &address,
                                *page,
                            )
                        })
                        .collect()
                })
                .collect();
            let after = before.max(needed);
            let summary = json!({
                "distributor": address.to_string(), "recipients": recipients,
                "pages_before": before, "pages_after": after, "created": pages,
            });
            let count = pages.len();
            session
                .run_all(batches, &[&signer], summary, || match count {
                    0 => format!(
                        "{address} already has {before} ledger page(s): room for {} recipients",
                        u64::from(before) * LEDGER_PAGE_SIZE as u64
                    ),
                    n => format!("Created {n} ledger page(s): {after} in all"),
                })
                .await
        }
        RewardsCommand::PostRoot {
            distributor,
            entitlements,
            proofs_out,
            authority: who,
            ..
        } => {
            post(
                session,
                distributor,
                entitlements,
                Some(proofs_out),
                who,
                false,
            )
            .await
        }
        RewardsCommand::ApproveRoot {
            distributor,
            entitlements,
            proofs_out,
            authority: who,
            ..
        } => post(session, distributor, entitlements, proofs_out, who, true).await,
        RewardsCommand::ActivateRoot {
            distributor: address,
            ..
        } => {
            let cluster = reads(session)?;
            load(&*cluster, &address).await?;
            let proposal = rewards::root_proposal(&*cluster, &address).await?;
            let ix = rewards::activate_root(&address);
            let summary = json!({ "distributor": address.to_string(),
                "epoch": proposal.content.epoch, "root": hex32(&proposal.content.root) });
            session
                .run(&[ix], &[], summary, || {
                    format!(
                        "Root {} of epoch {} activated",
                        hex32(&proposal.content.root),
                        proposal.content.epoch
                    )
                })
                .await?;
            Ok(())
        }
        RewardsCommand::VetoRoot {
            distributor: address,
            authority: who,
            ..
        } => {
            let cluster = reads(session)?;
            let signer = authority(session, &who)?;
            let (distributor, _) = load(&*cluster, &address).await?;
            let proposal = rewards::root_proposal(&*cluster, &address).await?;
            let ix = rewards::veto_root(&signer.pubkey(), &distributor.network, &address);
            let summary = json!({ "distributor": address.to_string(),
                "epoch": proposal.content.epoch, "root": hex32(&proposal.content.root) });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Root of epoch {} vetoed", proposal.content.epoch)
                })
                .await?;
            Ok(())
        }
        RewardsCommand::Status {
            distributor: address,
        } => {
            let cluster = session.cluster()?;
            let (d, decimals) = load(cluster, &address).await?;
            let proposal = rewards::root_proposal(cluster, &address).await?;
            let vault = token::balance(cluster, &d.vault).await?;
            let c = &proposal.content;
            let json = json!({
                "address": address.to_string(),
                "network": d.network.to_string(),
                "mint": d.mint.to_string(),
                "pool_id": d.pool_id,
                "vault": d.vault.to_string(),
                "vault_balance": amount_json(vault, decimals),
                "treasury": d.treasury.to_string(),
                "epoch": d.epoch,
                "root": hex32(&d.root),
                "cumulative_total": amount_json(d.cumulative_total, decimals),
                "total_funded": amount_json(d.total_funded, decimals),
                "total_claimed": amount_json(d.total_claimed, decimals),
                "recipient_count": d.recipient_count,
                "ledger_pages": d.ledger_pages,
                "ledger_capacity": d.ledger_capacity(),
                "expires_at": d.expires_at,
                "paused": d.is_paused(),
                "clawed_back": d.is_clawed_back(),
                "guards": guards_json(&Guards::of(&d, &proposal), decimals),
                "proposal": {
                    "sequence": proposal.sequence,
                    "status": status_name(proposal.status),
                    "epoch": c.epoch,
                    "root": hex32(&c.root),
                    "cumulative_total": amount_json(c.cumulative_total, decimals),
                    "recipient_count": c.recipient_count,
                    "approvers": proposal.approvers().iter().map(Pubkey::to_string).collect::<Vec<_>>(),
                    "approvals_needed": proposal.approvals_needed,
                    "proposed_at": proposal.proposed_at,
                    "approved_at": proposal.approved_at,
                    "activates_at": rewards::activates_at(&proposal),
                },
            });
            session.output.print(&json, || object_human(&json));
            Ok(())
        }
        RewardsCommand::Claim {
            proofs,
            recipient,
            destination,
            ..
        } => {
            let cluster = reads(session)?;
            let recipient =
                SignerSource::or_default(recipient.as_deref(), "--recipient", &session.settings)?;
            let (proofs, distributor, decimals) = current_proofs(&*cluster, &proofs).await?;
            let address = proofs.distributor;
            let Some(args) = proofs.claim(&recipient.pubkey()).cloned() else {
                bail!(
                    "{} has no leaf in these proofs (epoch {} of {address})",
                    recipient.pubkey(),
                    proofs.content.epoch
                );
            };
            let destination = account_or_ata(destination, &recipient.pubkey(), &distributor.mint);
            token_account(&*cluster, &destination, &distributor.mint, "--destination").await?;
            let before = rewards::claimed(&*cluster, &address, args.index).await?;
            let amount = args.cumulative_amount.saturating_sub(before);
            let summary = json!({
                "distributor": address.to_string(),
                "recipient": recipient.pubkey().to_string(),
                "index": args.index,
                "cumulative_amount": amount_json(args.cumulative_amount, decimals),
                "claimed_before": amount_json(before, decimals),
                "amount": amount_json(amount, decimals),
                "destination": destination.to_string(),
            });
            let ix = rewards::claim(&recipient.pubkey(), &address, &destination, args);
            session
                .run(&[ix], &[&recipient], summary, || {
                    format!("Claimed {} to {destination}", ui_amount(amount, decimals))
                })
                .await?;
            Ok(())
        }
        RewardsCommand::PushClaim {
            recipients,
            proofs,
            destination,
            ..
        } => {
            if destination.is_some() && recipients.len() > 1 {
                bail!("--destination names one recipient's account: push one recipient at a time");
            }
            let cluster = reads(session)?;
            let (proofs, distributor, decimals) = current_proofs(&*cluster, &proofs).await?;
            let address = proofs.distributor;
            let mut instructions = vec![];
            let mut claims = vec![];
            for recipient in &recipients {
                let Some(args) = proofs.claim(recipient).cloned() else {
                    bail!(
                        "{recipient} has no leaf in these proofs (epoch {})",
                        proofs.content.epoch
                    );
                };
                let to = account_or_ata(destination, recipient, &distributor.mint);
                token_account(&*cluster, &to, &distributor.mint, "--destination").await?;
                let before = rewards::claimed(&*cluster, &address, args.index).await?;
                let amount = args.cumulative_amount.saturating_sub(before);
                claims.push(json!({
                    "recipient": recipient.to_string(), "index": args.index,
                    "amount": amount_json(amount, decimals), "destination": to.to_string(),
                }));
                instructions.push(rewards::push_claim(&address, recipient, &to, args));
            }
            let summary = json!({ "distributor": address.to_string(), "claims": claims });
            let count = recipients.len();
            session
                .run(&instructions, &[], summary, || {
                    format!("Pushed {count} claim(s) from {address}")
                })
                .await?;
            Ok(())
        }
        RewardsCommand::Clawback {
            distributor: address,
            ..
        } => {
            let cluster = reads(session)?;
            let (distributor, decimals) = load(&*cluster, &address).await?;
            let amount = token::balance(&*cluster, &distributor.vault).await?;
            let ix = rewards::clawback(&address, &distributor.treasury);
            let summary = json!({ "distributor": address.to_string(),
                "treasury": distributor.treasury.to_string(),
                "amount": amount_json(amount, decimals) });
            session
                .run(&[ix], &[], summary, || {
                    format!(
                        "Clawed back {} to {}",
                        ui_amount(amount, decimals),
                        distributor.treasury
                    )
                })
                .await?;
            Ok(())
        }
        RewardsCommand::Pause {
            distributor,
            authority: who,
            ..
        } => set_paused(session, distributor, &who, true).await,
        RewardsCommand::Unpause {
            distributor,
            authority: who,
            ..
        } => set_paused(session, distributor, &who, false).await,
        RewardsCommand::Guards {
            distributor: address,
            guards,
            authority: who,
            ..
        } => {
            let cluster = reads(session)?;
            let signer = authority(session, &who)?;
            let (distributor, decimals) = load(&*cluster, &address).await?;
            let current = rewards::guards(&*cluster, &address).await?;
            let guards = apply_guards(current, &guards, decimals)?;
            let ix = rewards::set_guards(&signer.pubkey(), &distributor.network, &address, guards);
            let summary = json!({ "distributor": address.to_string(),
                "guards": guards_json(&guards, decimals) });
            session
                .run(&[ix], &[&signer], summary, || {
                    format!("Guards of {address} set")
                })
                .await?;
            Ok(())
        }
    }
}

async fn set_paused(
    session: &Session,
    address: Pubkey,
    who: &AuthorityArg,
    paused: bool,
) -> Result<()> {
    let cluster = reads(session)?;
    let signer = authority(session, who)?;
    let (distributor, _) = load(&*cluster, &address).await?;
    let ix = rewards::set_paused(&signer.pubkey(), &distributor.network, &address, paused);
    let summary = json!({ "distributor": address.to_string(), "paused": paused });
    session
        .run(&[ix], &[&signer], summary, || {
            format!(
                "Distributor {address} {}",
                if paused { "paused" } else { "unpaused" }
            )
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entitlements_parse_from_csv_and_json() {
        let a = Pubkey::new_unique();
        let b = Pubkey::new_unique();
        let csv = format!("recipient,amount\n# a comment\n{a},2.5\n\n{b}, 1\n");
        assert_eq!(
            parse_entitlements(&csv, 6, false).unwrap(),
            vec![(a, 2_500_000), (b, 1_000_000)]
        );
        let json = format!(r#"[{{"recipient": "{a}", "amount": "2.5"}}, ["{b}", 7]]"#);
        assert_eq!(
            parse_entitlements(&json, 6, false).unwrap(),
            vec![(a, 2_500_000), (b, 7_000_000)]
        );
        assert_eq!(
            parse_entitlements(&format!("{a},25"), 6, true).unwrap(),
            vec![(a, 25)]
        );
        let twice = format!("{a},1\n{a},2");
        assert!(parse_entitlements(&twice, 6, false)
            .unwrap_err()
            .to_string()
            .contains("twice"));
        assert!(parse_entitlements("{}", 6, false).is_err());
        assert!(parse_entitlements(&format!("{a},1.5"), 6, true).is_err());
        assert!(parse_entitlements("", 6, false).is_err());
    }

    #[test]
    fn previous_recipients_keep_their_indexes() {
        let (a, b, c) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let previous = RewardTree::new(Pubkey::new_unique(), vec![(a, 10), (b, 20)]).proofs(1);
        let merged = keep_indexes(&previous, vec![(c, 5), (b, 25)]).unwrap();
        assert_eq!(merged, vec![(a, 10), (b, 25), (c, 5)]);
        assert!(keep_indexes(&previous, vec![(b, 19)]).is_err());
    }
}
