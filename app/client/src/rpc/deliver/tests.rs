//! The send loop against a fake cluster whose blocks advance as it is
//! asked for its height.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use solana_hash::Hash;
use solana_instruction::error::InstructionError;
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

use super::{deliver, Chain, Landed, RecentSignatures};
use crate::error::ClientError;
use crate::rpc::config::ConfirmPolicy;

/// Blocks a blockhash stays valid for.
const LIFETIME: u64 = 150;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Signed(Signature),
    HistoryLookup(Signature, bool),
}

#[derive(Clone, Copy)]
enum Lands {
    Never,
    /// The n-th signature (1-based) lands.
    OnSignature(u32),
    /// Every signature lands, failing with this instruction error.
    Failing,
}

struct State {
    height: u64,
    blockhashes: u8,
    lands: Lands,
    /// Whether a recent status lookup sees a landed signature (a lagging
    /// node's status cache may not).
    recent_visible: bool,
    /// Submits that fail as transport errors before the first goes through.
    failing_submits: u32,
    submits: HashMap<Signature, u32>,
    distinct: u32,
    landed: HashMap<Signature, Landed>,
    events: Vec<Event>,
}

struct FakeChain(Mutex<State>);

impl FakeChain {
    fn new(lands: Lands) -> Self {
        FakeChain(Mutex::new(State {
            height: 1,
            blockhashes: 0,
            lands,
            recent_visible: true,
            failing_submits: 0,
            submits: HashMap::new(),
            distinct: 0,
            landed: HashMap::new(),
            events: Vec::new(),
        }))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap()
    }
}

impl Chain for FakeChain {
    async fn latest_blockhash(&self) -> Result<(Hash, u64), ClientError> {
        let mut state = self.state();
        state.blockhashes += 1;
        Ok((
            Hash::new_from_array([state.blockhashes; 32]),
            state.height + LIFETIME,
        ))
    }

    async fn submit(&self, transaction: &Transaction) -> Result<(), ClientError> {
        let mut state = self.state();
        if state.failing_submits > 0 {
            state.failing_submits -= 1;
            return Err(ClientError::Transport {
                method: "sendTransaction".into(),
                reason: "connection reset".into(),
            });
        }
        let signature = transaction.signatures[0];
        let count = state.submits.entry(signature).or_default();
        *count += 1;
        if *count > 1 {
            return Ok(());
        }
        state.distinct += 1;
        let landed = match state.lands {
            Lands::Never => None,
            Lands::OnSignature(n) => (state.distinct == n).then_some(None),
            Lands::Failing => Some(Some(TransactionError::InstructionError(
                0,
                InstructionError::Custom(6018),
            ))),
        };
        if let Some(err) = landed {
            state.landed.insert(
                signature,
                Landed {
                    err,
                    committed: true,
                },
            );
        }
        Ok(())
    }

    async fn status(
        &self,
        signature: &Signature,
        search_history: bool,
    ) -> Result<Option<Landed>, ClientError> {
        let mut state = self.state();
        let found = state.landed.get(signature).cloned();
        if search_history {
            state
                .events
                .push(Event::HistoryLookup(*signature, found.is_some()));
            return Ok(found);
        }
        Ok(found.filter(|_| state.recent_visible))
    }

    async fn block_height(&self) -> Result<u64, ClientError> {
        let mut state = self.state();
        state.height += 40;
        Ok(state.height)
    }
}

fn policy() -> ConfirmPolicy {
    ConfirmPolicy {
        poll_interval: Duration::from_millis(100),
        resend_interval: Duration::from_secs(1),
        max_resigns: 3,
        outcome_timeout: Duration::from_secs(30),
    }
}

/// Delivers a transfer through `chain`, recording each signing.
async fn run(chain: &FakeChain) -> Result<super::Delivered, ClientError> {
    let payer = Keypair::new();
    let ix = anchor_lang::solana_program::system_instruction::transfer(
        &payer.pubkey(),
        &Keypair::new().pubkey(),
        1,
    );
    let first = chain.latest_blockhash().await?;
    deliver(
        chain,
        &policy(),
        &RecentSignatures::default(),
        first,
        |hash| {
            let tx = Transaction::new_signed_with_payer(
                std::slice::from_ref(&ix),
                Some(&payer.pubkey()),
                &[&payer],
                hash,
            );
            chain.state().events.push(Event::Signed(tx.signatures[0]));
            Ok(tx)
        },
    )
    .await
}

