//! The revenue program on its own: deposits only while shares earn, claims,
//! share withdrawals and deposits, the issuer's credit, transfer and
//! dissolve, and accounts of another pool or owner.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_spl::token::spl_token::error::TokenError;
use depin_client::fractional::{self, AssetKeys};
use depin_client::{revenue, token, Keypair, Pubkey, Signer};
use depin_revenue::errors::RevenueError;
use depin_tests::*;

use crate::fixture::{
    create_pool_ix, issuer_credit_ix, issuer_dissolve_ix, issuer_transfer_ix, open_holding_ix,
    snapshot, Investor, Market, USDC,
};

/// A sold-out offering: `a` holds 300 shares, `b` 100 (1 USDC each), and
/// an operator with 10,000 USDC to deposit revenue from.
async fn holders(m: &Market) -> (Investor, Investor, Investor) {
    m.offer(0, 400, USDC, 400, 0, false).await;
    let a = m.investor(1_000 * USDC, false).await;
    let b = m.investor(1_000 * USDC, false).await;
    m.buy(&a, 0, 300).await.unwrap();
    m.buy(&b, 0, 100).await.unwrap();
    m.close_and_settle(0, &[&a, &b]).await;
    let operator = m.investor(10_000 * USDC, false).await;
    (a, b, operator)
}

/// The pool, its vaults and the holdings of `owners`.
async fn pool_snapshot(m: &Market, owners: &[&Investor]) -> crate::fixture::Snapshot {
    let mut addresses = vec![
        m.keys.revenue_pool,
        m.keys.share_vault,
        m.keys.revenue_vault,
    ];
    for owner in owners {
        addresses.extend([m.keys.holding(&owner.key()), owner.usdc, owner.shares]);
    }
    snapshot(&m.env, &addresses).await
}

