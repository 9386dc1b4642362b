//! Batched reads and filtered listings.

use anchor_lang::solana_program::system_instruction::transfer;
use depin_client::depin_registry::state::Device;
use depin_client::{fetch_all, AccountFilter, Cluster, Keypair, Pubkey, Signer};

use crate::fixture;
use crate::registry_setup;

/// Where a Device account keeps `network_id`: after the discriminator and
/// three public keys (device key, owner, operator).
const DEVICE_NETWORK_ID_OFFSET: usize = 8 + 32 * 3;

#[tokio::test]
async fn multiple_accounts_are_read_in_chunks_in_order() {
    let Some(validator) = fixture::validator().await else {
        return;
    };
    let cluster = fixture::cluster(&validator).await;
    let payer = cluster.payer().pubkey();
    let mut addresses: Vec<Pubkey> = (0..250).map(|_| Keypair::new().pubkey()).collect();
    // Three funded accounts, one in each chunk of 100.
    let funded = [5usize, 150, 249];
    let transfers: Vec<_> = funded
        .iter()
        .enumerate()
        .map(|(i, at)| transfer(&payer, &addresses[*at], 1_000_000 + i as u64))
        .collect();
    cluster.send(&transfers, &[]).await.unwrap();
    addresses.push(payer);

    let calls_before = cluster
        .stats()
        .calls_by_method
        .get("getMultipleAccounts")
        .copied();
    let accounts = cluster.get_multiple_accounts(&addresses).await.unwrap();
    let calls_after = cluster
        .stats()
        .calls_by_method
        .get("getMultipleAccounts")
        .copied();

    assert_eq!(accounts.len(), 251);
    assert_eq!(calls_after.unwrap_or(0) - calls_before.unwrap_or(0), 3);
    for (index, account) in accounts.iter().enumerate() {
        match funded.iter().position(|at| *at == index) {
            Some(i) => assert_eq!(account.as_ref().unwrap().lamports, 1_000_000 + i as u64),
            None if index == 250 => assert!(account.is_some(), "the payer"),
            None => assert!(account.is_none(), "index {index}"),
        }
    }
}

#[tokio::test]
async fn devices_of_one_network_are_listed_by_memcmp() {
    let Some(validator) = fixture::validator().await else {
        return;
    };
    let cluster = fixture::cluster(&validator).await;
    let first = registry_setup::network(&cluster).await;
    let second = registry_setup::network(&cluster).await;
    let owner = Keypair::new().pubkey();
    let mut in_first = vec![
        registry_setup::device(&cluster, &first, &owner)
            .await
            .pubkey(),
        registry_setup::device(&cluster, &first, &owner)
            .await
            .pubkey(),
    ];
    let in_second = registry_setup::device(&cluster, &second, &owner)
        .await
        .pubkey();

    let of_network = |id: u32| {
        vec![
            AccountFilter::DataSize(Device::SIZE as u64),
            AccountFilter::Memcmp {
                offset: DEVICE_NETWORK_ID_OFFSET,
                bytes: id.to_le_bytes().to_vec(),
            },
        ]
    };
    let registry_id = depin_client::depin_registry::ID;
    let mut listed: Vec<Pubkey> =
        fetch_all::<Device>(&cluster, &registry_id, &of_network(first.network_id))
            .await
            .unwrap()
            .into_iter()
            .map(|(_, device)| {
                assert_eq!(device.network_id, first.network_id);
                device.device_key
            })
            .collect();
    listed.sort();
    in_first.sort();
    assert_eq!(listed, in_first);

    let listed = fetch_all::<Device>(&cluster, &registry_id, &of_network(second.network_id))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].1.device_key, in_second);
}
