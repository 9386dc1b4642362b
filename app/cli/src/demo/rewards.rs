//! Rewards steps: a reward pool guarded by two oracles, a challenge period
//! and an outflow limit; two epochs of device rewards computed off-chain,
//! each root proposed by the crank, approved by an independent verifier and
//! activated after the challenge period; a forged root from a stolen key
//! that never gets a second approval and is vetoed; a claim and a push
//! claim.

use anyhow::{Context, Result};
use depin_client::local::LocalCluster;
use depin_client::registry;
use depin_client::rewards::{self, CreateDistributorArgs, Guards, RewardTree};
use depin_client::{token, Cluster, Keypair, Pubkey, Signer};
use depin_registry::state::{permission, Device, DeviceStatus};
use depin_rewards::state::{ClaimLedger, LEDGER_PAGE_SIZE};

use super::registry::Registered;
use super::story::{Actor, Cast, Story};
use crate::quiet::Console;
use crate::table::{sol, Table};

const DPIN: u64 = 1_000_000;
/// How long an approved root waits, during which the operator can veto it.
const CHALLENGE_SECS: u32 = 10 * 60;

pub struct Rewarded {
    distributor: Pubkey,
    tree: RewardTree,
    /// (owner, their reward token account)
    pub accounts: Vec<(Pubkey, Pubkey)>,
}

/// One epoch's rewards: 1 DPIN per 10 units of capacity (Wh, W) of every
/// active device, paid to its owner. Suspended devices earn nothing.
fn epoch_rewards(devices: &[Device]) -> Vec<(Pubkey, u64)> {
    let mut owed: Vec<(Pubkey, u64)> = vec![];
    for device in devices.iter().filter(|d| d.status == DeviceStatus::Active) {
        let amount = u64::from(device.capacity) / 10 * DPIN;
        match owed.iter_mut().find(|(owner, _)| *owner == device.owner) {
            Some((_, total)) => *total += amount,
            None => owed.push((device.owner, amount)),
        }
    }
    owed
}

/// Adds an epoch to everyone's cumulative total, keeping leaf indexes stable.
fn accumulate(cumulative: &mut Vec<(Pubkey, u64)>, epoch: &[(Pubkey, u64)]) {
    for (owner, amount) in epoch {
        match cumulative.iter_mut().find(|(o, _)| o == owner) {
            Some((_, total)) => *total += amount,
            None => cumulative.push((*owner, *amount)),
        }
    }
}

