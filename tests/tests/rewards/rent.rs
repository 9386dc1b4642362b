//! What the paged ledger saves: rent per recipient against one claim-status
//! account per claimant (Jito's merkle distributor: 64 bytes of data plus
//! an 8-byte discriminator).

use depin_client::Cluster;
use depin_rewards::state::{ClaimLedger, LEDGER_PAGE_SIZE};

use crate::fixture::Pool;

const LAMPORTS_PER_SOL: f64 = 1e9;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ledger_slot_costs_at_least_20_times_less_rent_than_a_claim_status_account() {
    let pool = Pool::new(0).await;
    let cluster = &pool.env.cluster;
    let page_rent = cluster.minimum_balance(ClaimLedger::SIZE).await.unwrap();
    // The page the fixture created holds exactly that.
    assert_eq!(pool.env.lamports(&pool.page_address(0)).await, page_rent);
    let per_recipient = page_rent.div_ceil(LEDGER_PAGE_SIZE as u64);
    let claim_status = cluster.minimum_balance(8 + 64).await.unwrap();
    let ratio = claim_status as f64 / per_recipient as f64;
    println!(
        "ledger page: {} bytes, {} lamports ({:.6} SOL) for {} recipients",
        ClaimLedger::SIZE,
        page_rent,
        page_rent as f64 / LAMPORTS_PER_SOL,
        LEDGER_PAGE_SIZE
    );
    println!(
        "per recipient: {} lamports ({:.8} SOL); a 72-byte claim-status account: {} lamports ({:.6} SOL); {:.1}x less",
        per_recipient,
        per_recipient as f64 / LAMPORTS_PER_SOL,
        claim_status,
        claim_status as f64 / LAMPORTS_PER_SOL,
        ratio
    );
    assert!(
        per_recipient * 20 <= claim_status,
        "{per_recipient} lamports per recipient is not 20x below {claim_status}"
    );
}