/// The backlog-sniping attack of issue 8, item 3: 1,000 USDC deposited
/// before any share existed; an attacker buys 1 share for 1 USDC, deposits
/// 1 base unit and claims: before the fix it took 1,000.000001 USDC. Now
/// revenue is refused while no shares earn, so there is no backlog to take.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revenue_is_refused_while_no_shares_earn() {
    let m = Market::new().await;
    let operator = m.investor(1_000 * USDC, false).await;
    let before = pool_snapshot(&m, &[&operator]).await;
    assert_error(
        m.deposit_revenue(&operator, 1_000 * USDC).await,
        RevenueError::NoSharesEarning,
    );
    before.assert_unchanged(&m.env).await;
    assert_eq!(m.balance(&operator.usdc).await, 1_000 * USDC);

    // The attacker buys the only share on offer and deposits 1 base unit:
    // all it can ever get is that unit back.
    m.offer(0, 1, USDC, 1, 0, false).await;
    let attacker = m.investor(USDC + 1, false).await;
    m.buy(&attacker, 0, 1).await.unwrap();
    m.deposit_revenue(&attacker, 1).await.unwrap();
    assert_eq!(
        m.close_and_settle(0, &[&attacker]).await,
        Some(fractional::OfferingState::Succeeded)
    );
    m.claim(&attacker).await.unwrap();
    assert_eq!(m.balance(&attacker.usdc).await, 1);
    assert_eq!(m.balance(&m.keys.revenue_vault).await, 0);

    // Revenue deposited now is shared by whoever holds shares now.
    m.deposit_revenue(&operator, 100 * USDC).await.unwrap();
    assert_eq!(m.position(&attacker.key()).await, (1, 100 * USDC));
    // Everyone withdraws: revenue is refused again, not held for the next buyer.
    m.withdraw(&attacker, 1).await.unwrap();
    let before = pool_snapshot(&m, &[&operator, &attacker]).await;
    assert_error(
        m.deposit_revenue(&operator, 7 * USDC).await,
        RevenueError::NoSharesEarning,
    );
    before.assert_unchanged(&m.env).await;
    m.claim(&attacker).await.unwrap();
    assert_eq!(m.balance(&attacker.usdc).await, 100 * USDC + 1);
    let pool = m.pool().await;
    assert_eq!(
        (pool.total_deposited, pool.total_claimed, pool.total_weight),
        (100 * USDC + 1, 100 * USDC + 1, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_pays_once() {
    let m = Market::new().await;
    let (a, b, operator) = holders(&m).await;
    m.deposit_revenue(&operator, 40 * USDC).await.unwrap();
    let a_before = m.balance(&a.usdc).await;
    m.claim(&a).await.unwrap();
    assert_eq!(m.balance(&a.usdc).await - a_before, 30 * USDC);
    let holding = m.holding(&a.key()).await.unwrap();
    assert_eq!((holding.shares, holding.pending), (300, 0));
    assert_eq!(m.position(&a.key()).await, (300, 0));

    let before = pool_snapshot(&m, &[&a]).await;
    assert_error(m.claim(&a).await, RevenueError::NothingToClaim);
    before.assert_unchanged(&m.env).await;

    let pool = m.pool().await;
    assert_eq!(
        (pool.total_deposited, pool.total_claimed),
        (40 * USDC, 30 * USDC)
    );
    assert_eq!(m.balance(&m.keys.revenue_vault).await, 10 * USDC);
    assert_eq!(m.position(&b.key()).await, (100, 10 * USDC));
    // Someone who never held anything has no holding to claim from.
    let nobody = m.investor(0, false).await;
    assert_error(m.claim(&nobody).await, AnchorError::AccountNotInitialized);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_elses_holding_is_refused() {
    let m = Market::new().await;
    let (a, b, operator) = holders(&m).await;
    m.deposit_revenue(&operator, 40 * USDC).await.unwrap();
    let before = pool_snapshot(&m, &[&a, &b]).await;
    let a_holding = m.keys.holding(&a.key());
    let b_holding = m.keys.holding(&b.key());
    let share_mint = m.keys.share_mint;

    // b claims a's revenue, withdraws a's shares, into its own accounts.
    let claim = revenue::claim_revenue(&b.key(), &share_mint, &b.usdc);
    let claim = substitute(claim, &b_holding, &a_holding);
    assert_error(
        m.env.send(&[claim], &[&b.wallet]).await,
        RevenueError::NotOwner,
    );
    let withdraw = revenue::withdraw_shares(&b.key(), &share_mint, &b.shares, 10);
    let withdraw = substitute(withdraw, &b_holding, &a_holding);
    assert_error(
        m.env.send(&[withdraw], &[&b.wallet]).await,
        RevenueError::NotOwner,
    );
    // b's deposit credited to a's holding: the seeds are b's.
    let deposit = revenue::deposit_shares(&m.env.payer(), &b.key(), &share_mint, &b.shares, 1);
    let deposit = substitute(deposit, &b_holding, &a_holding);
    assert_error(
        m.env.send(&[deposit], &[&b.wallet]).await,
        AnchorError::ConstraintSeeds,
    );
    // a's own claim and withdrawal into b's accounts, without a's signature.
    let claim = revenue::claim_revenue(&a.key(), &share_mint, &b.usdc);
    assert_requires_signature(&m.env, claim, &a.key()).await;
    let withdraw = revenue::withdraw_shares(&a.key(), &share_mint, &b.shares, 10);
    assert_requires_signature(&m.env, withdraw, &a.key()).await;
    before.assert_unchanged(&m.env).await;
    assert_eq!(m.position(&a.key()).await, (300, 30 * USDC));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawing_more_than_held_is_refused() {
    let m = Market::new().await;
    let (a, b, operator) = holders(&m).await;
    let before = pool_snapshot(&m, &[&a]).await;
    assert_error(m.withdraw(&a, 301).await, RevenueError::InsufficientShares);
    assert_error(
        m.withdraw(&a, u64::MAX).await,
        RevenueError::InsufficientShares,
    );
    before.assert_unchanged(&m.env).await;

    // All of it: the shares stop earning, the holding stays.
    m.deposit_revenue(&operator, 4 * USDC).await.unwrap();
    m.withdraw(&a, 300).await.unwrap();
    assert_eq!(m.balance(&a.shares).await, 300);
    assert_eq!(m.balance(&m.keys.share_vault).await, 100);
    let holding = m.holding(&a.key()).await.unwrap();
    assert_eq!((holding.shares, holding.pending), (0, 3 * USDC));
    assert_eq!(m.pool().await.total_weight, 100);
    assert_error(m.withdraw(&a, 1).await, RevenueError::InsufficientShares);
    m.deposit_revenue(&operator, 4 * USDC).await.unwrap();
    assert_eq!(m.position(&a.key()).await, (0, 3 * USDC));
    assert_eq!(m.position(&b.key()).await, (100, 5 * USDC));

    // Depositing more than the wallet holds fails in the token program.
    let before = pool_snapshot(&m, &[&a]).await;
    assert_error(
        m.deposit_shares(&a, 301).await,
        TokenError::InsufficientFunds as u32,
    );
    before.assert_unchanged(&m.env).await;
    m.deposit_shares(&a, 300).await.unwrap();
    assert_eq!(m.position(&a.key()).await, (300, 3 * USDC));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuer_credit_and_debit_by_anyone_but_the_issuer_are_refused() {
    let m = Market::new().await;
    let (a, _, _) = holders(&m).await;
    // Shares sitting in the vault but not credited to anyone.
    let stray = m.investor(0, false).await;
    m.withdraw(&a, 50).await.unwrap();
    m.transfer_shares(&a, &stray, 50).await.unwrap();
    let ix = crate::fixture::transfer_ix(&stray.shares, &m.keys.share_vault, &stray.key(), 50);
    m.env.send(&[ix], &[&stray.wallet]).await.unwrap();
    assert_eq!(m.balance(&m.keys.share_vault).await, 400);
    assert_eq!(m.pool().await.total_weight, 350);

    let before = pool_snapshot(&m, &[&a, &stray]).await;
    let pool = m.keys.revenue_pool;
    // A stranger, the asset's authority and the network admin.
    let owner = m.owner.insecure_clone();
    let admin = m.env.admin.insecure_clone();
    for impostor in [m.env.wallet().await, owner, admin] {
        let credit = issuer_credit_ix(&m.env.payer(), &impostor.pubkey(), &pool, &stray.key(), 50);
        assert_error(
            m.env.send(&[credit], &[&impostor]).await,
            RevenueError::NotIssuer,
        );
        let open = open_holding_ix(&m.env.payer(), &impostor.pubkey(), &pool, &stray.key());
        assert_error(
            m.env.send(&[open], &[&impostor]).await,
            RevenueError::NotIssuer,
        );
        // Moving a's shares and revenue to itself.
        let transfer = issuer_transfer_ix(
            &m.env.payer(),
            &impostor.pubkey(),
            &pool,
            &a.key(),
            &impostor.pubkey(),
            10,
            0,
        );
        assert_error(
            m.env.send(&[transfer], &[&impostor]).await,
            RevenueError::NotIssuer,
        );
        // Dissolving a's holding into its own share account.
        let dissolve = issuer_dissolve_ix(
            &m.env.payer(),
            &impostor.pubkey(),
            &pool,
            &a.key(),
            &impostor.pubkey(),
            &stray.shares,
        );
        assert_error(
            m.env.send(&[dissolve], &[&impostor]).await,
            RevenueError::NotIssuer,
        );
    }
    // The issuer's (the asset PDA's) key, unsigned.
    let credit = issuer_credit_ix(&m.env.payer(), &m.keys.asset, &pool, &stray.key(), 50);
    assert_error(
        m.env.send(&[unsign(credit, &m.keys.asset)], &[]).await,
        AnchorError::AccountNotSigner,
    );
    before.assert_unchanged(&m.env).await;
    assert!(m.holding(&stray.key()).await.is_none());
}

/// A revenue pool whose issuer is a wallet (the share mint's authority):
/// the pool, the issuer and the share mint.
async fn own_pool(env: &Env) -> (Pubkey, Keypair, Pubkey) {
    let issuer = env.wallet().await;
    let share_mint = token::create_mint(&env.cluster, &issuer.pubkey(), 0)
        .await
        .unwrap();
    let payment_mint = env.mint().await;
    let ix = create_pool_ix(&env.payer(), &issuer.pubkey(), &share_mint, &payment_mint);
    env.send(&[ix], &[&issuer]).await.unwrap();
    (depin_revenue::pda::pool(&share_mint).0, issuer, share_mint)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issuer_credits_only_shares_already_in_the_vault() {
    let env = Env::new().await;
    let (pool, issuer, share_mint) = own_pool(&env).await;
    let vault = depin_revenue::pda::share_vault(&pool).0;
    let holder = Keypair::new().pubkey();
    let holding = depin_revenue::pda::holding(&pool, &holder).0;
    let credit = |amount| issuer_credit_ix(&env.payer(), &issuer.pubkey(), &pool, &holder, amount);

    assert_error(
        env.send(&[credit(10)], &[&issuer]).await,
        RevenueError::SharesNotInVault,
    );
    token::mint_to(&env.cluster, &share_mint, &vault, &issuer, 10)
        .await
        .unwrap();
    assert_error(
        env.send(&[credit(11)], &[&issuer]).await,
        RevenueError::SharesNotInVault,
    );
    assert!(!env.exists(&holding).await);
    env.send(&[credit(10)], &[&issuer]).await.unwrap();
    let stored = depin_client::revenue::pool(&env.cluster, &share_mint)
        .await
        .unwrap();
    assert_eq!(stored.total_weight, 10);
    // Credited shares cannot be credited again.
    assert_error(
        env.send(&[credit(1)], &[&issuer]).await,
        RevenueError::SharesNotInVault,
    );

    // The issuer moves some to another holding (created on the way), never
    // more shares or revenue than the source holds, never onto itself.
    let other = Keypair::new().pubkey();
    let transfer = |shares, revenue| {
        issuer_transfer_ix(
            &env.payer(),
            &issuer.pubkey(),
            &pool,
            &holder,
            &other,
            shares,
            revenue,
        )
    };
    assert_error(
        env.send(&[transfer(11, 0)], &[&issuer]).await,
        RevenueError::InsufficientShares,
    );
    assert_error(
        env.send(&[transfer(4, 1)], &[&issuer]).await,
        RevenueError::InsufficientRevenue,
    );
    let onto_itself = issuer_transfer_ix(
        &env.payer(),
        &issuer.pubkey(),
        &pool,
        &holder,
        &holder,
        4,
        0,
    );
    assert_fails(env.send(&[onto_itself], &[&issuer]).await);
    env.send(&[transfer(4, 0)], &[&issuer]).await.unwrap();
    let held = |owner| {
        let cluster = &env.cluster;
        async move {
            depin_client::fetch::<depin_revenue::state::Holding>(
                cluster,
                &depin_revenue::pda::holding(&pool, &owner).0,
            )
            .await
            .ok()
            .map(|h| (h.owner, h.shares))
        }
    };
    assert_eq!(held(holder).await, Some((holder, 6)));
    assert_eq!(held(other).await, Some((other, 4)));
    assert_eq!(env.balance(&vault).await, 10);

    // Dissolving `other`: its 4 shares leave the vault (to be burned), the
    // holding closes, the 6 others keep earning.
    let burn_from = env.token_account(&share_mint, &issuer.pubkey()).await;
    let dissolve = |owner: &Pubkey, fallback: &Pubkey| {
        issuer_dissolve_ix(
            &env.payer(),
            &issuer.pubkey(),
            &pool,
            owner,
            fallback,
            &burn_from,
        )
    };
    assert_error(
        env.send(&[dissolve(&other, &other)], &[&issuer]).await,
        RevenueError::SameHolding,
    );
    env.send(&[dissolve(&other, &holder)], &[&issuer])
        .await
        .unwrap();
    assert_eq!(env.balance(&burn_from).await, 4);
    assert_eq!(env.balance(&vault).await, 6);
    assert_eq!(held(other).await, None);
    assert_eq!(held(holder).await, Some((holder, 6)));
    let stored = depin_client::revenue::pool(&env.cluster, &share_mint)
        .await
        .unwrap();
    assert_eq!(stored.total_weight, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_amounts_are_refused() {
    let m = Market::new().await;
    let (a, _, operator) = holders(&m).await;
    let before = pool_snapshot(&m, &[&a, &operator]).await;
    assert_error(
        m.deposit_revenue(&operator, 0).await,
        RevenueError::ZeroAmount,
    );
    assert_error(m.withdraw(&a, 0).await, RevenueError::ZeroAmount);
    assert_error(m.deposit_shares(&a, 0).await, RevenueError::ZeroAmount);
    before.assert_unchanged(&m.env).await;

    let (pool, issuer, share_mint) = own_pool(&m.env).await;
    let vault = depin_revenue::pda::share_vault(&pool).0;
    token::mint_to(&m.env.cluster, &share_mint, &vault, &issuer, 5)
        .await
        .unwrap();
    let holder = Keypair::new().pubkey();
    let credit = issuer_credit_ix(&m.env.payer(), &issuer.pubkey(), &pool, &holder, 0);
    assert_error(
        m.env.send(&[credit], &[&issuer]).await,
        RevenueError::ZeroAmount,
    );
    let credit = issuer_credit_ix(&m.env.payer(), &issuer.pubkey(), &pool, &holder, 5);
    m.env.send(&[credit], &[&issuer]).await.unwrap();
    let transfer = issuer_transfer_ix(
        &m.env.payer(),
        &issuer.pubkey(),
        &pool,
        &holder,
        &Keypair::new().pubkey(),
        0,
        0,
    );
    assert_error(
        m.env.send(&[transfer], &[&issuer]).await,
        RevenueError::ZeroAmount,
    );
    assert_eq!(m.env.balance(&vault).await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vaults_and_holdings_of_another_pool_are_refused() {
    let m = Market::new().await;
    let (a, _, operator) = holders(&m).await;
    m.deposit_revenue(&operator, 40 * USDC).await.unwrap();
    // a also holds all 500 shares of a second asset.
    let other: AssetKeys = m.second_asset().await;
    let ix = fractional::buy(&a.key(), &other, 0, &m.env.network, false, &a.usdc, 500);
    m.env.send(&[ix], &[&a.wallet]).await.unwrap();
    let parties = m.parties();
    let close = fractional::close_offering(
        &m.env.payer(),
        &m.env.network,
        &other,
        0,
        &parties,
        &m.owner_usdc,
        m.fee(),
    );
    let deliver = fractional::deliver_purchase(&m.env.payer(), &other, 0, &a.key(), &parties);
    m.env.send(&[close, deliver], &[]).await.unwrap();
    let other_shares = m.env.token_account(&other.share_mint, &a.key()).await;
    let mut watched = vec![other.revenue_vault, other.share_vault, other.revenue_pool];
    watched.push(other.holding(&a.key()));
    watched.push(other_shares);
    let before = m.snapshot(0, &watched).await;
    let share_mint = m.keys.share_mint;

    let cases = [
        (
            "deposit_revenue into another pool's vault",
            substitute(
                revenue::deposit_revenue(&operator.key(), &share_mint, &operator.usdc, USDC),
                &m.keys.revenue_vault,
                &other.revenue_vault,
            ),
            &operator.wallet,
        ),
        (
            "claim from another pool's vault",
            substitute(
                revenue::claim_revenue(&a.key(), &share_mint, &a.usdc),
                &m.keys.revenue_vault,
                &other.revenue_vault,
            ),
            &a.wallet,
        ),
        (
            "claim with the holding of another pool",
            substitute(
                revenue::claim_revenue(&a.key(), &share_mint, &a.usdc),
                &m.keys.holding(&a.key()),
                &other.holding(&a.key()),
            ),
            &a.wallet,
        ),
        (
            "withdraw from another pool's vault",
            substitute(
                revenue::withdraw_shares(&a.key(), &share_mint, &a.shares, 10),
                &m.keys.share_vault,
                &other.share_vault,
            ),
            &a.wallet,
        ),
        (
            "withdraw with the holding of another pool",
            substitute(
                revenue::withdraw_shares(&a.key(), &share_mint, &other_shares, 10),
                &m.keys.holding(&a.key()),
                &other.holding(&a.key()),
            ),
            &a.wallet,
        ),
        (
            "deposit shares into another pool's vault",
            substitute(
                revenue::deposit_shares(&m.env.payer(), &a.key(), &share_mint, &a.shares, 1),
                &m.keys.share_vault,
                &other.share_vault,
            ),
            &a.wallet,
        ),
    ];
    for (what, ix, signer) in cases {
        let result = m.env.send(&[ix], &[signer]).await;
        assert!(
            result.as_ref().err().and_then(|e| e.custom_code())
                == Some(RevenueError::WrongPool.into()),
            "{what}: {result:?}"
        );
    }
    before.assert_unchanged(&m.env).await;
    assert_eq!(m.position(&a.key()).await, (300, 30 * USDC));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_into_an_account_of_another_mint_fails() {
    let m = Market::new().await;
    let (a, _, operator) = holders(&m).await;
    m.deposit_revenue(&operator, 40 * USDC).await.unwrap();
    let before = pool_snapshot(&m, &[&a]).await;
    // Its share account is no USDC account.
    let ix = revenue::claim_revenue(&a.key(), &m.keys.share_mint, &a.shares);
    assert_error(
        m.env.send(&[ix], &[&a.wallet]).await,
        TokenError::MintMismatch as u32,
    );
    before.assert_unchanged(&m.env).await;
    // Any USDC account will do, even someone else's: the owner chooses.
    let gift = m.investor(0, false).await;
    let ix = revenue::claim_revenue(&a.key(), &m.keys.share_mint, &gift.usdc);
    m.env.send(&[ix], &[&a.wallet]).await.unwrap();
    assert_eq!(m.balance(&gift.usdc).await, 30 * USDC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawn_shares_stop_earning_and_deposited_shares_start() {
    let m = Market::new().await;
    let (a, b, operator) = holders(&m).await;
    // a sells 100 shares to b: withdraw, transfer, deposit.
    m.withdraw(&a, 100).await.unwrap();
    m.deposit_revenue(&operator, 30 * USDC).await.unwrap();
    // 200 : 100 earning while 100 sit in a's wallet.
    assert_eq!(m.position(&a.key()).await, (200, 20 * USDC));
    assert_eq!(m.position(&b.key()).await, (100, 10 * USDC));
    m.transfer_shares(&a, &b, 100).await.unwrap();
    // a cannot deposit them from b's account: b's signature is needed.
    let ix = revenue::deposit_shares(&m.env.payer(), &a.key(), &m.keys.share_mint, &b.shares, 1);
    assert_error(
        m.env.send(&[ix], &[&a.wallet]).await,
        TokenError::OwnerMismatch as u32,
    );
    m.deposit_shares(&b, 100).await.unwrap();
    m.deposit_revenue(&operator, 40 * USDC).await.unwrap();
    assert_eq!(m.position(&a.key()).await, (200, 40 * USDC));
    assert_eq!(m.position(&b.key()).await, (200, 30 * USDC));
    assert_eq!(m.balance(&m.keys.share_vault).await, 400);
    let pool = m.pool().await;
    assert_eq!(
        (pool.total_weight, pool.total_deposited, pool.total_claimed),
        (400, 70 * USDC, 0)
    );
}
