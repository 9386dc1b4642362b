//! A network with a registered battery tokenized into 1,000 shares, a
//! USDC-like payment mint, a market fee of 2.5% and a compliance officer;
//! builders for every fractional and revenue step the tests take, readers
//! of what they store, and the checks the tests share ("nothing moved",
//! permission checks). The fractional and the payments tests start here.

use crate::*;
use anchor_lang::{InstructionData, ToAccountMetas};
use anchor_spl::token::spl_token;
use depin_client::fractional::{
    self, AssetKeys, OfferingParties, OfferingState, OfferingTerms, Purchase,
};
use depin_client::{fetch, fetch_optional, registry, Signer};
use depin_client::{revenue, token, ClientError, Cluster, Instruction, Keypair, Pubkey, Sent};
use depin_fractional::errors::FractionalError;
use depin_fractional::state::{AllowEntry, Asset, MarketConfig, Offering};
use depin_registry::state::permission;
use depin_revenue::state::{Holding, RevenuePool};

pub use crate::{snapshot, Snapshot};

pub const USDC: u64 = 1_000_000;
pub const FEE_BPS: u16 = 250;
pub const TOTAL_SHARES: u64 = 1_000;
/// How long the fixture's offerings stay open.
pub const WEEK: i64 = 7 * 86_400;

const SYSTEM_PROGRAM: Pubkey = anchor_lang::solana_program::system_program::ID;

