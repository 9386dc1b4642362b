//! The crank chapter: the devices send signed work reports to the crank over
//! loopback HTTP (the same service `depin-crank run` serves); one report is
//! forged and one device signs a second, different report for the same
//! hour; the epoch closes on chain time, the crank scores it, posts the root
//! and pushes everyone's rewards.

use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use depin_client::report::{sign, EpochSchedule, WorkReport};
use depin_client::rewards::{self, CreateDistributorArgs, Guards};
use depin_client::{registry, token, Cluster, Keypair, Pubkey, Signer};
use depin_crank::epoch::{
    CrankKeys, Pipeline, PipelineConfig, Progress, PushPolicy, Role, ScoreRecord, UpkeepPolicy,
};
use depin_crank::fault::Faults;
use depin_crank::http;
use depin_crank::ingest::ManualClock;
use depin_crank::service::{http_parts, Crank};
use depin_crank::storage::{SqliteStorage, Storage};
use depin_scoring::{DeviceOutcome, RawScoringConfig, ScoringConfig};

use super::registry::Registered;
use super::story::{Cast, Story};
use crate::quiet::Console;
use crate::table::{short, Table};

const DPIN: u64 = 1_000_000;
/// The crank's reward pool (the rewards chapter's oracles use pool 0).
const POOL_ID: u16 = 1;

pub struct Cranked {
    reports: Table,
    scores: Table,
    payouts: Table,
}

fn dpin(amount: u64) -> String {
    format!("{:.2} DPIN", amount as f64 / DPIN as f64)
}

