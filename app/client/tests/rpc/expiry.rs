//! A transaction whose first signature never reaches the validator: the
//! client waits for its blockhash to expire, finds it in no history, signs
//! again and lands it, once.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anchor_lang::solana_program::system_instruction::transfer;
use depin_client::rpc::{RpcCluster, RpcConfig};
use depin_client::{Cluster, Keypair, Signer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::fixture::{self, SOL};

/// A loopback proxy that swallows every `sendTransaction` of the first
/// transaction it sees (answering nothing) and forwards everything else.
struct LostFirstTransaction {
    url: String,
    swallowed: Arc<Mutex<u32>>,
}

impl LostFirstTransaction {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let first: Arc<Mutex<Option<String>>> = Arc::default();
        let swallowed: Arc<Mutex<u32>> = Arc::default();
        let counter = swallowed.clone();
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            while let Ok((socket, _)) = listener.accept().await {
                let (http, upstream, first, counter) = (
                    http.clone(),
                    upstream.clone(),
                    first.clone(),
                    counter.clone(),
                );
                tokio::spawn(async move {
                    let _ = serve(socket, &http, &upstream, &first, &counter).await;
                });
            }
        });
        LostFirstTransaction { url, swallowed }
    }
}

async fn serve(
    mut socket: TcpStream,
    http: &reqwest::Client,
    upstream: &str,
    first: &Mutex<Option<String>>,
    swallowed: &Mutex<u32>,
) -> std::io::Result<()> {
    let body = read_body(&mut socket).await?;
    let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if request["method"] == "sendTransaction" {
        let transaction = request["params"][0]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let is_first = {
            let mut first = first.lock().unwrap();
            first.get_or_insert_with(|| transaction.clone()) == &transaction
        };
        if is_first {
            *swallowed.lock().unwrap() += 1;
            return Ok(()); // closed unanswered: lost on the way
        }
    }
    let answer = http
        .post(upstream)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(std::io::Error::other)?
        .bytes()
        .await
        .map_err(std::io::Error::other)?;
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.len()
    );
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(&answer).await
}

/// The body of one HTTP/1.1 request.
async fn read_body(socket: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let n = socket.read(&mut buffer).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        data.extend_from_slice(&buffer[..n]);
        let Some(head_end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let body_start = head_end + 4;
        if data.len() >= body_start + length {
            return Ok(data[body_start..body_start + length].to_vec());
        }
    }
}

#[tokio::test]
async fn a_lost_transaction_is_signed_again_after_its_blockhash_expired_and_lands_once() {
    let Some(validator) = fixture::validator().await else {
        return;
    };
    let proxy = LostFirstTransaction::start(validator.rpc_url()).await;
    let url = validator.rpc_url();
    let cluster: RpcCluster =
        fixture::funded(&validator, &proxy.url, RpcConfig::for_url(&url), 10).await;
    let direct = RpcCluster::new(&url, Keypair::new()).unwrap();
    let payer = cluster.payer().pubkey();
    let recipient = Keypair::new().pubkey();
    let payer_before = direct.get_balance(&payer).await.unwrap();

    let started = Instant::now();
    let sent = cluster
        .send(&[transfer(&payer, &recipient, SOL / 4)], &[])
        .await
        .unwrap();
    let took = started.elapsed();
    let stats = cluster.stats();
    eprintln!(
        "figures: first signature lost ({} sendTransaction swallowed), re-signed after {took:?}; \
         {} calls ({:?})",
        proxy.swallowed.lock().unwrap(),
        stats.calls,
        stats.calls_by_method
    );

    assert_eq!(stats.resigned, 1);
    assert!(
        *proxy.swallowed.lock().unwrap() >= 2,
        "sent, then rebroadcast"
    );
    // A blockhash lives 150 blocks (about a minute at 400 ms slots).
    assert!(took > Duration::from_secs(30), "{took:?}");
    assert_eq!(direct.get_balance(&recipient).await.unwrap(), SOL / 4);
    let fee = sent.fee.unwrap();
    assert_eq!(
        direct.get_balance(&payer).await.unwrap(),
        payer_before - SOL / 4 - fee,
        "one transfer, one fee"
    );
}