pub struct Market {
    pub env: Env,
    /// Approved maker that registered the battery (and registers more).
    pub maker: Keypair,
    /// The battery's owner, who tokenized it.
    pub owner: Keypair,
    /// The battery's own key and its device record.
    pub device_key: Pubkey,
    pub device: Pubkey,
    /// The battery's keypair (signs its meter readings).
    pub device_signer: Keypair,
    pub keys: AssetKeys,
    pub usdc: Pubkey,
    pub compliance: Keypair,
    pub fee_recipient: Keypair,
    /// The fee recipient's USDC account.
    pub fee_account: Pubkey,
    /// The owner's USDC account, where proceeds go.
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
            TOTAL_SHARES,
        );
        env.send(&[ix], &[&owner]).await.unwrap();
        let keys = AssetKeys::of_device(&device);
        Market {
            env,
            maker,
            owner,
            device_key: device_key.pubkey(),
            device,
            device_signer: device_key,
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

    /// Moves the clock forward by `seconds`.
    pub async fn advance(&self, seconds: i64) {
        self.env.cluster.advance_clock(seconds).await.unwrap();
    }

    /// Moves the clock to exactly offering `id`'s deadline.
    pub async fn reach_deadline(&self, id: u16) {
        let deadline = self.offering(id).await.deadline;
        let now = self.now().await;
        self.advance(deadline - now).await;
        assert_eq!(self.now().await, deadline);
    }

    pub fn market_address(&self) -> Pubkey {
        fractional::market_address(&self.env.network)
    }

    /// A new battery of the market's network owned by `owner` (not yet
    /// tokenized): its key and its device record.
    pub async fn new_device(&self, owner: &Pubkey) -> (Keypair, Pubkey) {
        let key = self.env.device(&self.maker, owner).await;
        let record = depin_registry::pda::device(&self.env.network, &key.pubkey()).0;
        (key, record)
    }

    /// A second battery of the owner, tokenized into 500 shares paid in
    /// USDC, with offering 0 of all of them open (1 USDC, no soft cap).
    pub async fn second_asset(&self) -> AssetKeys {
        let (_, device) = self.new_device(&self.owner.pubkey()).await;
        let ix = fractional::create_asset(
            &self.env.payer(),
            &self.owner.pubkey(),
            &self.env.network,
            &device,
            &self.usdc,
            500,
        );
        self.env.send(&[ix], &[&self.owner]).await.unwrap();
        let keys = AssetKeys::of_device(&device);
        let terms = self.terms(500, USDC, 0, 0, false).await;
        let ix = fractional::create_offering(
            &self.env.payer(),
            &self.owner.pubkey(),
            &self.env.network,
            &keys,
            0,
            &self.usdc,
            terms,
        );
        self.env.send(&[ix], &[&self.owner]).await.unwrap();
        keys
    }

    // ---- offerings ----

    /// Terms of `shares` at `price` USDC base units, closing in a week.
    pub async fn terms(
        &self,
        shares: u64,
        price: u64,
        soft_cap: u64,
        cap: u64,
        allowlist: bool,
    ) -> OfferingTerms {
        OfferingTerms {
            price_per_share: price,
            shares_for_sale: shares,
            soft_cap,
            deadline: self.now().await + WEEK,
            per_investor_cap: cap,
            allowlist_required: allowlist,
        }
    }

    /// Offering `id` opened by `by`, under the market settings of `network`
    /// (the program checks they are the asset's network's).
    pub fn offer_ix_by(
        &self,
        by: &Pubkey,
        id: u16,
        terms: OfferingTerms,
        network: &Pubkey,
    ) -> Instruction {
        fractional::create_offering(
            &self.env.payer(),
            by,
            network,
            &self.keys,
            id,
            &self.usdc,
            terms,
        )
    }

    /// Offering `id` by the owner under the network's market.
    pub fn offer_ix(&self, id: u16, terms: OfferingTerms) -> Instruction {
        self.offer_ix_by(&self.owner.pubkey(), id, terms, &self.env.network)
    }

    pub async fn try_offer(&self, id: u16, terms: OfferingTerms) -> Result<Sent, ClientError> {
        self.env
            .send(&[self.offer_ix(id, terms)], &[&self.owner])
            .await
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
        let terms = self.terms(shares, price, soft_cap, cap, allowlist).await;
        self.try_offer(id, terms).await.unwrap();
    }

    /// Offering `id` of `shares` at `price` after the treasury set the
    /// network's fee to 0 (an offering cannot leave the market out).
    pub async fn offer_without_fee(&self, id: u16, shares: u64, price: u64, soft_cap: u64) {
        let ix = fractional::configure_market(
            &self.env.payer(),
            &self.env.admin.pubkey(),
            &self.env.network,
            0,
            &self.fee_recipient.pubkey(),
        );
        self.env.send(&[ix], &[&self.env.admin]).await.unwrap();
        let terms = self.terms(shares, price, soft_cap, 0, false).await;
        self.try_offer(id, terms).await.unwrap();
    }

    /// The offering's parties as the fixture sets them up: the owner manages
    /// the asset, the cluster's payer paid the offering's rent.
    pub fn parties(&self) -> OfferingParties {
        OfferingParties {
            authority: self.owner.pubkey(),
            rent_payer: self.env.payer(),
        }
    }

    pub fn cancel_ix(&self, by: &Pubkey, id: u16) -> Instruction {
        let parties = OfferingParties {
            authority: *by,
            ..self.parties()
        };
        fractional::cancel_offering(&self.env.payer(), &self.keys, id, &parties)
    }

    pub async fn cancel(&self, id: u16) -> Result<Sent, ClientError> {
        let ix = self.cancel_ix(&self.owner.pubkey(), id);
        self.env.send(&[ix], &[&self.owner]).await
    }

    // ---- investors and buying ----

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
            self.allow(&wallet.pubkey(), true).await;
        }
        Investor {
            wallet,
            usdc: usdc_account,
            shares,
            allowlisted,
        }
    }

    /// The owner as an [`Investor`]: its USDC account and a new share account.
    pub async fn owner_as_investor(&self) -> Investor {
        let shares = token::create_token_account(
            &self.env.cluster,
            &self.keys.share_mint,
            &self.owner.pubkey(),
        )
        .await
        .unwrap();
        Investor {
            wallet: self.owner.insecure_clone(),
            usdc: self.owner_usdc,
            shares,
            allowlisted: false,
        }
    }

    pub fn allow_ix(&self, by: &Pubkey, investor: &Pubkey, allowed: bool) -> Instruction {
        fractional::set_allowlist(&self.env.payer(), by, &self.env.network, investor, allowed)
    }

    /// The compliance officer (dis)allows `investor`.
    pub async fn allow(&self, investor: &Pubkey, allowed: bool) {
        let ix = self.allow_ix(&self.compliance.pubkey(), investor, allowed);
        self.env.send(&[ix], &[&self.compliance]).await.unwrap();
    }

    pub fn buy_ix(&self, investor: &Investor, id: u16, shares: u64) -> Instruction {
        fractional::buy(
            &investor.wallet.pubkey(),
            &self.keys,
            id,
            &self.env.network,
            investor.allowlisted,
            &investor.usdc,
            shares,
        )
    }

    pub async fn buy(
        &self,
        investor: &Investor,
        id: u16,
        shares: u64,
    ) -> Result<Sent, ClientError> {
        let ix = self.buy_ix(investor, id, shares);
        self.env.send(&[ix], &[&investor.wallet]).await
    }

    // ---- retained shares ----

    pub fn retain_ix(&self, by: &Pubkey, shares: u64) -> Instruction {
        fractional::retain_shares(&self.env.payer(), by, &self.env.network, &self.keys, shares)
    }

    /// The owner keeps `shares` unissued shares (earning in its holding).
    pub async fn retain(&self, shares: u64) -> Result<Sent, ClientError> {
        let ix = self.retain_ix(&self.owner.pubkey(), shares);
        self.env.send(&[ix], &[&self.owner]).await
    }

    /// `to` becomes a holder of `amount` shares the owner retains for it:
    /// withdrawn from the owner's holding, sent, deposited into `to`'s.
    pub async fn give_retained_shares(&self, to: &Investor, amount: u64) {
        self.retain(amount).await.unwrap();
        let owner = self.owner_as_investor().await;
        self.withdraw(&owner, amount).await.unwrap();
        self.transfer_shares(&owner, to, amount).await.unwrap();
        self.deposit_shares(to, amount).await.unwrap();
    }

    // ---- closing and refunds ----

    /// The fee account of the fixture's market.
    pub fn fee(&self) -> Option<Pubkey> {
        Some(self.fee_account)
    }

    pub fn close_ix_with(&self, id: u16, proceeds: &Pubkey, fee: Option<Pubkey>) -> Instruction {
        fractional::close_offering(
            &self.env.payer(),
            &self.env.network,
            &self.keys,
            id,
            &self.parties(),
            proceeds,
            fee,
        )
    }

    /// Closing by the crank (only the fee payer signs), proceeds to the
    /// owner's USDC account, fee to the fee recipient's.
    pub fn close_ix(&self, id: u16) -> Instruction {
        self.close_ix_with(id, &self.owner_usdc, self.fee())
    }

    pub async fn close(&self, id: u16) -> Result<Sent, ClientError> {
        self.env.send(&[self.close_ix(id)], &[]).await
    }

    pub fn refund_ix(&self, investor: &Investor, id: u16) -> Instruction {
        fractional::refund(
            &self.keys,
            id,
            &investor.key(),
            &investor.usdc,
            &self.env.payer(),
        )
    }

    /// Refunds `investor` (anyone may send it: only the fee payer signs).
    pub async fn refund(&self, investor: &Investor, id: u16) -> Result<Sent, ClientError> {
        let ix = self.refund_ix(investor, id);
        self.env.send(&[ix], &[]).await
    }

    pub fn deliver_ix(&self, buyer: &Pubkey, id: u16) -> Instruction {
        fractional::deliver_purchase(&self.env.payer(), &self.keys, id, buyer, &self.parties())
    }

    /// Delivers `investor`'s purchase of a successful offering (the crank).
    pub async fn deliver(&self, investor: &Investor, id: u16) -> Result<Sent, ClientError> {
        let ix = self.deliver_ix(&investor.key(), id);
        self.env.send(&[ix], &[]).await
    }

    /// Closes offering `id` and delivers (success) or refunds (failure)
    /// every buyer in `buyers`; returns the outcome (`None` when nobody
    /// bought: the record closed at once).
    pub async fn close_and_settle(&self, id: u16, buyers: &[&Investor]) -> Option<OfferingState> {
        self.close(id).await.unwrap();
        let state = self.offering_record(id).await?.state;
        for buyer in buyers {
            match state {
                OfferingState::Succeeded => self.deliver(buyer, id).await.unwrap(),
                _ => self.refund(buyer, id).await.unwrap(),
            };
        }
        Some(state)
    }

    // ---- revenue ----

    /// Someone (the operator, the crank) paying `amount` of revenue from
    /// `from`'s USDC account.
    pub async fn deposit_revenue(&self, from: &Investor, amount: u64) -> Result<Sent, ClientError> {
        let ix = revenue::deposit_revenue(
            &from.wallet.pubkey(),
            &self.keys.share_mint,
            &from.usdc,
            amount,
        );
        self.env.send(&[ix], &[&from.wallet]).await
    }

    /// `holder` claims into its USDC account.
    pub async fn claim(&self, holder: &Investor) -> Result<Sent, ClientError> {
        let ix =
            revenue::claim_revenue(&holder.wallet.pubkey(), &self.keys.share_mint, &holder.usdc);
        self.env.send(&[ix], &[&holder.wallet]).await
    }

    /// `holder` takes `amount` shares from its holding to its share account.
    pub async fn withdraw(&self, holder: &Investor, amount: u64) -> Result<Sent, ClientError> {
        let ix = revenue::withdraw_shares(
            &holder.wallet.pubkey(),
            &self.keys.share_mint,
            &holder.shares,
            amount,
        );
        self.env.send(&[ix], &[&holder.wallet]).await
    }

    /// `holder` puts `amount` shares from its share account into its holding.
    pub async fn deposit_shares(
        &self,
        holder: &Investor,
        amount: u64,
    ) -> Result<Sent, ClientError> {
        let ix = revenue::deposit_shares(
            &self.env.payer(),
            &holder.wallet.pubkey(),
            &self.keys.share_mint,
            &holder.shares,
            amount,
        );
        self.env.send(&[ix], &[&holder.wallet]).await
    }

    /// A plain SPL transfer of `amount` wallet shares.
    pub async fn transfer_shares(
        &self,
        from: &Investor,
        to: &Investor,
        amount: u64,
    ) -> Result<Sent, ClientError> {
        let ix = transfer_ix(&from.shares, &to.shares, &from.wallet.pubkey(), amount);
        self.env.send(&[ix], &[&from.wallet]).await
    }

    // ---- readers ----

    pub async fn balance(&self, account: &Pubkey) -> u64 {
        token::balance(&self.env.cluster, account).await.unwrap()
    }

    pub async fn asset(&self) -> Asset {
        fractional::asset(&self.env.cluster, &self.keys)
            .await
            .unwrap()
    }

    pub async fn offering(&self, id: u16) -> Offering {
        fractional::offering(&self.env.cluster, &self.keys, id)
            .await
            .unwrap()
    }

    /// Offering `id`, or `None` once it is settled and its record closed.
    pub async fn offering_record(&self, id: u16) -> Option<Offering> {
        fetch_optional(&self.env.cluster, &self.keys.offering(id))
            .await
            .unwrap()
    }

    /// Whether `address` holds an account (closed accounts do not).
    pub async fn exists(&self, address: &Pubkey) -> bool {
        self.env
            .cluster
            .get_account(address)
            .await
            .unwrap()
            .is_some()
    }

    pub fn escrow(&self, id: u16) -> Pubkey {
        depin_fractional::pda::escrow(&self.keys.offering(id)).0
    }

    pub fn purchase_address(&self, id: u16, buyer: &Pubkey) -> Pubkey {
        depin_fractional::pda::purchase(&self.keys.offering(id), buyer).0
    }

    pub async fn purchase(&self, id: u16, buyer: &Pubkey) -> Option<Purchase> {
        fetch_optional(&self.env.cluster, &self.purchase_address(id, buyer))
            .await
            .unwrap()
    }

    /// (shares, revenue earned) of `buyer`'s undelivered purchase in offering `id`.
    pub async fn purchase_position(&self, id: u16, buyer: &Pubkey) -> Option<(u64, u64)> {
        fractional::purchase_position(&self.env.cluster, &self.keys, id, buyer)
            .await
            .unwrap()
    }

    /// The holding offering `id` keeps its sold shares in until its outcome.
    pub async fn offering_holding(&self, id: u16) -> Option<Holding> {
        fetch_optional(&self.env.cluster, &self.keys.offering_holding(id))
            .await
            .unwrap()
    }

    pub async fn market_state(&self) -> MarketConfig {
        fetch(&self.env.cluster, &self.market_address())
            .await
            .unwrap()
    }

    pub fn allow_entry_address(&self, investor: &Pubkey) -> Pubkey {
        depin_fractional::pda::allow_entry(&self.env.network, investor).0
    }

    pub async fn allow_entry(&self, investor: &Pubkey) -> Option<AllowEntry> {
        fetch_optional(&self.env.cluster, &self.allow_entry_address(investor))
            .await
            .unwrap()
    }

    pub async fn pool(&self) -> RevenuePool {
        revenue::pool(&self.env.cluster, &self.keys.share_mint)
            .await
            .unwrap()
    }

    pub async fn holding(&self, owner: &Pubkey) -> Option<Holding> {
        revenue::holding(&self.env.cluster, &self.keys.share_mint, owner)
            .await
            .unwrap()
    }

    /// (shares earning, revenue claimable) of `owner`.
    pub async fn position(&self, owner: &Pubkey) -> (u64, u64) {
        revenue::position(&self.env.cluster, &self.keys.share_mint, owner)
            .await
            .unwrap()
    }

    /// Circulating shares.
    pub async fn supply(&self) -> u64 {
        token::mint_supply(&self.env.cluster, &self.keys.share_mint)
            .await
            .unwrap()
    }

    /// The device, the asset, offering `id`, its escrow and holding, the
    /// share mint, the revenue pool and its vaults, the market and `extra`:
    /// to show a failed instruction changed nothing.
    pub async fn snapshot(&self, id: u16, extra: &[Pubkey]) -> Snapshot {
        let mut addresses = vec![
            self.device,
            self.keys.asset,
            self.keys.offering(id),
            self.escrow(id),
            self.keys.offering_holding(id),
            self.keys.share_mint,
            self.keys.asset_shares,
            self.keys.revenue_pool,
            self.keys.share_vault,
            self.keys.revenue_vault,
            self.market_address(),
        ];
        addresses.extend_from_slice(extra);
        snapshot(&self.env, &addresses).await
    }
}