pub async fn act(story: &mut Story, cast: &Cast, registered: &Registered) -> Result<Rewarded> {
    let (operator, oracle) = (&cast.operator, &cast.oracle);
    let [_, bob, _, dave] = &cast.owners;
    let (network, mint) = (registered.network, registered.reward_mint);
    let payer = story.cluster.payer().pubkey();

    // The operator mints the network token and opens a reward pool with it.
    let clawback_treasury =
        token::create_token_account(&story.cluster, &mint, &operator.key.pubkey()).await?;
    let operator_dpin =
        token::create_token_account(&story.cluster, &mint, &operator.key.pubkey()).await?;
    token::mint_to(
        &story.cluster,
        &mint,
        &operator_dpin,
        &operator.key,
        100_000 * DPIN,
    )
    .await?;
    // A second oracle key, run apart from the crank, recomputes and approves
    // every root: one stolen key alone can no longer pay anything.
    let verifier = Keypair::new();
    let ix = registry::grant_role(
        &payer,
        &operator.key.pubkey(),
        &network,
        &verifier.pubkey(),
        permission::ORACLE,
    );
    story
        .step(
            "grant verifier: oracle (second key)",
            &[ix],
            &[&operator.key],
        )
        .await?;
    let guards = Guards {
        required_approvals: 2,
        challenge_period_secs: CHALLENGE_SECS,
        outflow_limit: 5_000 * DPIN,
        outflow_period_secs: 86_400,
    };
    let args = CreateDistributorArgs {
        pool_id: 0,
        expires_at: 0,
        guards,
    };
    let ix = rewards::create_distributor(
        &payer,
        &operator.key.pubkey(),
        &network,
        &mint,
        &clawback_treasury,
        args,
    );
    story
        .step(
            "open reward pool 0 (DPIN): 2 of 2 oracles, 10 min challenge, 5,000 DPIN/day",
            &[ix],
            &[&operator.key],
        )
        .await?;
    let distributor = depin_rewards::pda::distributor(&network, &mint, 0).0;
    let ix = rewards::create_ledger_page(&payer, &oracle.key.pubkey(), &network, &distributor, 0);
    story
        .step(
            "crank adds claim ledger page 0 (1,024 recipients)",
            &[ix],
            &[&oracle.key],
        )
        .await?;
    let ix = rewards::fund(
        &operator.key.pubkey(),
        &distributor,
        &operator_dpin,
        10_000 * DPIN,
    );
    story
        .step(
            "operator funds the pool: 10,000 DPIN",
            &[ix],
            &[&operator.key],
        )
        .await?;

    let mut accounts = vec![];
    for owner in [dave, bob] {
        let account =
            token::create_token_account(&story.cluster, &mint, &owner.key.pubkey()).await?;
        accounts.push((owner.key.pubkey(), account));
    }
    let account_of = |who: &Actor| {
        accounts
            .iter()
            .find(|(o, _)| *o == who.key.pubkey())
            .map(|(_, a)| *a)
            .unwrap()
    };

    // Epoch 1: the crank reads the fleet, computes rewards, posts the root.
    let fleet = read_fleet(&story.cluster, &network, &registered.devices).await?;
    let mut cumulative = vec![];
    accumulate(&mut cumulative, &epoch_rewards(&fleet));
    let tree = RewardTree::new(distributor, cumulative.clone());
    let approvers = Approvers {
        network,
        distributor,
        crank: &oracle.key,
        verifier: &verifier,
    };
    approvers.approve(story, &tree, 1, "(2 recipients)").await?;

    // dave claims himself (he holds no SOL: the fee payer is someone else);
    // the crank pushes bob's rewards to his token account.
    let claim = tree
        .claim_args(&dave.key.pubkey())
        .context("dave has a leaf")?;
    let ix = rewards::claim(&dave.key.pubkey(), &distributor, &account_of(dave), claim);
    story
        .step(
            "dave claims epoch 1 (signs; holds no SOL)",
            &[ix],
            &[&dave.key],
        )
        .await?;
    let claim = tree
        .claim_args(&bob.key.pubkey())
        .context("bob has a leaf")?;
    let ix = rewards::push_claim(&distributor, &bob.key.pubkey(), &account_of(bob), claim);
    story
        .step("crank push-claims bob's epoch 1", &[ix], &[])
        .await?;

    // Someone steals the crank's key and proposes a root that pays them the
    // whole vault. The verifier will not approve it; the operator vetoes it.
    let thief = Keypair::new().pubkey();
    let vault = token::balance(&story.cluster, &depin_rewards::pda::vault(&distributor).0).await?;
    let mut forged_entries = cumulative.clone();
    forged_entries.push((thief, vault));
    let forged = RewardTree::new(distributor, forged_entries);
    let ix = rewards::post_root(
        &oracle.key.pubkey(),
        &network,
        &distributor,
        forged.post_root_args(2),
    );
    story
        .step(
            "stolen crank key proposes a root paying itself the vault (1 of 2)",
            &[ix],
            &[&oracle.key],
        )
        .await?;
    let ix = rewards::veto_root(&operator.key.pubkey(), &network, &distributor);
    story
        .step(
            "verifier refuses it; operator vetoes it (epoch-1 root stays)",
            &[ix],
            &[&operator.key],
        )
        .await?;

    // Epoch 2 (the crank's key rotated in practice): cumulative amounts
    // grow; one claim catches up on everything.
    accumulate(&mut cumulative, &epoch_rewards(&fleet));
    let tree = RewardTree::new(distributor, cumulative);
    approvers.approve(story, &tree, 2, "").await?;
    let claim = tree
        .claim_args(&dave.key.pubkey())
        .context("dave has a leaf")?;
    let ix = rewards::claim(&dave.key.pubkey(), &distributor, &account_of(dave), claim);
    story
        .step(
            "dave claims epoch 2 (only the increase is paid)",
            &[ix],
            &[&dave.key],
        )
        .await?;

    Ok(Rewarded {
        distributor,
        tree,
        accounts,
    })
}

/// The two oracle keys a root needs, and the wait before it activates.
struct Approvers<'a> {
    network: Pubkey,
    distributor: Pubkey,
    crank: &'a Keypair,
    verifier: &'a Keypair,
}

