//! A network ready for a crank, built on any cluster (the in-process bank or
//! a validator) with the client's builders only: a platform and a network
//! whose creator holds every role, a reward mint and a funded treasury, a
//! reward distributor, a staking pool, two oracle members, and three
//! batteries with their owners' reward accounts.

use depin_client::registry::{self, CreateNetworkArgs, NewDevice};
use depin_client::rewards::{self, CreateDistributorArgs, Guards};
use depin_client::{staking, token, Cluster, Keypair, Pubkey, Signer};
use depin_registry::state::{permission, DeviceKind};

pub const SOL: u64 = 1_000_000_000;
pub const TREASURY_TOKENS: u64 = 100_000_000;
/// San Francisco, H3 resolution 9.
const SF_CELL: u64 = 0x8928308280fffff;

pub struct Owner {
    pub device: Keypair,
    pub owner: Keypair,
    /// The owner's associated token account of the reward mint.
    pub account: Pubkey,
}

pub struct World {
    /// Created the network; holds every permission; owns the treasury.
    pub admin: Keypair,
    pub network: Pubkey,
    pub distributor: Pubkey,
    pub treasury_account: Pubkey,
    pub oracle: Keypair,
    pub verifier: Keypair,
    pub owners: Vec<Owner>,
}

/// SOL from the cluster's payer.
pub async fn fund(cluster: &impl Cluster, to: &Pubkey, lamports: u64) {
    let payer = cluster.payer().pubkey();
    let ix = anchor_lang::solana_program::system_instruction::transfer(&payer, to, lamports);
    cluster.send(&[ix], &[]).await.unwrap();
}

impl World {
    pub async fn build(cluster: &impl Cluster, guards: Guards, epoch_length_secs: u32) -> World {
        let payer = cluster.payer().pubkey();
        let admin = Keypair::new();
        fund(cluster, &admin.pubkey(), 2 * SOL).await;
        if registry::platform(cluster).await.unwrap().is_none() {
            cluster
                .send(&[registry::initialize_platform(&payer)], &[])
                .await
                .unwrap();
        }
        let mint = token::create_mint(cluster, &admin.pubkey(), 6)
            .await
            .unwrap();
        let network_id = registry::next_network_id(cluster).await.unwrap();
        let args = CreateNetworkArgs {
            name: "solar-berlin".into(),
            epoch_length_secs,
            min_operator_bond: 1_000,
        };
        let ix = registry::create_network(&payer, &admin.pubkey(), network_id, &mint, args);
        cluster.send(&[ix], &[&admin]).await.unwrap();
        let network = depin_registry::pda::network(network_id).0;

        let mut members = vec![];
        for _ in 0..2 {
            let member = Keypair::new();
            fund(cluster, &member.pubkey(), SOL).await;
            let ix = registry::grant_role(
                &payer,
                &admin.pubkey(),
                &network,
                &member.pubkey(),
                permission::ORACLE,
            );
            cluster.send(&[ix], &[&admin]).await.unwrap();
            members.push(member);
        }
        let verifier = members.pop().unwrap();
        let oracle = members.pop().unwrap();

        let treasury_account = token::create_token_account(cluster, &mint, &admin.pubkey())
            .await
            .unwrap();
        token::mint_to(cluster, &mint, &treasury_account, &admin, TREASURY_TOKENS)
            .await
            .unwrap();
        let args = CreateDistributorArgs {
            pool_id: 0,
            expires_at: 0,
            guards,
        };
        let ix = rewards::create_distributor(
            &payer,
            &admin.pubkey(),
            &network,
            &mint,
            &treasury_account,
            args,
        );
        cluster.send(&[ix], &[&admin]).await.unwrap();
        let distributor = depin_rewards::pda::distributor(&network, &mint, 0).0;
        // A staking pool whose rewards the crank's upkeep funds each epoch.
        let params = depin_staking::state::PoolParams {
            max_lockup_secs: 365 * 86_400,
            max_multiplier_bps: 30_000,
            cooldown_secs: 86_400,
        };
        let ix = staking::create_pool(
            &payer,
            &admin.pubkey(),
            &network,
            &mint,
            &treasury_account,
            params,
        );
        cluster.send(&[ix], &[&admin]).await.unwrap();

        let maker = Keypair::new();
        let args = registry::ApproveMakerArgs {
            maker_authority: maker.pubkey(),
            name: "Acme Batteries".into(),
            quota: 10,
        };
        let ix = registry::approve_maker(&payer, &admin.pubkey(), &network, args);
        cluster.send(&[ix], &[&admin]).await.unwrap();
        let mut owners = vec![];
        for _ in 0..3 {
            let owner = Keypair::new();
            let device = Keypair::new();
            let new_device = NewDevice {
                device_key: device.pubkey(),
                owner: owner.pubkey(),
                kind: DeviceKind::Battery,
                location: SF_CELL,
                capacity: 13_500,
            };
            let register =
                registry::register_device(&payer, &network, &maker.pubkey(), &new_device, None);
            let account_ix = token::create_associated_idempotent(&payer, &owner.pubkey(), &mint);
            cluster
                .send(&[register, account_ix], &[&device, &maker])
                .await
                .unwrap();
            let account = token::associated_address(&owner.pubkey(), &mint);
            owners.push(Owner {
                device,
                owner,
                account,
            });
        }
        World {
            admin,
            network,
            distributor,
            treasury_account,
            oracle,
            verifier,
            owners,
        }
    }
}
