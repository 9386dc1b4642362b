use depin_client::rewards::Guards;
use depin_client::{Cluster, Signer};
use depin_crank::epoch::{Progress, Role, PRIMARY_STEPS};
use depin_crank::fault::Faults;
use depin_crank::storage::Storage;

use crate::support::*;

/// Device `i` of three delivered `(i + 1) * 1_000` Wh: pro rata shares of
/// 1,000,000 are 166,666, 333,333 and 500,000, and 1 is carried.
const EPOCH_2_PAY: [u64; 3] = [166_666, 333_333, 500_000];

#[tokio::test]
async fn a_primary_runs_two_epochs_from_reports_to_paid_rewards() {
    let s = Scenario::new(Guards::SINGLE_ORACLE).await;
    let crank = s
        .pipeline("primary.db", Role::Primary, Faults::none())
        .await;
    let treasury_before = s.outcome().await.treasury;

    // Epoch 2 is open: nothing to do until it ends.
    let progress = crank.tick().await.unwrap();
    assert!(
        matches!(&progress, Progress::Waiting { epoch: 2, reason } if reason.contains("close")),
        "{progress:?}"
    );
    s.report_and_close(2).await;
    let progress = crank.tick().await.unwrap();
    assert!(
        matches!(progress, Progress::Waiting { epoch: 3, .. }),
        "{progress:?}"
    );

    let after_2 = s.outcome().await;
    assert_eq!(after_2.epoch, 2);
    assert_eq!(after_2.owner_balances, EPOCH_2_PAY);
    assert_eq!(after_2.cumulative_total, 999_999);
    assert_eq!(after_2.total_claimed, 999_999, "every leaf pushed");
    assert_eq!(after_2.total_funded, 999_999, "funded exactly the increase");
    assert_eq!(
        after_2.treasury,
        treasury_before - 999_999 - STAKING_PER_EPOCH
    );
    // Upkeep streams staking rewards until the end of the next epoch.
    assert_eq!(after_2.staking_funded, STAKING_PER_EPOCH);
    assert_eq!(after_2.staking_stream_end, 3 * 86_400, "epoch 3's end");
    assert_eq!(after_2.vault, 0);
    assert_eq!(after_2.roots_proposed, 1);
    assert_eq!(after_2.recipient_count, 3);
    let storage = crank_storage(&s);
    let network = s.network.to_bytes();
    assert_eq!(storage.completed_steps(&network, 2).unwrap(), PRIMARY_STEPS);
    assert!(storage.is_frozen(&network, 2).unwrap());
    let indexes_2 = leaf_indexes(&s);
    assert_eq!(indexes_2.len(), 3);

    // Epoch 3: the carried 1 joins 1,000,000 (shares of 1,000,001 round to
    // the same amounts, 2 carried); totals grow, leaves keep their indexes.
    s.report_and_close(3).await;
    crank.tick().await.unwrap();
    let after_3 = s.outcome().await;
    assert_eq!(after_3.epoch, 3);
    assert_eq!(
        leaf_indexes(&s),
        indexes_2,
        "every recipient keeps its leaf"
    );
    assert_eq!(after_3.cumulative_total, 1_999_998);
    assert_eq!(after_3.owner_balances, [333_332, 666_666, 1_000_000]);
    assert_eq!(after_3.roots_proposed, 2);
    assert_eq!(
        after_3.treasury,
        treasury_before - 1_999_998 - 2 * STAKING_PER_EPOCH
    );
    assert_eq!(after_3.staking_funded, 2 * STAKING_PER_EPOCH);
    assert_eq!(after_3.staking_stream_end, 4 * 86_400);
    // On the in-process bank offerings cannot be listed: upkeep says so.
    let upkeep: depin_crank::epoch::UpkeepRecord =
        serde_json::from_slice(&storage.step_result(&network, 3, "upkeep").unwrap().unwrap())
            .unwrap();
    assert_eq!(upkeep.staking_funded, STAKING_PER_EPOCH);
    assert!(
        upkeep.notes[0].contains("offerings not closed"),
        "{upkeep:?}"
    );
}

#[tokio::test]
async fn an_epoch_without_reports_posts_nothing_and_carries_its_emission() {
    let s = Scenario::new(Guards::SINGLE_ORACLE).await;
    let crank = s
        .pipeline("primary.db", Role::Primary, Faults::none())
        .await;
    s.close(2).await;
    let progress = crank.tick().await.unwrap();
    assert!(
        matches!(progress, Progress::Waiting { epoch: 3, .. }),
        "{progress:?}"
    );
    let outcome = s.outcome().await;
    assert_eq!((outcome.epoch, outcome.roots_proposed), (0, 0));
    assert_eq!(outcome.owner_balances, [0, 0, 0]);

    // Epoch 3 hands out both epochs' emission.
    s.report_and_close(3).await;
    crank.tick().await.unwrap();
    let outcome = s.outcome().await;
    assert_eq!(outcome.epoch, 3);
    assert_eq!(outcome.owner_balances, [333_333, 666_666, 1_000_000]);
}

#[tokio::test]
async fn a_challenge_period_holds_the_root_until_it_is_over() {
    let guards = Guards {
        challenge_period_secs: 3_600,
        ..Guards::SINGLE_ORACLE
    };
    let s = Scenario::new(guards).await;
    let crank = s
        .pipeline("primary.db", Role::Primary, Faults::none())
        .await;
    s.report_and_close(2).await;
    let progress = crank.tick().await.unwrap();
    assert!(
        matches!(&progress, Progress::Waiting { epoch: 2, reason } if reason.contains("challenge")),
        "{progress:?}"
    );
    assert_eq!(s.outcome().await.owner_balances, [0, 0, 0]);
    assert_eq!(s.outcome().await.roots_proposed, 1);
    // A rerun meanwhile proposes nothing again.
    crank.tick().await.unwrap();
    assert_eq!(s.outcome().await.roots_proposed, 1);

    let now = s.now().await;
    s.advance_to(now + 3_600).await;
    crank.tick().await.unwrap();
    let outcome = s.outcome().await;
    assert_eq!(outcome.epoch, 2);
    assert_eq!(outcome.owner_balances, EPOCH_2_PAY);
}

