//! The fractional tests' market (a network with a 2.5% market fee, a
//! USDC-like mint, a battery tokenized into 1,000 shares) plus a battery
//! its host owns outright, a customer with 100 USDC, and builders and
//! readers for every payments step the tests take. Sessions are opened and
//! settled through the client's high-level functions (`open_session_instructions`,
//! `settle_reading_instructions`), the way the CLI and the crank use them.

use depin_client::device_signer::{sign_reading, ReadingTarget, SignedReading};
use depin_client::fractional::AssetKeys;
use depin_client::payments::{
    self, MeterReading, MeterUnit, OpenSessionArgs, Session, SessionKeys, SessionOpening,
    SettlementAccounts, Tariff, TariffTerms,
};
use depin_client::{fractional, registry, token, ClientError, Instruction, Keypair};
use depin_client::{Pubkey, Sent, Signer};
use depin_tests::market::{Investor, Market, USDC};
use depin_tests::{snapshot, Snapshot};

pub use depin_client::depin_payments::errors::PaymentsError;

/// 0.25 USDC per kWh: 250 USDC base units per Wh.
pub const PRICE: u64 = 250;
pub const MIN_DEPOSIT: u64 = USDC;
pub const DEPOSIT: u64 = 10 * USDC;
/// Sessions last at most four hours.
pub const SESSION_SECS: u32 = 4 * 3_600;
/// The operator's cut: 10%.
pub const CUT_BPS: u16 = 1_000;
pub const HOUR: i64 = 3_600;
/// What the customer starts with.
pub const CUSTOMER_USDC: u64 = 100 * USDC;

/// The fixture's tariff.
pub fn terms() -> TariffTerms {
    TariffTerms {
        unit: MeterUnit::WattHour,
        price_per_unit: PRICE,
        min_deposit: MIN_DEPOSIT,
        max_session_secs: SESSION_SECS,
        operator_cut_bps: CUT_BPS,
    }
}

/// A battery that sells energy (13.5 kWh: at most 1.35 x 13,500 Wh per hour).
pub struct Station {
    /// The battery's own key (signs its readings).
    pub key: Keypair,
    /// Its device record.
    pub device: Pubkey,
    /// The record's `owner`: the host's wallet, or the asset when tokenized.
    pub owner_account: Pubkey,
    /// Sets its tariff: the owner, or the asset's authority.
    pub controller: Keypair,
    /// The controller's associated USDC account: the machine's part goes
    /// there unless the revenue pool takes it (the client picks a payee's
    /// associated account on the in-process bank, which cannot list the
    /// others, and creates it when missing).
    pub payout: Pubkey,
}

pub struct Pay {
    pub m: Market,
    /// A battery owned outright by its host (tariff set by `Pay::new`).
    pub station: Station,
    /// The market's tokenized battery, managed by `m.owner` (tariff set by
    /// `Pay::new`; no share sold yet).
    pub battery: Station,
    pub customer: Keypair,
    /// The customer's associated USDC account, holding `CUSTOMER_USDC`.
    pub customer_usdc: Pubkey,
    /// The market fee recipient's associated USDC account, where sessions
    /// pay the fee (created by the first session that needs it).
    pub fee_account: Pubkey,
}

impl Pay {
    /// Both batteries with the fixture's tariff.
    pub async fn new() -> Pay {
        let p = Pay::bare().await;
        p.set_tariff(&p.station, terms()).await.unwrap();
        p.set_tariff(&p.battery, terms()).await.unwrap();
        p
    }

    /// No tariff set yet.
    pub async fn bare() -> Pay {
        let m = Market::new().await;
        let station = Self::owned_station(&m).await;
        let battery = Station {
            key: m.device_signer.insecure_clone(),
            device: m.device,
            owner_account: m.keys.asset,
            controller: m.owner.insecure_clone(),
            payout: token::associated_address(&m.owner.pubkey(), &m.usdc),
        };
        let customer = m.env.wallet().await;
        let customer_usdc = associated_account(&m, &customer.pubkey()).await;
        token::mint_to(
            &m.env.cluster,
            &m.usdc,
            &customer_usdc,
            &m.env.admin,
            CUSTOMER_USDC,
        )
        .await
        .unwrap();
        let fee_account = token::associated_address(&m.fee_recipient.pubkey(), &m.usdc);
        Pay {
            m,
            station,
            battery,
            customer,
            customer_usdc,
            fee_account,
        }
    }

    /// A new battery of the market's network owned by a new host, with the
    /// host's USDC account.
    async fn owned_station(m: &Market) -> Station {
        let host = m.env.wallet().await;
        let (key, device) = m.new_device(&host.pubkey()).await;
        let payout = associated_account(m, &host.pubkey()).await;
        Station {
            key,
            device,
            owner_account: host.pubkey(),
            controller: host,
            payout,
        }
    }

