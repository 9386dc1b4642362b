//! The chain-backed device source on an in-process bank: a device
//! registered on chain is found, and a report it signs is accepted.

use std::sync::Arc;

use depin_client::depin_registry::state::{DeviceKind, DeviceStatus};
use depin_client::local::LocalCluster;
use depin_client::registry;
use depin_client::report::RegisteredDevice;
use depin_client::rewards::Guards;
use depin_client::{Keypair, Pubkey, Signer};
use depin_crank::http::Limits;
use depin_crank::ingest::{
    load_schedule, ChainDevices, DeviceCache, DeviceCacheConfig, DeviceSource, ManualClock,
};

use crate::support::*;

/// A network with a day-long epoch and a battery registered through its
/// maker (the pipeline tests' world). Returns the network and the device key.
async fn register_on_chain(cluster: &LocalCluster) -> (Pubkey, Keypair) {
    let world = crate::world::World::build(cluster, Guards::SINGLE_ORACLE, 86_400).await;
    (world.network, world.owners[0].device.insecure_clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_registered_on_chain_is_found_and_its_report_accepted() {
    let cluster = Arc::new(LocalCluster::start().await);
    let (network, device) = register_on_chain(&cluster).await;

    let source = Arc::new(ChainDevices::spawn(Arc::clone(&cluster)).unwrap());
    let found = source.device(&network, &device.pubkey()).await.unwrap();
    assert_eq!(
        found,
        Some(RegisteredDevice {
            network,
            device_key: device.pubkey(),
            kind: DeviceKind::Battery,
            capacity: 13_500,
            status: DeviceStatus::Active,
        })
    );
    let stranger = Keypair::new().pubkey();
    assert_eq!(source.device(&network, &stranger).await.unwrap(), None);

    let schedule = load_schedule(cluster.as_ref(), &network).await.unwrap();
    let created_at = registry::network(cluster.as_ref(), &network)
        .await
        .unwrap()
        .created_at;
    assert_eq!(
        (schedule.origin, schedule.length_secs),
        (created_at, 86_400)
    );

    // The whole path: a crank reading devices from the bank.
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(TestStorage::open(dir.path().join("crank.db")));
    let cache = DeviceCache::new(source, network, DeviceCacheConfig::default());
    let clock = Arc::new(ManualClock::new(schedule.origin + 2 * HOUR));
    let crank = Crank::serve(
        dir,
        network,
        Arc::new(FakeDevices::default()),
        storage,
        Arc::new(cache),
        clock,
        schedule,
        Limits::default(),
    )
    .await;
    let mut work = crank.work(&device, 0, 1, 10_000);
    work.period_start = schedule.origin;
    let signed = depin_client::report::sign(&work, &device);
    let answer = crank.post_report(&signed).await;
    let report_id = assert_accepted(&answer);
    let stored = depin_crank::storage::Storage::reports_for_epoch(
        crank.storage.as_ref(),
        &network.to_bytes(),
        1,
    )
    .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, report_id);
    assert_eq!(stored[0].report.message, signed.message().to_vec());
    // 13.5 kWh battery: 1.35 x 13,500 W x 1 h = 18,225 Wh at most.
    let mut too_much = crank.work(&device, 0, 2, 18_226);
    too_much.period_start = schedule.origin + HOUR;
    let answer = crank
        .post_report(&depin_client::report::sign(&too_much, &device))
        .await;
    assert_refused(&answer, "implausible");
}
