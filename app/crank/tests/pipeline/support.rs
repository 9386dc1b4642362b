//! A network on the in-process bank with a reward distributor, a treasury,
//! devices with owners, and crank pipelines over SQLite files.

pub use crate::world::*;

use std::path::PathBuf;
use std::sync::Arc;

use depin_client::local::LocalCluster;
use depin_client::report::{check, sign, IngestContext, RegisteredDevice, WorkReport};
use depin_client::rewards::{self, Guards};
use depin_client::{registry, staking, token, Cluster, Signer};
use depin_crank::epoch::{CrankKeys, Pipeline, PipelineConfig, PushPolicy, Role, UpkeepPolicy};
use depin_crank::fault::Faults;
use depin_crank::storage::{AcceptOutcome, ReportRow, SqliteStorage, Storage};
use depin_scoring::{RawScoringConfig, ScoringConfig};

pub const EMISSION: u64 = 1_000_000;
/// The epochs the scenario reports in (devices registered during epoch 1
/// are active through epoch 2 onwards).
pub const FIRST_EPOCH: u64 = 2;
pub const GRACE_SECS: u32 = 600;
/// Staking rewards the upkeep streams over each next epoch.
pub const STAKING_PER_EPOCH: u64 = 10_000;

pub struct Scenario {
    pub bank: Arc<LocalCluster>,
    pub world: World,
    pub dir: tempfile::TempDir,
}

impl std::ops::Deref for Scenario {
    type Target = World;

    fn deref(&self) -> &World {
        &self.world
    }
}

