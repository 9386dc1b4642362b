//! Through a proxy that drops requests, drops answers after the validator
//! acted, delays past the client's timeout and answers 429: every send
//! still completes, and every effect is applied exactly once.

use std::time::{Duration, Instant};

use anchor_lang::solana_program::system_instruction::transfer;
use depin_client::rpc::{Backoff, RpcCluster, RpcConfig};
use depin_client::{token, Cluster, Keypair, Pubkey, Signer};
use depin_localnet::{FaultProxy, Faults};

use crate::fixture::{self, SOL};

fn faulty_endpoint_config() -> RpcConfig {
    let mut config = RpcConfig::default();
    config.confirm.poll_interval = Duration::from_millis(300);
    config.transport.request_timeout = Duration::from_secs(2);
    // 40% of requests fail here: enough retries that a call failing every
    // time is a one-in-millions event.
    config.transport.max_retries = 16;
    config.transport.backoff = Backoff {
        initial: Duration::from_millis(100),
        max: Duration::from_secs(1),
    };
    config
}

#[tokio::test]
async fn every_effect_is_applied_once_through_a_faulty_endpoint() {
    let Some(validator) = fixture::validator().await else {
        return;
    };
    let faults = Faults {
        drop_request: 0.1,
        drop_response: 0.1,
        delay: 0.05,
        delay_for: Duration::from_secs(3),
        too_many_requests: 0.15,
        seed: 0x5eed,
    };
    let proxy = FaultProxy::start(validator.rpc_port(), faults)
        .await
        .unwrap();
    let cluster = fixture::funded(&validator, &proxy.url(), faulty_endpoint_config(), 10).await;
    let direct = RpcCluster::new(&validator.rpc_url(), Keypair::new()).unwrap();
    let payer = cluster.payer().pubkey();
    let started = Instant::now();

    // Lamports: distinct amounts to distinct recipients, the payer's
    // balance accounting for every transfer and fee exactly once.
    let payer_before = direct.get_balance(&payer).await.unwrap();
    let mut paid = 0u64;
    let mut recipients: Vec<(Pubkey, u64)> = Vec::new();
    for i in 0..8u64 {
        let recipient = Keypair::new().pubkey();
        let amount = SOL / 100 + i * 1_000;
        let sent = cluster
            .send(&[transfer(&payer, &recipient, amount)], &[])
            .await
            .unwrap_or_else(|e| panic!("transfer {i}: {e}"));
        paid += amount + sent.fee.expect("the fee, read through the proxy");
        recipients.push((recipient, amount));
    }
    for (recipient, amount) in &recipients {
        assert_eq!(direct.get_balance(recipient).await.unwrap(), *amount);
    }
    assert_eq!(
        direct.get_balance(&payer).await.unwrap(),
        payer_before - paid
    );

    // Tokens: a mint and several mint_to's; a repeated one would show.
    let mint = token::create_mint(&cluster, &payer, 0).await.unwrap();
    let account = token::create_token_account(&cluster, &mint, &payer)
        .await
        .unwrap();
    let amounts = [3u64, 50, 700, 9_000];
    for amount in amounts {
        token::mint_to(&cluster, &mint, &account, cluster.payer(), amount)
            .await
            .unwrap();
    }
    assert_eq!(
        token::balance(&direct, &account).await.unwrap(),
        amounts.iter().sum::<u64>()
    );
    assert_eq!(
        token::mint_supply(&direct, &mint).await.unwrap(),
        amounts.iter().sum::<u64>()
    );

    let counts = proxy.counts();
    let stats = cluster.stats();
    eprintln!(
        "figures: 14 sends through the faulty proxy in {:?}: {counts:?}; client {} calls, \
         {} HTTP requests, {} retries, {} 429s, throttled {:?}, {} re-signed",
        started.elapsed(),
        stats.calls,
        stats.http_requests,
        stats.retries,
        stats.too_many_requests,
        stats.throttled,
        stats.resigned
    );
    assert!(counts.dropped_requests > 0 && counts.dropped_responses > 0);
    assert!(counts.too_many_requests > 0);
    assert!(stats.retries > 0);
}