    pub async fn new_station(&self) -> Station {
        Self::owned_station(&self.m).await
    }

    pub fn cluster(&self) -> &depin_client::local::LocalCluster {
        &self.m.env.cluster
    }

    pub fn payer(&self) -> Pubkey {
        self.m.env.payer()
    }

    pub async fn send(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent, ClientError> {
        self.m.env.send(ixs, signers).await
    }

    pub async fn balance(&self, account: &Pubkey) -> u64 {
        self.m.balance(account).await
    }

    pub async fn lamports(&self, address: &Pubkey) -> u64 {
        self.m.env.lamports(address).await
    }

    pub async fn exists(&self, address: &Pubkey) -> bool {
        self.m.exists(address).await
    }

    pub async fn now(&self) -> i64 {
        self.m.now().await
    }

    pub async fn advance(&self, seconds: i64) {
        self.m.advance(seconds).await
    }

    /// A new wallet with a USDC account holding `usdc`.
    pub async fn usdc_wallet(&self, usdc: u64) -> (Keypair, Pubkey) {
        let investor = self.m.investor(usdc, false).await;
        (investor.wallet, investor.usdc)
    }

    // ---- market ----

    /// The treasury sets the market fee (and its recipient: the fixture's).
    pub async fn set_market_fee(&self, fee_bps: u16) {
        let ix = fractional::configure_market(
            &self.payer(),
            &self.m.env.admin.pubkey(),
            &self.m.env.network,
            fee_bps,
            &self.m.fee_recipient.pubkey(),
        );
        self.send(&[ix], &[&self.m.env.admin]).await.unwrap();
    }

    // ---- tariffs ----

    pub fn set_tariff_ix(
        &self,
        s: &Station,
        controller: &Pubkey,
        terms: TariffTerms,
    ) -> Instruction {
        payments::set_tariff(
            &self.payer(),
            controller,
            &self.m.env.network,
            &s.device,
            &s.owner_account,
            &self.m.usdc,
            terms,
        )
    }

    /// The station's controller sets its tariff in USDC.
    pub async fn set_tariff(&self, s: &Station, terms: TariffTerms) -> Result<Sent, ClientError> {
        let ix = self.set_tariff_ix(s, &s.controller.pubkey(), terms);
        self.send(&[ix], &[&s.controller]).await
    }

    pub fn pause_ix(&self, s: &Station, controller: &Pubkey, paused: bool) -> Instruction {
        payments::set_tariff_paused(controller, &s.device, &s.owner_account, paused)
    }

    pub async fn pause(&self, s: &Station, paused: bool) -> Result<Sent, ClientError> {
        let ix = self.pause_ix(s, &s.controller.pubkey(), paused);
        self.send(&[ix], &[&s.controller]).await
    }

    pub async fn tariff(&self, s: &Station) -> Tariff {
        payments::tariff(self.cluster(), &s.device).await.unwrap()
    }

    pub async fn tariff_optional(&self, s: &Station) -> Option<Tariff> {
        payments::tariff_optional(self.cluster(), &s.device)
            .await
            .unwrap()
    }

    // ---- device records ----

    /// The host (owner) of an owned station names its operator.
    pub async fn set_operator(&self, s: &Station, operator: &Pubkey) {
        let ix = registry::set_device_operator(
            &s.controller.pubkey(),
            &self.m.env.network,
            &s.key.pubkey(),
            operator,
        );
        self.send(&[ix], &[&s.controller]).await.unwrap();
    }

    /// The network suspends the station (its admin holds every role).
    pub async fn suspend(&self, s: &Station) {
        let ix = registry::suspend_device(
            &self.m.env.admin.pubkey(),
            &self.m.env.network,
            &s.key.pubkey(),
            7,
        );
        self.send(&[ix], &[&self.m.env.admin]).await.unwrap();
    }

    pub async fn resume(&self, s: &Station) {
        let ix = registry::resume_device(
            &self.m.env.admin.pubkey(),
            &self.m.env.network,
            &s.key.pubkey(),
        );
        self.send(&[ix], &[&self.m.env.admin]).await.unwrap();
    }

    /// The owner retires an owned station.
    pub async fn retire(&self, s: &Station) {
        let ix =
            registry::retire_device(&s.controller.pubkey(), &self.m.env.network, &s.key.pubkey());
        self.send(&[ix], &[&s.controller]).await.unwrap();
    }

    /// Retires, closes and registers the owned station again (same key,
    /// same owner): a new registration of the same device record address.
    pub async fn reregister(&self, s: &Station) {
        self.retire(s).await;
        let ix =
            registry::close_device(&s.controller.pubkey(), &self.m.env.network, &s.key.pubkey());
        self.send(&[ix], &[&s.controller]).await.unwrap();
        let (_, mut record) = depin_tests::Env::new_device(&s.controller.pubkey());
        record.device_key = s.key.pubkey();
        self.m
            .env
            .register(&self.m.maker, &s.key, &record)
            .await
            .unwrap();
    }

    pub async fn registration(&self, s: &Station) -> u32 {
        self.m.env.device_state(&s.key.pubkey()).await.registration
    }

    // ---- sessions ----

    pub fn session_address(&self, s: &Station, id: u64) -> Pubkey {
        payments::session_address(&s.device, &self.customer.pubkey(), id)
    }

    pub fn escrow(&self, session: &Pubkey) -> Pubkey {
        payments::escrow_address(session)
    }

    /// The opening the client plans for the customer at `s` (the market
    /// fee account when the market charges a fee).
    pub fn opening(&self, s: &Station, fee_account: Option<Pubkey>) -> SessionOpening {
        SessionOpening {
            payer: self.payer(),
            customer: self.customer.pubkey(),
            network: self.m.env.network,
            device: s.device,
            payment_mint: self.m.usdc,
            customer_source: self.customer_usdc,
            fee_account,
        }
    }

    /// `open_session` for the customer as built by hand.
    pub fn open_ix(&self, s: &Station, id: u64, deposit: u64, fee: Option<Pubkey>) -> Instruction {
        payments::open_session(&self.opening(s, fee), OpenSessionArgs { id, deposit })
    }

    /// The customer opens session `id` at `s` through the client's planner.
    pub async fn try_open(
        &self,
        s: &Station,
        id: u64,
        deposit: u64,
    ) -> Result<Pubkey, ClientError> {
        let plan = payments::open_session_instructions(
            self.cluster(),
            &self.payer(),
            &self.customer.pubkey(),
            &s.device,
            OpenSessionArgs { id, deposit },
            None,
        )
        .await?;
        self.send(&plan.instructions, &[&self.customer]).await?;
        Ok(plan.session)
    }

    pub async fn open(&self, s: &Station, id: u64, deposit: u64) -> Pubkey {
        self.try_open(s, id, deposit)
            .await
            .unwrap_or_else(|e| panic!("open_session: {e}\n{}", e.logs().join("\n")))
    }

    /// The customer opens session `id` at `s` with `renter` paying both
    /// rents (the cluster's payer pays the fee), so the rents' way back can
    /// be followed to the lamport.
    pub async fn open_paid_by(
        &self,
        s: &Station,
        id: u64,
        deposit: u64,
        renter: &Keypair,
    ) -> Pubkey {
        let fee = self.fee_account_for_opening().await;
        let mut opening = self.opening(s, fee);
        opening.payer = renter.pubkey();
        let ix = payments::open_session(&opening, OpenSessionArgs { id, deposit });
        self.send(&[ix], &[&self.customer, renter]).await.unwrap();
        self.session_address(s, id)
    }

    /// The fee account an opening names now (created when missing).
    async fn fee_account_for_opening(&self) -> Option<Pubkey> {
        let market = fractional::market(self.cluster(), &self.m.env.network)
            .await
            .unwrap()?;
        if market.fee_bps == 0 {
            return None;
        }
        associated_account(&self.m, &self.m.fee_recipient.pubkey()).await;
        Some(self.fee_account)
    }

    /// Both rents of `session` (the session and its escrow).
    pub async fn rents(&self, session: &Pubkey) -> u64 {
        self.lamports(session).await + self.lamports(&self.escrow(session)).await
    }

    pub async fn session(&self, session: &Pubkey) -> Session {
        payments::session(self.cluster(), session).await.unwrap()
    }

    pub async fn session_optional(&self, session: &Pubkey) -> Option<Session> {
        payments::session_optional(self.cluster(), session)
            .await
            .unwrap()
    }

    pub async fn keys(&self, session: &Pubkey) -> SessionKeys {
        SessionKeys::of(&self.session(session).await)
    }

    // ---- readings ----

    pub async fn target(&self, session: &Pubkey) -> ReadingTarget {
        payments::reading_target(self.cluster(), session)
            .await
            .unwrap()
    }

    /// `s`'s device signs a reading of `session`.
    pub async fn sign(
        &self,
        s: &Station,
        session: &Pubkey,
        units: u64,
        sequence: u64,
        is_final: bool,
    ) -> SignedReading {
        let reading = MeterReading {
            units,
            sequence,
            is_final,
        };
        sign_reading(&self.target(session).await, reading, &s.key)
    }

    /// The accounts the client reads for settling `session`.
    pub async fn accounts(&self, session: &Pubkey) -> SettlementAccounts {
        payments::settlement_accounts(self.cluster(), session)
            .await
            .unwrap()
    }

    /// The client's settlement of `signed`, sent by the cluster's payer:
    /// neither the customer nor the device signs.
    pub async fn settle(&self, signed: &SignedReading) -> Result<Sent, ClientError> {
        let ixs =
            payments::settle_reading_instructions(self.cluster(), &self.payer(), signed).await?;
        self.send(&ixs, &[]).await
    }

    /// Signs and settles a reading.
    pub async fn read(
        &self,
        s: &Station,
        session: &Pubkey,
        units: u64,
        sequence: u64,
        is_final: bool,
    ) -> Result<Sent, ClientError> {
        let signed = self.sign(s, session, units, sequence, is_final).await;
        self.settle(&signed).await
    }

    /// `settle` of `signed` with `accounts` (as the client read them, or
    /// altered), sent by the cluster's payer.
    pub async fn settle_with(
        &self,
        accounts: &SettlementAccounts,
        signed: &SignedReading,
    ) -> Result<Sent, ClientError> {
        self.send(&payments::settle_instructions(accounts, signed), &[])
            .await
    }

    pub async fn reclaim(&self, session: &Pubkey) -> Result<Sent, ClientError> {
        let ix = payments::reclaim(session, &self.keys(session).await);
        self.send(&[ix], &[]).await
    }

    // ---- revenue ----

    /// Sells 400 of the battery's 1,000 shares at 1 USDC (`a` 300, `b`
    /// 100); the sold-out offering closes at once and the purchases are
    /// delivered: the pool earns for a (75%) and b (25%).
    pub async fn holders(&self) -> (Investor, Investor) {
        self.m.offer(0, 400, USDC, 0, 0, false).await;
        let a = self.m.investor(1_000 * USDC, false).await;
        let b = self.m.investor(1_000 * USDC, false).await;
        self.m.buy(&a, 0, 300).await.unwrap();
        self.m.buy(&b, 0, 100).await.unwrap();
        self.m.close_and_settle(0, &[&a, &b]).await;
        (a, b)
    }

    /// The host tokenizes an owned station into 1,000 shares paid in USDC
    /// and sells `shares` of them (1 USDC each) to a new investor, whose
    /// shares earn from the purchase on.
    pub async fn tokenize_and_sell(&self, s: &Station, shares: u64) -> (AssetKeys, Investor) {
        let network = &self.m.env.network;
        let host = &s.controller;
        let ix = fractional::create_asset(
            &self.payer(),
            &host.pubkey(),
            network,
            &s.device,
            &self.m.usdc,
            1_000,
        );
        self.send(&[ix], &[host]).await.unwrap();
        let keys = AssetKeys::of_device(&s.device);
        let terms = self.m.terms(shares, USDC, 0, 0, false).await;
        let ix = fractional::create_offering(
            &self.payer(),
            &host.pubkey(),
            network,
            &keys,
            0,
            &self.m.usdc,
            terms,
        );
        self.send(&[ix], &[host]).await.unwrap();
        let investor = self.m.investor(shares * USDC, false).await;
        let ix = fractional::buy(
            &investor.key(),
            &keys,
            0,
            network,
            false,
            &investor.usdc,
            shares,
        );
        self.send(&[ix], &[&investor.wallet]).await.unwrap();
        assert_eq!(
            depin_client::revenue::pool(self.cluster(), &keys.share_mint)
                .await
                .unwrap()
                .total_weight,
            u128::from(shares)
        );
        (keys, investor)
    }

    /// The escrow, the session, the payout accounts and the pool: to show a
    /// refused settlement moved nothing.
    pub async fn snapshot(&self, session: &Pubkey, extra: &[Pubkey]) -> Snapshot {
        let mut addresses = vec![
            *session,
            self.escrow(session),
            self.customer_usdc,
            self.station.payout,
            self.battery.payout,
            self.fee_account,
            self.m.keys.revenue_pool,
            self.m.keys.revenue_vault,
        ];
        addresses.extend_from_slice(extra);
        snapshot(&self.m.env, &addresses).await
    }
}

/// `owner`'s associated USDC account, created.
pub async fn associated_account(m: &Market, owner: &Pubkey) -> Pubkey {
    let ix = token::create_associated_idempotent(&m.env.payer(), owner, &m.usdc);
    m.env.send(&[ix], &[]).await.unwrap();
    token::associated_address(owner, &m.usdc)
}

/// The charge for `units` at the fixture's price.
pub fn cost(units: u64) -> u64 {
    units * PRICE
}

/// Floor of `amount x bps / 10^4`.
pub fn bps(amount: u64, bps: u16) -> u64 {
    (u128::from(amount) * u128::from(bps) / 10_000) as u64
}

/// The most Wh the fixture's 13.5 kWh battery may deliver in `secs`.
pub fn max_wh(secs: i64) -> u64 {
    (135 * 13_500 * secs as u128 / (100 * 3_600)) as u64
}
