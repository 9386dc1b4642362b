//! Backlog sniping (issue 8, item 3): rewards funded while nobody is staked
//! are not released to nobody and handed to the next staker. The stream
//! only runs while something is staked; idle time moves the period's end
//! by as much, so the full amount is still paid over the same amount of
//! staked time, to whoever is staked during it.
//!
//! Before: 864,000 funded over 10 days, nobody staked for 5 days, then an
//! attacker staked 1 token for 1 second and claimed 432,001 (the 432,000
//! released to nobody, plus its second). Now it claims 1.

use depin_client::staking::DAY;
use depin_client::Signer;
use depin_staking::errors::StakingError;

use crate::fixture::{assert_staking_error, Staking};

/// 864,000 tokens over 10 days: exactly one token per second.
const ONE_PER_SECOND: u64 = 864_000;
const COOLDOWN: i64 = 7 * DAY;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_staked_for_one_second_after_an_idle_stretch_claims_one_second_of_rewards() {
    let s = Staking::new().await;
    let (mallory, mallory_tokens) = s.staker(1).await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let start = s.now().await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    // Five days with nobody staked.
    s.advance(5 * DAY).await;

    // The attacker stakes 1 token for 1 second and claims.
    let position = s.stake(&mallory, &mallory_tokens, 0, 1, 0).await;
    let pool = s.state().await;
    // Nothing was released to nobody: the whole amount still streams, and
    // the period ends five days later than funded.
    assert_eq!(
        (
            pool.stream_remaining,
            pool.stream_period_end,
            pool.reward_per_weight
        ),
        (ONE_PER_SECOND, start + 15 * DAY, 0)
    );
    s.advance(1).await;
    // One second of the stream at one token a second: 1, not 432,001.
    assert_eq!(s.pending(&position).await, 1);
    assert_eq!(s.claim(&mallory, &position, &mallory_tokens).await, 1);
    let pool = s.state().await;
    assert_eq!(
        (
            pool.stream_remaining,
            pool.total_rewards_paid,
            pool.stream_period_end
        ),
        (ONE_PER_SECOND - 1, 1, start + 15 * DAY)
    );
    assert_eq!(s.vaults().await, [1, ONE_PER_SECOND - 1, 0]);

    // It leaves; nobody is staked again for three days: the stream waits.
    s.request_unstake(&mallory, &position).await;
    s.advance(3 * DAY).await;
    // The next staker earns everything that is left, over 10 staked days
    // less the attacker's second.
    let honest = s.stake(&alice, &alice_tokens, 0, 1_000, 0).await;
    assert_eq!(s.state().await.stream_period_end, start + 18 * DAY);
    s.advance(10 * DAY).await;
    assert_eq!(
        s.claim(&alice, &honest, &alice_tokens).await,
        ONE_PER_SECOND - 1
    );
    // The attacker got its token back and its one reward token, no more.
    s.try_withdraw(&mallory, &position, &mallory_tokens)
        .await
        .unwrap();
    assert_eq!(s.balance(&mallory_tokens).await, 1 + 1);
    assert_eq!(s.vaults().await, [1_000, 0, 0]);
    assert_eq!(s.state().await.total_rewards_paid, ONE_PER_SECOND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staking_and_claiming_in_one_transaction_after_an_idle_stretch_gets_nothing() {
    let s = Staking::new().await;
    let (mallory, mallory_tokens) = s.staker(1).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(5 * DAY).await;
    let position = s.position_address(&mallory.pubkey(), 0);
    let stake = s
        .stake_ix(&mallory.pubkey(), &mallory_tokens, 0, 1, 0)
        .await;
    // The claim names the position before it exists: built by hand.
    let view = s.view().await;
    let claim = depin_client::Instruction {
        program_id: depin_staking::ID,
        accounts: anchor_lang::ToAccountMetas::to_account_metas(
            &depin_staking::accounts::ClaimRewards {
                owner: mallory.pubkey(),
                pool: view.address,
                position,
                reward_vault: s.reward_vault,
                destination: mallory_tokens,
                token_program: depin_client::token::TOKEN_PROGRAM_ID,
            },
            None,
        ),
        data: anchor_lang::InstructionData::data(&depin_staking::instruction::ClaimRewards {}),
    };
    let before = s.snapshot(&[position, mallory_tokens]).await;
    // Zero seconds staked: nothing to claim, and the whole transaction
    // (the stake too) is undone.
    assert_staking_error(
        s.env.send(&[stake, claim], &[&mallory]).await,
        StakingError::NothingToClaim,
    );
    before.assert_unchanged(&s.env).await;
    assert!(!s.env.exists(&position).await);
    let pool = s.state().await;
    assert_eq!(
        (pool.stream_remaining, pool.total_weight),
        (ONE_PER_SECOND, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_left_unstaked_past_its_end_pays_its_full_amount_to_the_next_stakers() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    // A whole period and more passes with nobody staked.
    s.advance(30 * DAY).await;
    let a = s.stake(&alice, &alice_tokens, 0, 1_000, 0).await;
    s.advance(DAY).await;
    let b = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    // alice alone for a day, then both for 9.
    s.advance(9 * DAY).await;
    assert_eq!(s.claim(&alice, &a, &alice_tokens).await, 86_400 + 388_800);
    assert_eq!(s.claim(&bob, &b, &bob_tokens).await, 388_800);
    assert_eq!(s.vaults().await, [2_000, 0, 0]);
    // Nothing left to stream; bob cannot claim again.
    let before = s.snapshot(&[b, bob_tokens]).await;
    s.advance(COOLDOWN).await;
    assert_staking_error(
        s.try_claim(&bob, &b, &bob_tokens).await,
        StakingError::NothingToClaim,
    );
    before.assert_unchanged(&s.env).await;
}