impl Scenario {
    /// Three batteries with three owners; a distributor with `guards`; one
    /// day epochs.
    pub async fn new(guards: Guards) -> Scenario {
        let bank = Arc::new(LocalCluster::start().await);
        let world = World::build(bank.as_ref(), guards, 86_400).await;
        Scenario {
            bank,
            world,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn cluster(&self) -> &LocalCluster {
        &self.bank
    }

    pub fn config(&self) -> PipelineConfig {
        PipelineConfig {
            network: self.network,
            distributor: self.distributor,
            treasury_account: self.treasury_account,
            scoring: ScoringConfig::new(RawScoringConfig {
                emission_per_epoch: EMISSION,
                per_device_cap: EMISSION,
                operator_share_bps: 2_000,
                min_work_wh: 1,
            })
            .unwrap(),
            grace_secs: GRACE_SECS,
            first_epoch: Some(FIRST_EPOCH),
            push: PushPolicy {
                min_amount: 1,
                opted_in: vec![],
                per_transaction: 2,
                lamports_per_epoch: SOL / 100,
            },
            upkeep: UpkeepPolicy {
                staking_reward_per_epoch: STAKING_PER_EPOCH,
                close_offerings: true,
            },
        }
    }

    pub fn db(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn storage(&self, name: &str) -> Arc<SqliteStorage> {
        Arc::new(SqliteStorage::open(self.db(name)).unwrap())
    }

    /// A crank over the database `name` (reopened each time: a restart).
    pub async fn pipeline(
        &self,
        name: &str,
        role: Role,
        faults: Faults,
    ) -> Pipeline<&LocalCluster> {
        self.pipeline_with(name, role, faults, self.config()).await
    }

    pub async fn pipeline_with(
        &self,
        name: &str,
        role: Role,
        faults: Faults,
        config: PipelineConfig,
    ) -> Pipeline<&LocalCluster> {
        let oracle = match role {
            Role::Primary => &self.oracle,
            Role::Verifier { .. } => &self.verifier,
        };
        let keys = CrankKeys {
            oracle: oracle.insecure_clone(),
            treasury: self.admin.insecure_clone(),
        };
        Pipeline::new(
            self.cluster(),
            self.storage(name),
            config,
            keys,
            role,
            faults,
        )
        .await
        .unwrap()
    }

    pub async fn now(&self) -> i64 {
        self.cluster().unix_timestamp().await.unwrap()
    }

    /// Moves the bank's clock to `unix` (never back).
    pub async fn advance_to(&self, unix: i64) {
        let now = self.now().await;
        if unix > now {
            self.cluster().advance_clock(unix - now).await.unwrap();
        }
    }

    /// Each device's report for the first hour of `epoch`: device `i`
    /// delivered `(i + 1) * 1_000` Wh (a 13.5 kWh battery may do 18,225).
    pub async fn reports(&self, epoch: u64) -> Vec<depin_client::report::SignedReport> {
        let window = self.window(epoch).await;
        self.owners
            .iter()
            .enumerate()
            .map(|(i, owner)| {
                let report = WorkReport {
                    network: self.network,
                    device_key: owner.device.pubkey(),
                    period_start: window.start,
                    period_secs: 3_600,
                    energy_wh: (i as u64 + 1) * 1_000,
                    uptime_secs: 3_600,
                    sequence: epoch,
                };
                sign(&report, &owner.device)
            })
            .collect()
    }

    pub async fn window(&self, epoch: u64) -> depin_client::report::EpochWindow {
        let network = registry::network(self.cluster(), &self.network)
            .await
            .unwrap();
        depin_client::report::EpochSchedule::of(&network)
            .window(epoch)
            .unwrap()
    }

    /// What the ingest API does with each report: the rules, then storage.
    pub async fn ingest(
        &self,
        storage: &dyn Storage,
        epoch: u64,
        reports: &[depin_client::report::SignedReport],
    ) {
        let window = self.window(epoch).await;
        let now = window.end;
        for signed in reports {
            let device = registry::device(self.cluster(), &self.network, &signed.report.device_key)
                .await
                .unwrap();
            let context = IngestContext {
                network: self.network,
                device: Some(RegisteredDevice::from_account(self.network, &device)),
                last_sequence: storage
                    .last_sequence(
                        &self.network.to_bytes(),
                        &signed.report.device_key.to_bytes(),
                    )
                    .unwrap(),
                epoch: window,
                now,
            };
            check(signed, &context).unwrap();
            let outcome = storage
                .accept_report(&ReportRow::of(signed, epoch, now))
                .unwrap();
            assert!(
                matches!(outcome, AcceptOutcome::Accepted { .. }),
                "{outcome:?}"
            );
        }
    }

    /// Every device's report for `epoch` ingested by the primary, then the
    /// clock moved past the epoch's end and grace period.
    pub async fn report_and_close(&self, epoch: u64) {
        let storage = self.storage("primary.db");
        self.ingest(storage.as_ref(), epoch, &self.reports(epoch).await)
            .await;
        self.close(epoch).await;
    }

    /// Past the epoch's end and grace period.
    pub async fn close(&self, epoch: u64) {
        let window = self.window(epoch).await;
        self.advance_to(window.end + i64::from(GRACE_SECS)).await;
    }

    /// What the chain holds after a run, in a form that does not depend on
    /// which keys the run generated.
    pub async fn outcome(&self) -> ChainOutcome {
        let cluster = self.cluster();
        let distributor = rewards::distributor(cluster, &self.distributor)
            .await
            .unwrap();
        let proposal = rewards::root_proposal(cluster, &self.distributor)
            .await
            .unwrap();
        let vault = depin_rewards::pda::vault(&self.distributor).0;
        let mut owner_balances = vec![];
        for owner in &self.owners {
            owner_balances.push(token::balance(cluster, &owner.account).await.unwrap());
        }
        let pool = staking::pool(cluster, &self.network).await.unwrap();
        ChainOutcome {
            staking_funded: pool.total_rewards_funded,
            staking_stream_end: pool.stream_period_end - self.window(1).await.start,
            epoch: distributor.epoch,
            cumulative_total: distributor.cumulative_total,
            total_claimed: distributor.total_claimed,
            total_funded: distributor.total_funded,
            recipient_count: distributor.recipient_count,
            ledger_pages: distributor.ledger_pages,
            roots_proposed: proposal.sequence,
            vault: token::balance(cluster, &vault).await.unwrap(),
            treasury: token::balance(cluster, &self.treasury_account)
                .await
                .unwrap(),
            owner_balances,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainOutcome {
    pub epoch: u64,
    pub cumulative_total: u64,
    pub total_claimed: u64,
    pub total_funded: u64,
    pub recipient_count: u32,
    pub ledger_pages: u32,
    /// The root proposal's sequence: how many roots were ever proposed.
    pub roots_proposed: u64,
    pub vault: u64,
    pub treasury: u64,
    pub owner_balances: Vec<u64>,
    pub staking_funded: u64,
    /// Seconds after the network's creation.
    pub staking_stream_end: i64,
}