/// Each recipient's leaf index in the claimable tree, checked unique.
fn leaf_indexes(s: &Scenario) -> std::collections::BTreeMap<String, u32> {
    let bytes = crank_storage(s)
        .get_state(&s.network.to_bytes(), depin_crank::epoch::ACTIVE_TREE)
        .unwrap()
        .unwrap();
    let active: depin_crank::epoch::ActiveTree = serde_json::from_slice(&bytes).unwrap();
    let leaves = active.ledger.leaves();
    let indexes: std::collections::BTreeMap<String, u32> = leaves
        .iter()
        .map(|leaf| (leaf.recipient.to_string(), leaf.index))
        .collect();
    let unique: std::collections::BTreeSet<u32> = indexes.values().copied().collect();
    assert_eq!((indexes.len(), unique.len()), (leaves.len(), leaves.len()));
    indexes
}

pub fn crank_storage(s: &Scenario) -> std::sync::Arc<depin_crank::storage::SqliteStorage> {
    s.storage("primary.db")
}

#[tokio::test]
async fn replay_epoch_agrees_with_an_honest_run_and_names_each_difference() {
    let s = Scenario::new(Guards::SINGLE_ORACLE).await;
    let crank = s
        .pipeline("primary.db", Role::Primary, Faults::none())
        .await;
    for epoch in [2, 3] {
        s.report_and_close(epoch).await;
        crank.tick().await.unwrap();
    }
    let replay = crank.replay_epoch(3).await.unwrap();
    assert!(replay.matches(), "{replay:?}");
    assert_eq!(replay.from_epoch, 2);
    assert!(replay.root_recomputed.is_some());
    assert_eq!(replay.root_recomputed, replay.root_recorded);
    assert_eq!(replay.root_on_chain, replay.root_recorded);
    assert!(crank.replay_epoch(4).await.is_err(), "not scored yet");

    // A report altered in the database after scoring, and another scoring
    // config: both found.
    let db = rusqlite::Connection::open(s.db("primary.db")).unwrap();
    db.execute(
        "UPDATE reports SET energy_wh = 7 WHERE epoch = 2 AND energy_wh = 1000",
        [],
    )
    .unwrap();
    let mut config = s.config();
    config.scoring = depin_scoring::ScoringConfig::new(depin_scoring::RawScoringConfig {
        emission_per_epoch: 5,
        per_device_cap: 5,
        operator_share_bps: 0,
        min_work_wh: 1,
    })
    .unwrap();
    let other = s
        .pipeline_with("primary.db", Role::Primary, Faults::none(), config)
        .await;
    let replay = other.replay_epoch(3).await.unwrap();
    assert!(!replay.matches());
    assert!(
        replay
            .differences
            .iter()
            .any(|d| d.contains("epoch 2: device")
                && d.contains("7 Wh in its reports, 1000 Wh was scored")),
        "{replay:?}"
    );
    assert!(
        replay
            .differences
            .iter()
            .any(|d| d.contains("scores differ")),
        "{replay:?}"
    );
    // The ledger replays the recorded scores, so the root still agrees.
    assert_eq!(replay.root_recomputed, replay.root_on_chain);
}

/// A tokenized device's record belongs to its asset, a PDA that could never
/// spend a token: its rewards go to the asset's manager instead.
#[tokio::test]
async fn a_tokenized_devices_rewards_go_to_the_assets_manager() {
    let s = Scenario::new(Guards::SINGLE_ORACLE).await;
    let owner = &s.owners[0];
    let device = depin_registry::pda::device(&s.network, &owner.device.pubkey()).0;
    let payment_mint = depin_client::token::create_mint(s.cluster(), &s.admin.pubkey(), 6)
        .await
        .unwrap();
    let ix = depin_client::fractional::create_asset(
        &s.cluster().payer().pubkey(),
        &owner.owner.pubkey(),
        &s.network,
        &device,
        &payment_mint,
        1_000,
    );
    s.cluster().send(&[ix], &[&owner.owner]).await.unwrap();
    let asset = depin_client::fractional::AssetKeys::of_device(&device).asset;
    let record = depin_client::registry::device(s.cluster(), &s.network, &owner.device.pubkey())
        .await
        .unwrap();
    assert_eq!(record.owner, asset, "the asset holds the device record");

    let crank = s
        .pipeline("primary.db", Role::Primary, Faults::none())
        .await;
    s.report_and_close(2).await;
    crank.tick().await.unwrap();
    let outcome = s.outcome().await;
    assert_eq!(outcome.owner_balances, EPOCH_2_PAY, "the manager was paid");
    let scored: depin_crank::epoch::ScoreRecord = serde_json::from_slice(
        &crank_storage(&s)
            .step_result(&s.network.to_bytes(), 2, "score")
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let manager = depin_scoring::Key(owner.owner.pubkey().to_bytes());
    assert!(scored.inputs.devices.iter().any(|d| d.owner == manager));
    assert!(scored
        .inputs
        .devices
        .iter()
        .all(|d| d.owner != depin_scoring::Key(asset.to_bytes())));
}
