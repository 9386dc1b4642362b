//! The proofs API's data: the claimable root's proofs, claimable amounts
//! read from the chain, and an epoch's summary.

use depin_client::rewards::{self, Guards, Proofs};
use depin_client::{token, Cluster, Signer};
use depin_crank::epoch::{Progress, PushPolicy, Role};
use depin_crank::fault::Faults;
use depin_crank::proofs::{epoch_summary, ProofBook, ProofMiss};

use crate::primary::crank_storage;
use crate::support::*;

#[tokio::test]
async fn a_recipient_claims_with_the_proof_the_crank_serves() {
    let s = Scenario::new(Guards {
        challenge_period_secs: 3_600,
        ..Guards::SINGLE_ORACLE
    })
    .await;
    let mut config = s.config();
    config.push = PushPolicy::default(); // nobody pushed: recipients claim
    let crank = s
        .pipeline_with("primary.db", Role::Primary, Faults::none(), config)
        .await;
    let storage = crank_storage(&s);
    let book = ProofBook::new(storage.clone(), s.network, s.distributor);
    let owner = &s.owners[1];
    assert_eq!(book.reload().unwrap(), None);
    assert_eq!(
        book.reward(&owner.owner.pubkey()),
        Err(ProofMiss::NoActiveRoot)
    );

    s.report_and_close(2).await;
    let progress = crank.tick().await.unwrap();
    assert!(matches!(progress, Progress::Waiting { epoch: 2, .. }));
    // Proposed but in its challenge period: not claimable, not served.
    assert_eq!(book.reload().unwrap(), None);
    let now = s.now().await;
    s.advance_to(now + 3_600).await;
    crank.tick().await.unwrap();
    assert_eq!(book.reload().unwrap(), Some(2));
    book.refresh_claimed(s.cluster()).await.unwrap();

    let answer = book.reward(&owner.owner.pubkey()).unwrap();
    assert_eq!(answer["epoch"], 2);
    assert_eq!(answer["cumulative_amount"], 333_333);
    assert_eq!(answer["claimed"], 0);
    assert_eq!(answer["claimable"], 333_333);
    let stranger = depin_client::Keypair::new().pubkey();
    assert_eq!(book.reward(&stranger), Err(ProofMiss::UnknownRecipient));

    // The answer is a proofs file: the recipient claims with it.
    let proofs = Proofs::from_json(&answer).unwrap();
    let args = proofs.claim(&owner.owner.pubkey()).unwrap().clone();
    let ix = rewards::claim(&owner.owner.pubkey(), &s.distributor, &owner.account, args);
    s.cluster().send(&[ix], &[&owner.owner]).await.unwrap();
    assert_eq!(
        token::balance(s.cluster(), &owner.account).await.unwrap(),
        333_333
    );
    book.refresh_claimed(s.cluster()).await.unwrap();
    let answer = book.reward(&owner.owner.pubkey()).unwrap();
    assert_eq!(
        (answer["claimed"].as_u64(), answer["claimable"].as_u64()),
        (Some(333_333), Some(0))
    );

    let summary = epoch_summary(storage.as_ref(), &s.network, 2)
        .unwrap()
        .unwrap();
    assert_eq!(summary["frozen"], true);
    assert_eq!(summary["results"]["freeze"]["reports"], 3);
    assert_eq!(summary["results"]["score"]["paid"], 999_999);
    assert_eq!(summary["results"]["score"]["remainder"], 1);
    assert_eq!(summary["results"]["score"]["devices_counted"], 3);
    assert_eq!(summary["results"]["push_claims"]["pushed"], 0);
    assert_eq!(summary["steps"].as_array().unwrap().len(), 9);
    assert!(epoch_summary(storage.as_ref(), &s.network, 9)
        .unwrap()
        .is_none());
}