impl Approvers<'_> {
    /// The crank proposes, the verifier approves the same root, the
    /// challenge period passes without a veto, and anyone activates it.
    async fn approve(
        &self,
        story: &mut Story,
        tree: &RewardTree,
        epoch: u64,
        what: &str,
    ) -> Result<()> {
        for (who, key) in [
            ("crank proposes", self.crank),
            ("verifier approves", self.verifier),
        ] {
            let ix = rewards::post_root(
                &key.pubkey(),
                &self.network,
                &self.distributor,
                tree.post_root_args(epoch),
            );
            let label = format!("{who} the epoch-{epoch} root {what}");
            story.step(label.trim_end(), &[ix], &[key]).await?;
        }
        story
            .cluster
            .advance_clock(i64::from(CHALLENGE_SECS))
            .await?;
        story.note("10 minutes pass: no veto");
        let ix = rewards::activate_root(&self.distributor);
        story
            .step(
                &format!("anyone activates the epoch-{epoch} root"),
                &[ix],
                &[],
            )
            .await?;
        Ok(())
    }
}

async fn read_fleet(
    cluster: &LocalCluster,
    network: &Pubkey,
    devices: &[Keypair],
) -> Result<Vec<Device>> {
    let mut fleet = vec![];
    for key in devices {
        fleet.push(registry::device(cluster, network, &key.pubkey()).await?);
    }
    Ok(fleet)
}

pub async fn print_summary(
    console: &mut Console,
    cluster: &LocalCluster,
    cast: &Cast,
    rewarded: &Rewarded,
) -> Result<()> {
    let dpin = |amount: u64| format!("{:.2} DPIN", amount as f64 / DPIN as f64);
    let mut t = Table::new(&[
        "recipient",
        "leaf",
        "earned (root)",
        "claimed",
        "claimable",
        "wallet",
        "SOL held",
    ]);
    for (owner, account) in &rewarded.accounts {
        let args = rewarded
            .tree
            .claim_args(owner)
            .context("recipient has a leaf")?;
        let claimed = rewards::claimed(cluster, &rewarded.distributor, args.index).await?;
        t.row(vec![
            cast.name_of(owner),
            args.index.to_string(),
            dpin(args.cumulative_amount),
            dpin(claimed),
            dpin(args.cumulative_amount - claimed),
            dpin(token::balance(cluster, account).await?),
            sol(cluster
                .get_account(owner)
                .await?
                .map(|a| a.lamports)
                .unwrap_or(0)),
        ]);
    }
    console.print(&format!("{}\n", t.render()));

    let pool = rewards::distributor(cluster, &rewarded.distributor).await?;
    let vault = token::balance(cluster, &pool.vault).await?;
    let page_rent = cluster.minimum_balance(ClaimLedger::SIZE).await?;
    let mut t = Table::new(&[
        "reward pool",
        "epoch",
        "funded",
        "promised",
        "claimed",
        "in vault",
        "proof depth",
    ]);
    t.row(vec![
        "DPIN pool 0".into(),
        pool.epoch.to_string(),
        dpin(pool.total_funded),
        dpin(pool.cumulative_total),
        dpin(pool.total_claimed),
        dpin(vault),
        rewarded.tree.depth().to_string(),
    ]);
    console.print(&format!("{}\n", t.render()));
    let guards = rewards::guards(cluster, &rewarded.distributor).await?;
    let proposal = rewards::root_proposal(cluster, &rewarded.distributor).await?;
    let now = cluster.unix_timestamp().await?;
    let mut t = Table::new(&[
        "guards",
        "approvals",
        "challenge",
        "outflow limit",
        "left this window",
        "last proposal",
    ]);
    t.row(vec![
        "DPIN pool 0".into(),
        format!("{} of the oracles", guards.required_approvals),
        format!("{} min", guards.challenge_period_secs / 60),
        format!(
            "{} / {} h",
            dpin(guards.outflow_limit),
            guards.outflow_period_secs / 3_600
        ),
        dpin(pool.breaker.available(now)),
        format!("#{} {:?}", proposal.sequence, proposal.status),
    ]);
    console.print(&format!("{}\n", t.render()));
    console.print(&format!(
        "claim ledger: {} bytes per page of {} recipients, rent {} per recipient, paid by the network\n",
        ClaimLedger::SIZE,
        LEDGER_PAGE_SIZE,
        sol(page_rent / LEDGER_PAGE_SIZE as u64),
    ));
    Ok(())
}
