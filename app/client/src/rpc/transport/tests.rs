//! The transport against a scripted HTTP server on loopback.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use solana_rpc_client::rpc_sender::RpcSender;
use solana_rpc_client_api::client_error::ErrorKind;
use solana_rpc_client_api::request::RpcRequest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::{RetryingSender, RpcStats};
use crate::rpc::backoff::Backoff;
use crate::rpc::config::TransportPolicy;

/// What the server does with one request.
#[derive(Clone)]
enum Reply {
    /// Closes the connection without answering.
    Drop,
    /// Answers with this status line, extra headers and body.
    Http(&'static str, &'static str, String),
}

fn ok(result: serde_json::Value) -> Reply {
    Reply::Http(
        "200 OK",
        "",
        json!({"jsonrpc": "2.0", "id": 1, "result": result}).to_string(),
    )
}

fn too_many(retry_after: &'static str) -> Reply {
    Reply::Http("429 Too Many Requests", retry_after, String::new())
}

/// Serves `replies` in order (the last one forever); returns the URL and the
/// number of requests received.
async fn scripted(replies: Vec<Reply>) -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(0usize));
    let counter = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let index = {
                let mut n = counter.lock().unwrap();
                *n += 1;
                *n - 1
            };
            let reply = replies[index.min(replies.len() - 1)].clone();
            tokio::spawn(async move {
                read_request(&mut socket).await;
                if let Reply::Http(status, headers, body) = reply {
                    let answer = format!(
                        "HTTP/1.1 {status}\r\n{headers}Content-Type: application/json\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                }
            });
        }
    });
    (url, seen)
}

async fn read_request(socket: &mut tokio::net::TcpStream) {
    let mut data = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let Ok(n) = socket.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&data);
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length = text[..head_end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if data.len() >= head_end + 4 + length {
                return;
            }
        }
    }
}

fn retrying_sender(url: &str, max_retries: u32) -> (RetryingSender, Arc<Mutex<RpcStats>>) {
    let stats = Arc::new(Mutex::new(RpcStats::default()));
    let policy = TransportPolicy {
        request_timeout: Duration::from_secs(5),
        max_retries,
        backoff: Backoff {
            initial: Duration::from_millis(10),
            max: Duration::from_millis(40),
        },
        max_retry_after: Duration::from_secs(2),
        rate_limit: None,
    };
    (
        RetryingSender::new(url, policy, stats.clone()).unwrap(),
        stats,
    )
}

#[tokio::test]
async fn retries_429_and_drops_then_answers() {
    let (url, seen) = scripted(vec![
        too_many("Retry-After: 0\r\n"),
        Reply::Drop,
        ok(json!(42)),
    ])
    .await;
    let (sender, stats) = retrying_sender(&url, 5);
    let value = sender.send(RpcRequest::GetSlot, json!([])).await.unwrap();
    assert_eq!(value, json!(42));
    assert_eq!(*seen.lock().unwrap(), 3);
    let stats = stats.lock().unwrap().clone();
    assert_eq!((stats.calls, stats.http_requests, stats.retries), (1, 3, 2));
    assert_eq!(stats.too_many_requests, 1);
    assert_eq!(stats.calls_by_method.get("getSlot"), Some(&1));
}

#[tokio::test]
async fn honours_retry_after_seconds() {
    let (url, _) = scripted(vec![too_many("Retry-After: 1\r\n"), ok(json!("done"))]).await;
    let (sender, stats) = retrying_sender(&url, 3);
    let started = std::time::Instant::now();
    sender.send(RpcRequest::GetHealth, json!([])).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(stats.lock().unwrap().throttled >= Duration::from_secs(1));
}

#[tokio::test]
async fn gives_up_after_max_retries_as_a_transport_failure() {
    let (url, seen) = scripted(vec![Reply::Http(
        "503 Service Unavailable",
        "",
        String::new(),
    )])
    .await;
    let (sender, _) = retrying_sender(&url, 2);
    let error = sender
        .send(RpcRequest::GetSlot, json!([]))
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Io(_)), "{error}");
    assert!(
        error.to_string().contains("gave up after 3 attempts"),
        "{error}"
    );
    assert_eq!(*seen.lock().unwrap(), 3);
}

#[tokio::test]
async fn node_errors_are_answers_not_retried() {
    let body =
        json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "Invalid params"}});
    let (url, seen) = scripted(vec![Reply::Http("200 OK", "", body.to_string())]).await;
    let (sender, _) = retrying_sender(&url, 5);
    let error = sender
        .send(RpcRequest::GetBalance, json!([]))
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::RpcError(_)), "{error}");
    assert_eq!(*seen.lock().unwrap(), 1);
}

#[tokio::test]
async fn an_airdrop_is_not_repeated_once_it_may_have_reached_the_faucet() {
    // A dropped connection: the faucet may have sent the lamports already.
    let (url, seen) = scripted(vec![Reply::Drop, ok(json!("sig"))]).await;
    let (sender, _) = retrying_sender(&url, 5);
    assert!(sender
        .send(RpcRequest::RequestAirdrop, json!([]))
        .await
        .is_err());
    assert_eq!(*seen.lock().unwrap(), 1);
    // A 429 surely did not reach it: retried.
    let (url, seen) = scripted(vec![too_many(""), ok(json!("sig"))]).await;
    let (sender, _) = retrying_sender(&url, 5);
    assert_eq!(
        sender
            .send(RpcRequest::RequestAirdrop, json!([]))
            .await
            .unwrap(),
        json!("sig")
    );
    assert_eq!(*seen.lock().unwrap(), 2);
}
