//! Registry state for the tests: networks with a maker, and devices.

use depin_client::depin_registry::state::DeviceKind;
use depin_client::registry::{self, ApproveMakerArgs, CreateNetworkArgs, NewDevice};
use depin_client::rpc::RpcCluster;
use depin_client::{token, Cluster, Keypair, Pubkey, Signer};
use tokio::sync::Mutex;

/// Network ids are handed out in order by the platform, so networks are
/// created one at a time.
static CREATING: Mutex<()> = Mutex::const_new(());

pub struct TestNetwork {
    pub network: Pubkey,
    pub network_id: u32,
    pub maker: Keypair,
}

/// A new network whose admin approved a maker.
pub async fn network(cluster: &RpcCluster) -> TestNetwork {
    let payer = cluster.payer().pubkey();
    let admin = Keypair::new();
    let reward_mint = token::create_mint(cluster, &admin.pubkey(), 6)
        .await
        .unwrap();
    let (network, network_id) = {
        let _one_at_a_time = CREATING.lock().await;
        if registry::platform(cluster).await.unwrap().is_none() {
            cluster
                .send(&[registry::initialize_platform(&payer)], &[])
                .await
                .unwrap();
        }
        let network_id = registry::next_network_id(cluster).await.unwrap();
        let args = CreateNetworkArgs {
            name: format!("rpc-test-{network_id}"),
            epoch_length_secs: 86_400,
            min_operator_bond: 0,
        };
        let ix = registry::create_network(&payer, &admin.pubkey(), network_id, &reward_mint, args);
        cluster.send(&[ix], &[&admin]).await.unwrap();
        (
            depin_client::depin_registry::pda::network(network_id).0,
            network_id,
        )
    };
    let maker = Keypair::new();
    let args = ApproveMakerArgs {
        maker_authority: maker.pubkey(),
        name: "Acme Batteries".into(),
        quota: 100,
    };
    let ix = registry::approve_maker(&payer, &admin.pubkey(), &network, args);
    cluster.send(&[ix], &[&admin]).await.unwrap();
    TestNetwork {
        network,
        network_id,
        maker,
    }
}

/// Registers a new device owned by `owner`; returns its key.
pub async fn device(cluster: &RpcCluster, net: &TestNetwork, owner: &Pubkey) -> Keypair {
    let key = Keypair::new();
    let device = NewDevice {
        device_key: key.pubkey(),
        owner: *owner,
        kind: DeviceKind::Battery,
        location: 0,
        capacity: 10_000,
    };
    let ix = registry::register_device(
        &cluster.payer().pubkey(),
        &net.network,
        &net.maker.pubkey(),
        &device,
        None,
    );
    cluster.send(&[ix], &[&key, &net.maker]).await.unwrap();
    key
}