#[tokio::test(start_paused = true)]
async fn a_transaction_that_lands_is_signed_once() {
    let chain = FakeChain::new(Lands::OnSignature(1));
    let delivered = run(&chain).await.unwrap();
    assert_eq!(delivered.signatures, 1);
    assert!(delivered.err.is_none());
    assert_eq!(chain.state().distinct, 1);
}

#[tokio::test(start_paused = true)]
async fn a_signature_that_landed_unseen_is_found_in_history_and_not_resigned() {
    let chain = FakeChain::new(Lands::OnSignature(1));
    chain.state().recent_visible = false;
    let delivered = run(&chain).await.unwrap();
    let state = chain.state();
    assert_eq!(delivered.signatures, 1);
    assert_eq!(state.distinct, 1);
    assert_eq!(
        state.events,
        vec![
            Event::Signed(delivered.signature),
            Event::HistoryLookup(delivered.signature, true)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_signature_that_never_lands_is_resigned_at_most_max_times() {
    let chain = FakeChain::new(Lands::Never);
    let error = run(&chain).await.unwrap_err();
    let state = chain.state();
    let signed: Vec<_> = state
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Signed(s) => Some(*s),
            _ => None,
        })
        .collect();
    assert_eq!(signed.len(), 4, "the first signature and 3 re-signs");
    assert!(
        matches!(error, ClientError::NotConfirmed { attempts: 4, last } if last == signed[3]),
        "{error}"
    );
    // Each signature was looked up (and not found) before the next was made.
    let expected: Vec<Event> = signed
        .iter()
        .flat_map(|s| [Event::Signed(*s), Event::HistoryLookup(*s, false)])
        .collect();
    assert_eq!(state.events, expected);
    assert_eq!(state.landed.len(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_later_signature_may_land_after_an_expiry() {
    let chain = FakeChain::new(Lands::OnSignature(2));
    let delivered = run(&chain).await.unwrap();
    assert_eq!(delivered.signatures, 2);
    assert_eq!(chain.state().landed.len(), 1);
    assert!(chain.state().landed.contains_key(&delivered.signature));
}

#[tokio::test(start_paused = true)]
async fn a_failed_transaction_is_reported_not_resigned() {
    let chain = FakeChain::new(Lands::Failing);
    let delivered = run(&chain).await.unwrap();
    assert_eq!(delivered.signatures, 1);
    assert!(matches!(
        delivered.err,
        Some(TransactionError::InstructionError(
            0,
            InstructionError::Custom(6018)
        ))
    ));
}

#[tokio::test(start_paused = true)]
async fn a_lost_submit_is_rebroadcast_with_the_same_signature() {
    let chain = FakeChain::new(Lands::OnSignature(1));
    chain.state().failing_submits = 1;
    let delivered = run(&chain).await.unwrap();
    assert_eq!(delivered.signatures, 1);
    assert_eq!(chain.state().submits[&delivered.signature], 1);
}

#[tokio::test(start_paused = true)]
async fn an_identical_transaction_waits_for_a_newer_blockhash() {
    let chain = FakeChain::new(Lands::Never);
    let recent = RecentSignatures::default();
    let payer = Keypair::new();
    let sign = |hash| {
        let ix = anchor_lang::solana_program::system_instruction::transfer(
            &payer.pubkey(),
            &payer.pubkey(),
            0,
        );
        Ok(Transaction::new_signed_with_payer(
            &[ix],
            Some(&payer.pubkey()),
            &[&payer],
            hash,
        ))
    };
    let used: Transaction = sign(Hash::new_from_array([1; 32])).unwrap();
    assert!(recent.insert(used.signatures[0]));
    chain.state().lands = Lands::OnSignature(1);
    let first = (Hash::new_from_array([1; 32]), 1_000);
    let delivered = deliver(&chain, &policy(), &recent, first, sign)
        .await
        .unwrap();
    assert_ne!(delivered.signature, used.signatures[0]);
    assert_eq!(chain.state().distinct, 1);
}