impl Market {
    // ---- asset control ----

    pub fn transfer_asset_ix(&self, by: &Pubkey, to: &Pubkey) -> depin_client::Instruction {
        fractional::transfer_asset(by, &self.env.network, &self.keys, to)
    }

    pub fn retire_ix(&self, by: &Pubkey) -> depin_client::Instruction {
        fractional::retire_asset(by, &self.env.network, &self.keys)
    }

    pub fn operator_ix(&self, by: &Pubkey, operator: &Pubkey) -> depin_client::Instruction {
        fractional::set_asset_operator(by, &self.env.network, &self.keys, operator)
    }

    /// The registry's own owner-only instructions, tried by the former owner.
    pub fn registry_owner_ixs(&self, by: &Pubkey, to: &Pubkey) -> Vec<depin_client::Instruction> {
        let (network, key) = (&self.env.network, &self.device_key);
        vec![
            registry::transfer_device(by, network, key, to),
            registry::set_device_operator(by, network, key, to),
            registry::retire_device(by, network, key),
            registry::close_device(by, network, key),
        ]
    }
}

pub struct Investor {
    pub wallet: Keypair,
    pub usdc: Pubkey,
    pub shares: Pubkey,
    pub allowlisted: bool,
}

impl Investor {
    pub fn key(&self) -> Pubkey {
        self.wallet.pubkey()
    }
}

