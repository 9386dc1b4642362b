//! Sending and confirming over RPC, and what `Sent` reports.

use std::time::Instant;

use anchor_lang::solana_program::system_instruction::transfer;
use depin_client::{Cluster, Keypair, Signer};

use crate::fixture::{self, SOL};

#[tokio::test]
async fn a_send_confirms_and_reports_units_logs_and_the_fee_paid() {
    let Some(validator) = fixture::validator().await else {
        return;
    };
    let cluster = fixture::cluster(&validator).await;
    let payer = cluster.payer().pubkey();
    let recipient = Keypair::new().pubkey();
    let before = cluster.get_balance(&payer).await.unwrap();
    let stats_before = cluster.stats();

    let started = Instant::now();
    let sent = cluster
        .send(&[transfer(&payer, &recipient, SOL / 100)], &[])
        .await
        .unwrap();
    let took = started.elapsed();
    let stats = cluster.stats();

    assert_eq!(cluster.get_balance(&recipient).await.unwrap(), SOL / 100);
    let fee = sent.fee.expect("the fee of a confirmed transaction");
    // 5,000 lamports per signature plus the priority fee (floor price times
    // the limit): small, but more than the base fee.
    assert!((5_000..10_000).contains(&fee), "fee {fee}");
    assert_eq!(
        cluster.get_balance(&payer).await.unwrap(),
        before - SOL / 100 - fee,
        "the payer paid the transfer and the fee, once"
    );
    assert!(sent.compute_units > 0);
    assert!(
        sent.logs
            .iter()
            .any(|l| l == "Program 11111111111111111111111111111111 success"),
        "{:#?}",
        sent.logs
    );
    eprintln!(
        "figures: one transfer confirmed in {took:?} with {} RPC calls ({:?}), {} CU, fee {fee}",
        stats.calls - stats_before.calls,
        stats.calls_by_method,
        sent.compute_units
    );
}

#[tokio::test]
async fn the_same_instructions_sent_twice_apply_twice() {
    let Some(validator) = fixture::validator().await else {
        return;
    };
    let cluster = fixture::cluster(&validator).await;
    let recipient = Keypair::new().pubkey();
    let pay = transfer(&cluster.payer().pubkey(), &recipient, SOL / 10);
    let first = cluster.send(std::slice::from_ref(&pay), &[]).await.unwrap();
    let second = cluster.send(&[pay], &[]).await.unwrap();
    assert_ne!(first.signature, second.signature);
    assert_eq!(cluster.get_balance(&recipient).await.unwrap(), 2 * SOL / 10);
}

#[tokio::test]
async fn airdrop_clock_and_rent() {
    let Some(validator) = fixture::validator().await else {
        return;
    };
    let cluster = fixture::cluster(&validator).await;
    let wallet = Keypair::new().pubkey();
    cluster.airdrop(&wallet, 2 * SOL).await.unwrap();
    assert_eq!(cluster.lamports(&wallet).await.unwrap(), 2 * SOL);

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let clock = cluster.unix_timestamp().await.unwrap();
    assert!(
        (clock - now).abs() < 60,
        "cluster clock {clock}, system {now}"
    );

    // A token account's rent with the default rent rate.
    assert_eq!(cluster.minimum_balance(165).await.unwrap(), 2_039_280);
    assert_eq!(cluster.minimum_balance(0).await.unwrap(), 890_880);
}

#[tokio::test]
async fn a_client_side_rate_spaces_requests() {
    let Some(validator) = fixture::validator().await else {
        return;
    };
    let url = validator.rpc_url();
    let mut config = depin_client::rpc::RpcConfig::for_url(&url);
    config.transport.rate_limit = Some(depin_client::rpc::RateLimit {
        requests: 4,
        per_method: None,
        per: std::time::Duration::from_secs(1),
    });
    let cluster = depin_client::rpc::RpcCluster::with_config(&url, Keypair::new(), config).unwrap();
    let started = Instant::now();
    for _ in 0..12 {
        cluster.get_balance(&Keypair::new().pubkey()).await.unwrap();
    }
    // 4 at once, 4 a second later, 4 two seconds later.
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    assert!(cluster.stats().throttled >= std::time::Duration::from_millis(1_500));
}
