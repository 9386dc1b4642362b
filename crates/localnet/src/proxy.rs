//! A JSON-RPC proxy on loopback that misbehaves on purpose, like a busy
//! public endpoint: it drops requests, drops responses after the validator
//! already acted on them, delays, and answers 429. Decisions come from a
//! seeded generator, so a failing run can be replayed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::http::{read_message, Message};
use crate::{err, Result};

/// Shares (0.0 to 1.0) of requests that meet each fault; the rest pass.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    /// Closed before reaching the validator.
    pub drop_request: f64,
    /// Forwarded and answered by the validator, then the answer is lost
    /// (a sent transaction lands, and the client never hears it).
    pub drop_response: f64,
    /// Held for `delay` before being forwarded.
    pub delay: f64,
    pub delay_for: Duration,
    /// Answered `429 Too Many Requests` with `Retry-After: 1`.
    pub too_many_requests: f64,
    pub seed: u64,
}

impl Faults {
    /// No faults: a plain proxy.
    pub fn none() -> Faults {
        Faults {
            drop_request: 0.0,
            drop_response: 0.0,
            delay: 0.0,
            delay_for: Duration::ZERO,
            too_many_requests: 0.0,
            seed: 1,
        }
    }
}

/// What the proxy did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    pub passed: u64,
    pub dropped_requests: u64,
    pub dropped_responses: u64,
    pub delayed: u64,
    pub too_many_requests: u64,
}

enum Fault {
    Pass,
    DropRequest,
    DropResponse,
    Delay,
    TooMany,
}

struct State {
    faults: Faults,
    rng: u64,
    counts: FaultCounts,
}

impl State {
    /// xorshift64*: small, deterministic, good enough to pick faults.
    fn next_unit(&mut self) -> f64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let bits = self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
        bits as f64 / (1u64 << 53) as f64
    }

    fn pick(&mut self) -> Fault {
        let roll = self.next_unit();
        let f = self.faults;
        let bands = [
            (f.drop_request, Fault::DropRequest),
            (f.drop_response, Fault::DropResponse),
            (f.delay, Fault::Delay),
            (f.too_many_requests, Fault::TooMany),
        ];
        let mut edge = 0.0;
        for (share, fault) in bands {
            edge += share;
            if roll < edge {
                self.count(&fault);
                return fault;
            }
        }
        self.counts.passed += 1;
        Fault::Pass
    }

    fn count(&mut self, fault: &Fault) {
        let counter = match fault {
            Fault::DropRequest => &mut self.counts.dropped_requests,
            Fault::DropResponse => &mut self.counts.dropped_responses,
            Fault::Delay => &mut self.counts.delayed,
            Fault::TooMany => &mut self.counts.too_many_requests,
            Fault::Pass => &mut self.counts.passed,
        };
        *counter += 1;
    }
}

/// The running proxy; dropping it stops it.
pub struct FaultProxy {
    port: u16,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `127.0.0.1:upstream`.
    pub async fn start(upstream: u16, faults: Faults) -> Result<FaultProxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| err(format!("binding the proxy: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| err(format!("proxy address: {e}")))?
            .port();
        let state = Arc::new(Mutex::new(State {
            faults,
            rng: faults.seed.max(1),
            counts: FaultCounts::default(),
        }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    // A failed exchange is just one more dropped request.
                    let _ = serve(client, upstream, state).await;
                });
            }
        });
        Ok(FaultProxy { port, state, task })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn counts(&self) -> FaultCounts {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).counts
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut client: TcpStream, upstream: u16, state: Arc<Mutex<State>>) -> Result<()> {
    let request = read_message(&mut client).await?;
    let (fault, delay) = {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        (state.pick(), state.faults.delay_for)
    };
    match fault {
        Fault::DropRequest => Ok(()),
        Fault::TooMany => {
            let answer = b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Type: text/plain\r\nContent-Length: 17\r\nConnection: close\r\n\r\nToo many requests";
            client
                .write_all(answer)
                .await
                .map_err(|e| err(format!("answering 429: {e}")))
        }
        Fault::DropResponse => forward(&request, upstream).await.map(|_| ()),
        Fault::Delay | Fault::Pass => {
            if matches!(fault, Fault::Delay) {
                tokio::time::sleep(delay).await;
            }
            let response = forward(&request, upstream).await?;
            client
                .write_all(&response.to_bytes_closing())
                .await
                .map_err(|e| err(format!("answering: {e}")))
        }
    }
}

async fn forward(request: &Message, upstream: u16) -> Result<Message> {
    let mut server = TcpStream::connect(("127.0.0.1", upstream))
        .await
        .map_err(|e| err(format!("connecting upstream: {e}")))?;
    server
        .write_all(&request.to_bytes_closing())
        .await
        .map_err(|e| err(format!("forwarding: {e}")))?;
    read_message(&mut server).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_shares_follow_the_configuration() {
        let faults = Faults {
            drop_request: 0.1,
            drop_response: 0.1,
            delay: 0.1,
            delay_for: Duration::ZERO,
            too_many_requests: 0.2,
            seed: 7,
        };
        let mut state = State {
            faults,
            rng: 7,
            counts: FaultCounts::default(),
        };
        for _ in 0..10_000 {
            state.pick();
        }
        let c = state.counts;
        let near = |n: u64, share: f64| (n as f64 - share * 10_000.0).abs() < 400.0;
        assert!(near(c.dropped_requests, 0.1), "{c:?}");
        assert!(near(c.dropped_responses, 0.1), "{c:?}");
        assert!(near(c.delayed, 0.1), "{c:?}");
        assert!(near(c.too_many_requests, 0.2), "{c:?}");
        assert!(near(c.passed, 0.5), "{c:?}");
    }
}
