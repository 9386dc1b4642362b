//! A network with a registered battery tokenized into 1,000 shares, a
//! USDC-like payment mint, a market fee of 2.5% and a compliance officer.

use depin_client::fractional::{self, AssetKeys, OfferingTerms};
use depin_client::{token, Cluster, Keypair, Pubkey, Signer};
use depin_registry::state::permission;
use depin_tests::*;

pub const USDC: u64 = 1_000_000;
pub const FEE_BPS: u16 = 250;

pub struct Market {
    pub env: Env,
    /// The battery's owner, who tokenized it.
    pub owner: Keypair,
    pub device: Pubkey,
    pub keys: AssetKeys,
    pub usdc: Pubkey,
    pub compliance: Keypair,
    pub fee_recipient: Keypair,
    pub fee_account: Pubkey,
    pub owner_usdc: Pubkey,
}

impl Market {
    pub async fn new() -> Market {
        let env = Env::new().await;
        let admin = env.admin.pubkey();
        let maker = env.maker(10).await;
        let owner = env.wallet().await;
        let device_key = env.device(&maker, &owner.pubkey()).await;
        let device = depin_registry::pda::device(&env.network, &device_key.pubkey()).0;
        let usdc = token::create_mint(&env.cluster, &admin, 6).await.unwrap();
        let compliance = env.member(permission::COMPLIANCE).await;
        let fee_recipient = Keypair::new();
        let fee_account = token::create_token_account(&env.cluster, &usdc, &fee_recipient.pubkey())
            .await
            .unwrap();
        let owner_usdc = token::create_token_account(&env.cluster, &usdc, &owner.pubkey())
            .await
            .unwrap();
        let ix = fractional::configure_market(
            &env.payer(),
            &admin,
            &env.network,
            FEE_BPS,
            &fee_recipient.pubkey(),
        );
        env.send(&[ix], &[&env.admin]).await.unwrap();
        let ix = fractional::create_asset(
            &env.payer(),
            &owner.pubkey(),
            &env.network,
            &device,
            &usdc,
            1_000,
        );
        env.send(&[ix], &[&owner]).await.unwrap();
        let keys = AssetKeys::of_device(&device);
        Market {
            env,
            owner,
            device,
            keys,
            usdc,
            compliance,
            fee_recipient,
            fee_account,
            owner_usdc,
        }
    }

    pub async fn now(&self) -> i64 {
        self.env.cluster.unix_timestamp().await.unwrap()
    }

    /// Offering `id` of `shares` at `price` USDC base units per share.
    pub async fn offer(
        &self,
        id: u16,
        shares: u64,
        price: u64,
        soft_cap: u64,
        cap: u64,
        allowlist: bool,
    ) {
        let terms = OfferingTerms {
            price_per_share: price,
            shares_for_sale: shares,
            soft_cap,
            deadline: self.now().await + 7 * 86_400,
            per_investor_cap: cap,
            allowlist_required: allowlist,
        };
        let market = Some(fractional::market_address(&self.env.network));
        let ix = fractional::create_offering(
            &self.env.payer(),
            &self.owner.pubkey(),
            &self.keys,
            id,
            &self.usdc,
            market,
            terms,
        );
        self.env.send(&[ix], &[&self.owner]).await.unwrap();
    }

    /// An investor with `usdc` USDC, a USDC account and a share account.
    pub async fn investor(&self, usdc: u64, allowlisted: bool) -> Investor {
        let wallet = self.env.wallet().await;
        let usdc_account =
            token::create_token_account(&self.env.cluster, &self.usdc, &wallet.pubkey())
                .await
                .unwrap();
        if usdc > 0 {
            token::mint_to(
                &self.env.cluster,
                &self.usdc,
                &usdc_account,
                &self.env.admin,
                usdc,
            )
            .await
            .unwrap();
        }
        let shares =
            token::create_token_account(&self.env.cluster, &self.keys.share_mint, &wallet.pubkey())
                .await
                .unwrap();
        if allowlisted {
            let ix = fractional::set_allowlist(
                &self.env.payer(),
                &self.compliance.pubkey(),
                &self.env.network,
                &wallet.pubkey(),
                true,
            );
            self.env.send(&[ix], &[&self.compliance]).await.unwrap();
        }
        Investor {
            wallet,
            usdc: usdc_account,
            shares,
            allowlisted,
        }
    }

    pub async fn buy(
        &self,
        investor: &Investor,
        id: u16,
        shares: u64,
    ) -> Result<depin_client::Sent, depin_client::ClientError> {
        let ix = fractional::buy(
            &investor.wallet.pubkey(),
            &self.keys,
            id,
            &self.env.network,
            investor.allowlisted,
            &investor.usdc,
            shares,
        );
        self.env.send(&[ix], &[&investor.wallet]).await
    }

    pub async fn balance(&self, account: &Pubkey) -> u64 {
        token::balance(&self.env.cluster, account).await.unwrap()
    }
}

pub struct Investor {
    pub wallet: Keypair,
    pub usdc: Pubkey,
    pub shares: Pubkey,
    pub allowlisted: bool,
}
