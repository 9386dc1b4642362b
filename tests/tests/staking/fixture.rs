//! A network with a stake pool in its token: the admin holds every role and
//! a funding account of the token; stakers get wallets with tokens.

use depin_client::staking::{self, PoolParams, BPS, DAY};
use depin_client::{token, Keypair, Pubkey, Signer};
use depin_tests::*;

pub struct Staking {
    pub env: Env,
    pub pool: Pubkey,
    pub stake_vault: Pubkey,
    pub reward_vault: Pubkey,
    pub treasury: Pubkey,
    /// The admin's token account rewards are funded from.
    pub funding: Pubkey,
}

pub fn params() -> PoolParams {
    PoolParams {
        max_lockup_secs: 365 * DAY,
        max_multiplier_bps: 3 * BPS,
        cooldown_secs: 7 * DAY,
    }
}

impl Staking {
    pub async fn new() -> Staking {
        let env = Env::new().await;
        let admin = env.admin.pubkey();
        let mint = env.reward_mint;
        let treasury = token::create_token_account(&env.cluster, &mint, &admin)
            .await
            .unwrap();
        let funding = token::create_token_account(&env.cluster, &mint, &admin)
            .await
            .unwrap();
        token::mint_to(&env.cluster, &mint, &funding, &env.admin, 1_000_000_000)
            .await
            .unwrap();
        let ix = staking::create_pool(
            &env.payer(),
            &admin,
            &env.network,
            &mint,
            &treasury,
            params(),
        );
        env.send(&[ix], &[&env.admin]).await.unwrap();
        let pool = staking::pool_address(&env.network);
        let stake_vault = depin_staking::pda::stake_vault(&pool).0;
        let reward_vault = depin_staking::pda::reward_vault(&pool).0;
        Staking {
            env,
            pool,
            stake_vault,
            reward_vault,
            treasury,
            funding,
        }
    }

    /// A wallet holding `tokens` of the network token in a token account.
    pub async fn staker(&self, tokens: u64) -> (Keypair, Pubkey) {
        let wallet = self.env.wallet().await;
        let account =
            token::create_token_account(&self.env.cluster, &self.env.reward_mint, &wallet.pubkey())
                .await
                .unwrap();
        if tokens > 0 {
            token::mint_to(
                &self.env.cluster,
                &self.env.reward_mint,
                &account,
                &self.env.admin,
                tokens,
            )
            .await
            .unwrap();
        }
        (wallet, account)
    }

    pub async fn fund(&self, amount: u64, duration_secs: i64) {
        let ix = staking::fund_rewards(
            &self.env.admin.pubkey(),
            &self.env.network,
            &self.funding,
            amount,
            duration_secs,
        );
        self.env.send(&[ix], &[&self.env.admin]).await.unwrap();
    }

    pub async fn balance(&self, account: &Pubkey) -> u64 {
        token::balance(&self.env.cluster, account).await.unwrap()
    }
}
