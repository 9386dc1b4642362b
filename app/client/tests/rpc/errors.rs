//! Failures come back named, with the instruction and the logs: caught in
//! simulation (nothing sent, nothing paid) or decoded from the landed
//! transaction.

use depin_client::rpc::SendOptions;
use depin_client::{registry, token, ClientError, Cluster, FailureStage, Keypair, Signer};

use crate::fixture;
use crate::registry_setup;

fn failure(result: Result<depin_client::Sent, ClientError>) -> depin_client::TxFailure {
    match result {
        Err(ClientError::Transaction(failure)) => *failure,
        Err(other) => panic!("expected a transaction failure, got: {other}"),
        Ok(sent) => panic!("expected a failure, it landed: {}", sent.signature),
    }
}

#[tokio::test]
async fn a_failing_simulation_is_named_and_nothing_is_sent() {
    let Some(validator) = fixture::validator().await else {
        return;
    };
    let cluster = fixture::cluster(&validator).await;
    let payer = cluster.payer().pubkey();
    let mint = token::create_mint(&cluster, &payer, 0).await.unwrap();
    let source = token::create_token_account(&cluster, &mint, &payer)
        .await
        .unwrap();
    let destination = token::create_token_account(&cluster, &mint, &payer)
        .await
        .unwrap();
    token::mint_to(&cluster, &mint, &source, cluster.payer(), 10)
        .await
        .unwrap();
    let before = cluster.get_balance(&payer).await.unwrap();

    let overdraw = token::transfer(&source, &destination, &payer, 11);
    let failure = failure(cluster.send(&[overdraw], &[]).await);
    eprintln!(
        "SPL Token failure as reported:\n{failure}\nlogs: {:#?}",
        failure.logs
    );

    assert_eq!(failure.stage, FailureStage::Simulation);
    let named = failure.named.as_ref().expect("a named error");
    assert_eq!(named.name, "InsufficientFunds");
    assert_eq!(failure.instruction.as_ref().unwrap().index, Some(0));
    assert!(failure
        .to_string()
        .contains("instruction 0 (spl_token): InsufficientFunds"));
    assert_eq!(
        cluster.get_balance(&payer).await.unwrap(),
        before,
        "nothing was sent, no fee was paid"
    );
    assert_eq!(token::balance(&cluster, &source).await.unwrap(), 10);
}

#[tokio::test]
async fn a_program_error_is_named_in_simulation_and_on_chain() {
    let Some(validator) = fixture::validator().await else {
        return;
    };
    let cluster = fixture::cluster(&validator).await;
    let net = registry_setup::network(&cluster).await;
    let owner = Keypair::new();
    let device = registry_setup::device(&cluster, &net, &owner.pubkey()).await;
    let intruder = Keypair::new();
    let steal = registry::transfer_device(
        &intruder.pubkey(),
        &net.network,
        &device.pubkey(),
        &intruder.pubkey(),
    );

    // Caught before sending.
    let caught = failure(
        cluster
            .send(std::slice::from_ref(&steal), &[&intruder])
            .await,
    );
    eprintln!(
        "registry failure as reported:\n{caught}\nlogs: {:#?}",
        caught.logs
    );
    assert_eq!(caught.stage, FailureStage::Simulation);
    assert_eq!(caught.named.as_ref().unwrap().name, "NotDeviceOwner");
    assert!(caught.to_string().contains(
        "instruction 0 (depin_registry): NotDeviceOwner: Only the device owner may do this"
    ));
    assert!(caught.signature.is_none());

    // Sent without simulation: it lands, fails, pays its fee, and is decoded
    // from the transaction's logs.
    let payer = cluster.payer().pubkey();
    let before = cluster.get_balance(&payer).await.unwrap();
    let options = SendOptions {
        skip_simulation: true,
        compute_unit_limit: Some(100_000),
        ..SendOptions::default()
    };
    let landed = failure(cluster.send_with(&[steal], &[&intruder], &options).await);
    eprintln!("on-chain failure as reported:\n{landed}");
    assert_eq!(landed.stage, FailureStage::Execution);
    assert!(landed.signature.is_some());
    assert_eq!(landed.named.as_ref().unwrap().name, "NotDeviceOwner");
    assert_eq!(landed.instruction.as_ref().unwrap().index, Some(0));
    assert!(
        cluster.get_balance(&payer).await.unwrap() < before,
        "the fee was paid"
    );

    let stored = registry::device(&cluster, &net.network, &device.pubkey())
        .await
        .unwrap();
    assert_eq!(stored.owner, owner.pubkey());
}