pub async fn act(story: &mut Story, cast: &Cast, registered: &Registered) -> Result<Cranked> {
    let (operator, ops, oracle) = (&cast.operator, &cast.ops, &cast.oracle);
    let (network, mint) = (registered.network, registered.reward_mint);
    let payer = story.cluster.payer().pubkey();

    // The operator lifts the charger's suspension; it opens a reward pool
    // for the crank, funded from a treasury account the crank draws on.
    let charger = &registered.devices[2];
    let ix = registry::resume_device(&ops.key.pubkey(), &network, &charger.pubkey());
    story
        .step("ops lead resumes the EV charger", &[ix], &[&ops.key])
        .await?;
    let treasury =
        token::create_token_account(&story.cluster, &mint, &operator.key.pubkey()).await?;
    token::mint_to(
        &story.cluster,
        &mint,
        &treasury,
        &operator.key,
        10_000 * DPIN,
    )
    .await?;
    let args = CreateDistributorArgs {
        pool_id: POOL_ID,
        expires_at: 0,
        guards: Guards::SINGLE_ORACLE,
    };
    let ix = rewards::create_distributor(
        &payer,
        &operator.key.pubkey(),
        &network,
        &mint,
        &treasury,
        args,
    );
    story
        .step(
            "operator opens the crank's reward pool",
            &[ix],
            &[&operator.key],
        )
        .await?;
    let distributor = depin_rewards::pda::distributor(&network, &mint, POOL_ID).0;

    // The crank in process: SQLite in a temporary directory, ingest and the
    // proofs API on a loopback port, following the bank's clock.
    let dir = tempfile::tempdir()?;
    let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::open(dir.path().join("crank.db"))?);
    let schedule = EpochSchedule::of(&registry::network(&story.cluster, &network).await?);
    let now = story.cluster.unix_timestamp().await?;
    let epoch = schedule.epoch_at(now).context("the network's epochs")? + 1;
    let window = schedule.window(epoch).context("the epoch's window")?;
    story
        .cluster
        .advance_clock(window.start + 3_600 - now)
        .await?;
    story.note(&format!("... epoch {epoch} begins; an hour passes"));
    let clock = Arc::new(ManualClock::new(window.start + 3_600));
    let parts = http_parts(
        Arc::clone(&story.cluster),
        Arc::clone(&storage),
        network,
        distributor,
        clock.clone(),
    )
    .await
    .map_err(|e| anyhow!(e))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(http::serve(listener, parts.app, async move {
        let _ = stopped.await;
    }));

    // The hour's reports, signed by each device's own key, then a forgery
    // and a second, different report for the same hour.
    let hour = |device: &Keypair, energy_wh: u64, sequence: u64| WorkReport {
        network,
        device_key: device.pubkey(),
        period_start: window.start,
        period_secs: 3_600,
        energy_wh,
        uptime_secs: 3_600,
        sequence,
    };
    let [battery, inverter, charger] = [
        &registered.devices[0],
        &registered.devices[1],
        &registered.devices[2],
    ];
    let impostor = Keypair::new();
    let forged = {
        let mut report = sign(&hour(inverter, 7_000, 2), &impostor);
        report.report.device_key = inverter.pubkey();
        report
    };
    let sends = [
        ("home battery", sign(&hour(battery, 5_000, 1), battery)),
        ("solar inverter", sign(&hour(inverter, 7_000, 1), inverter)),
        ("EV charger", sign(&hour(charger, 9_000, 1), charger)),
        ("forged (inverter)", forged),
        (
            "EV charger, again",
            sign(&hour(charger, 11_000, 2), charger),
        ),
    ];
    let client = reqwest::Client::new();
    let mut reports = Table::new(&["report", "device", "energy", "crank's answer"]);
    for (label, signed) in &sends {
        let answer: serde_json::Value = client
            .post(format!("{url}/v1/reports"))
            .body(serde_json::to_vec(signed)?)
            .send()
            .await?
            .json()
            .await?;
        let said = match answer["status"].as_str() {
            Some(status) => status.to_string(),
            None => format!("refused: {}", answer["code"].as_str().unwrap_or("?")),
        };
        reports.row(vec![
            label.to_string(),
            short(&signed.report.device_key),
            format!("{} Wh", signed.report.energy_wh),
            said,
        ]);
    }
    story.note("devices send 5 signed reports to the crank over HTTP");

    // Recipients need a DPIN account for push claims: owners (a tokenized
    // device's manager, for the asset cannot spend) and operators.
    for device in [battery, inverter, charger] {
        let stored = registry::device(&story.cluster, &network, &device.pubkey()).await?;
        let asset: Option<depin_client::depin_fractional::state::Asset> =
            depin_client::fetch_optional(&story.cluster, &stored.owner)
                .await
                .ok()
                .flatten();
        let owner = asset.map_or(stored.owner, |asset| asset.authority);
        for who in [owner, stored.operator] {
            if who != Pubkey::default() {
                let ix = token::create_associated_idempotent(&payer, &who, &mint);
                story.cluster.send(&[ix], &[]).await?;
            }
        }
    }

    let config = PipelineConfig {
        network,
        distributor,
        treasury_account: treasury,
        scoring: ScoringConfig::new(RawScoringConfig {
            emission_per_epoch: 1_000 * DPIN,
            per_device_cap: 800 * DPIN,
            operator_share_bps: 2_000,
            min_work_wh: 100,
        })?,
        grace_secs: 600,
        first_epoch: Some(epoch),
        push: PushPolicy {
            min_amount: DPIN,
            opted_in: vec![],
            per_transaction: 4,
            lamports_per_epoch: 1_000_000,
        },
        upkeep: UpkeepPolicy::default(),
    };
    let keys = CrankKeys {
        oracle: oracle.key.insecure_clone(),
        treasury: operator.key.insecure_clone(),
    };
    let pipeline = Pipeline::new(
        Arc::clone(&story.cluster),
        Arc::clone(&storage),
        config,
        keys,
        Role::Primary,
        Faults::none(),
    )
    .await?;
    // The service around it, as `depin-crank run` has it: each tick also
    // refreshes the proof book the HTTP server answers from.
    let crank = Crank::new(pipeline, Arc::clone(&parts.book), &parts.metrics, 0);
    let closes = window.end + 600 - story.cluster.unix_timestamp().await?;
    story.cluster.advance_clock(closes).await?;
    story.note(&format!(
        "... epoch {epoch} ends; its reports close 10 minutes later"
    ));
    let progress = crank.tick().await?;
    let Progress::Waiting { epoch: next, .. } = progress;
    story.note(&format!(
        "crank: froze, scored, posted the root and pushed the rewards of epoch {epoch} (now waiting on {next})"
    ));

    let scored: ScoreRecord = serde_json::from_slice(
        &storage
            .step_result(&network.to_bytes(), epoch, "score")?
            .context("the score step's record")?,
    )?;
    let label_of = |key: &Pubkey| {
        [
            (battery, "home battery"),
            (inverter, "solar inverter"),
            (charger, "EV charger"),
        ]
        .iter()
        .find(|(device, _)| device.pubkey() == *key)
        .map_or_else(|| short(key), |(_, label)| label.to_string())
    };
    let name_of = |key: &Pubkey| cast.name_of(key);
    let mut scores = Table::new(&[
        "device",
        "work",
        "outcome",
        "operator",
        "owner's part",
        "operator's part",
    ]);
    for device in &scored.scores.devices {
        let input = scored
            .inputs
            .devices
            .iter()
            .find(|input| input.device == device.device);
        let operator = match input.and_then(|input| input.operator) {
            None => "-".to_string(),
            Some(op) => format!(
                "{} ({})",
                name_of(&Pubkey::new_from_array(op.key.to_bytes())),
                if op.eligible {
                    "bonded"
                } else {
                    "bond below minimum"
                }
            ),
        };
        let outcome = match device.outcome {
            DeviceOutcome::Counted if device.capped => "counted (capped)",
            DeviceOutcome::Counted => "counted",
            DeviceOutcome::Inactive => "inactive",
            DeviceOutcome::BelowMinimumWork => "below minimum",
        };
        scores.row(vec![
            label_of(&Pubkey::new_from_array(device.device.to_bytes())),
            format!("{} Wh", device.work_wh),
            outcome.into(),
            operator,
            dpin(device.owner_amount),
            dpin(device.operator_amount),
        ]);
    }
    let mut payouts = Table::new(&["recipient", "earned", "pushed to wallet"]);
    for payout in &scored.scores.payouts {
        let recipient = Pubkey::new_from_array(payout.recipient.to_bytes());
        let account = token::associated_address(&recipient, &mint);
        payouts.row(vec![
            name_of(&recipient),
            dpin(payout.amount),
            dpin(token::balance(&story.cluster, &account).await?),
        ]);
    }
    // The proofs API answers for the battery's manager (dave tokenized it)
    // from the same server.
    let owner = cast.owners[3].key.pubkey();
    let response = client
        .get(format!("{url}/v1/rewards/{owner}"))
        .send()
        .await?;
    if response.status().is_success() {
        let proof: serde_json::Value = response.json().await?;
        story.note(&format!(
            "proofs API: GET /v1/rewards/<{}> -> leaf {}, {} claimed of {}",
            name_of(&owner),
            proof["index"],
            dpin(proof["claimed"].as_u64().unwrap_or(0)),
            dpin(proof["cumulative_amount"].as_u64().unwrap_or(0)),
        ));
    }
    let _ = stop.send(());
    server.await??;
    let committer = parts.committer;
    tokio::task::spawn_blocking(move || committer.join()).await?;
    Ok(Cranked {
        reports,
        scores,
        payouts,
    })
}

pub fn print_summary(console: &mut Console, cranked: &Cranked) {
    console.print(&format!(
        "Device reports sent to the crank:\n{}\n",
        cranked.reports.render()
    ));
    console.print(&format!(
        "The crank's scores (1,000 DPIN per epoch pro rata to energy, 800 DPIN cap, \
         20 % to an operator whose bond meets the minimum; the conflicting charger's \
         reports both dropped):\n{}\n",
        cranked.scores.render()
    ));
    console.print(&format!(
        "Rewards pushed by the crank:\n{}\n",
        cranked.payouts.render()
    ));
}