/// A plain SPL transfer of `amount` from `source` (owned by `owner`).
pub fn transfer_ix(
    source: &Pubkey,
    destination: &Pubkey,
    owner: &Pubkey,
    amount: u64,
) -> Instruction {
    spl_token::instruction::transfer(&spl_token::ID, source, destination, owner, &[], amount)
        .unwrap()
}

// ---- revenue instructions the client has no builder for (only the
// fractional program sends them, through CPI) ----

fn revenue_ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: depin_revenue::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// `create_pool` sent directly, `issuer` signing.
pub fn create_pool_ix(
    payer: &Pubkey,
    issuer: &Pubkey,
    share_mint: &Pubkey,
    payment_mint: &Pubkey,
) -> Instruction {
    let pool = depin_revenue::pda::pool(share_mint).0;
    revenue_ix(
        depin_revenue::accounts::CreatePool {
            payer: *payer,
            issuer: *issuer,
            share_mint: *share_mint,
            payment_mint: *payment_mint,
            pool,
            share_vault: depin_revenue::pda::share_vault(&pool).0,
            revenue_vault: depin_revenue::pda::revenue_vault(&pool).0,
            token_program: token::TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        depin_revenue::instruction::CreatePool {},
    )
}

/// `issuer_credit` sent directly: `issuer` credits `amount` shares of
/// `pool` to `owner`'s holding.
pub fn issuer_credit_ix(
    payer: &Pubkey,
    issuer: &Pubkey,
    pool: &Pubkey,
    owner: &Pubkey,
    amount: u64,
) -> Instruction {
    revenue_ix(
        depin_revenue::accounts::IssuerCredit {
            payer: *payer,
            issuer: *issuer,
            pool: *pool,
            holding: depin_revenue::pda::holding(pool, owner).0,
            share_vault: depin_revenue::pda::share_vault(pool).0,
            system_program: SYSTEM_PROGRAM,
        },
        depin_revenue::instruction::IssuerCredit {
            owner: *owner,
            amount,
        },
    )
}

/// `open_holding` sent directly: `issuer` opens `owner`'s holding.
pub fn open_holding_ix(
    payer: &Pubkey,
    issuer: &Pubkey,
    pool: &Pubkey,
    owner: &Pubkey,
) -> Instruction {
    revenue_ix(
        depin_revenue::accounts::OpenHolding {
            payer: *payer,
            issuer: *issuer,
            pool: *pool,
            holding: depin_revenue::pda::holding(pool, owner).0,
            system_program: SYSTEM_PROGRAM,
        },
        depin_revenue::instruction::OpenHolding { owner: *owner },
    )
}

/// `issuer_transfer` sent directly: `issuer` moves `shares` and `revenue`
/// from `from`'s holding to `to`'s.
pub fn issuer_transfer_ix(
    payer: &Pubkey,
    issuer: &Pubkey,
    pool: &Pubkey,
    from: &Pubkey,
    to: &Pubkey,
    shares: u64,
    revenue: u64,
) -> Instruction {
    revenue_ix(
        depin_revenue::accounts::IssuerTransfer {
            payer: *payer,
            issuer: *issuer,
            pool: *pool,
            from: depin_revenue::pda::holding(pool, from).0,
            to: depin_revenue::pda::holding(pool, to).0,
            system_program: SYSTEM_PROGRAM,
        },
        depin_revenue::instruction::IssuerTransfer {
            to_owner: *to,
            shares,
            revenue,
        },
    )
}

/// `issuer_dissolve` sent directly: `issuer` empties and closes `owner`'s
/// holding (shares to `destination`, revenue to the others or `fallback`).
pub fn issuer_dissolve_ix(
    payer: &Pubkey,
    issuer: &Pubkey,
    pool: &Pubkey,
    owner: &Pubkey,
    fallback: &Pubkey,
    destination: &Pubkey,
) -> Instruction {
    revenue_ix(
        depin_revenue::accounts::IssuerDissolve {
            payer: *payer,
            issuer: *issuer,
            pool: *pool,
            holding: depin_revenue::pda::holding(pool, owner).0,
            fallback: depin_revenue::pda::holding(pool, fallback).0,
            share_vault: depin_revenue::pda::share_vault(pool).0,
            shares_destination: *destination,
            rent_destination: *payer,
            token_program: token::TOKEN_PROGRAM_ID,
            system_program: SYSTEM_PROGRAM,
        },
        depin_revenue::instruction::IssuerDissolve {
            fallback_owner: *fallback,
            return_revenue: true,
        },
    )
}

// ---- shared checks ----

/// The permission checks of a role-gated fractional instruction (see
/// `assert_member_permission_checks`); someone else's member record fails
/// the instruction's `has_one` with `FractionalError::MissingPermission`.
pub async fn assert_requires_permission(
    env: &Env,
    ix: impl Fn(&Pubkey) -> Instruction,
    needed: u16,
) {
    let borrowed = u32::from(FractionalError::MissingPermission);
    assert_member_permission_checks(env, ix, needed, borrowed).await;
}
