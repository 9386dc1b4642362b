//! Solana Pay transaction requests over real HTTP on loopback, against an
//! in-process bank: the wallet's view (GET label and icon, POST account,
//! decode the transaction, sign it with the customer's key alone, send it),
//! every refusal, and CORS.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use depin_client::depin_registry::pda as registry_pda;
use depin_client::local::LocalCluster;
use depin_client::payments::{self, MeterUnit, OpenSessionArgs, SessionOpening, TariffTerms};
use depin_client::rewards::Guards;
use depin_client::{registry, token, ClientError, Cluster, Hash, Keypair, Pubkey, Signer};
use depin_crank::http;
use depin_crank::solana_pay::{
    pay_link, LatestBlockhash, PayConfig, PayState, SessionPlanner, ICON_SVG,
};
use reqwest::header::HeaderMap;
use serde_json::Value;
use solana_transaction::Transaction;

use crate::world::{fund, World, SOL};

/// 6 decimals: 2 tokens.
const MIN_DEPOSIT: u64 = 2_000_000;
/// 0.0003 tokens per Wh.
const PRICE_PER_WH: u64 = 300;
const CUSTOMER_TOKENS: u64 = 10_000_000;
const LABEL: &str = "Acme Charging";

/// The latest blockhash from the bank, or an RPC outage on demand.
struct BankBlockhash {
    bank: Arc<LocalCluster>,
    down: AtomicBool,
}

#[async_trait(?Send)]
impl LatestBlockhash for BankBlockhash {
    async fn latest_blockhash(&self) -> Result<Hash, ClientError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(ClientError::Transport {
                method: "getLatestBlockhash".into(),
                reason: "the test RPC node is down".into(),
            });
        }
        self.bank
            .banks()
            .get_latest_blockhash()
            .await
            .map_err(|e| ClientError::Cluster(e.to_string()))
    }
}

/// A network with three batteries, a payment mint, and the pay endpoints
/// served on loopback.
struct Shop {
    cluster: Arc<LocalCluster>,
    world: World,
    mint: Pubkey,
    mint_authority: Keypair,
    blockhash: Arc<BankBlockhash>,
    url: String,
    client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn assert_refused(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.body["error"], code, "{}", self.body);
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}",
            self.body
        );
        assert_any_origin(&self.headers);
    }
}

fn assert_any_origin(headers: &HeaderMap) {
    assert_eq!(
        headers
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some("*"),
        "{headers:?}"
    );
}

fn terms() -> TariffTerms {
    TariffTerms {
        unit: MeterUnit::WattHour,
        price_per_unit: PRICE_PER_WH,
        min_deposit: MIN_DEPOSIT,
        max_session_secs: 7_200,
        operator_cut_bps: 0,
    }
}

impl Shop {
    async fn open() -> Shop {
        let cluster = Arc::new(LocalCluster::start().await);
        let world = World::build(cluster.as_ref(), Guards::SINGLE_ORACLE, 86_400).await;
        let mint_authority = Keypair::new();
        let mint = token::create_mint(cluster.as_ref(), &mint_authority.pubkey(), 6)
            .await
            .unwrap();
        let blockhash = Arc::new(BankBlockhash {
            bank: Arc::clone(&cluster),
            down: AtomicBool::new(false),
        });
        let planner =
            SessionPlanner::spawn(Arc::clone(&cluster), blockhash.clone(), world.network).unwrap();
        let app = depin_crank::solana_pay::router(PayState {
            planner: Arc::new(planner),
            config: Arc::new(PayConfig {
                network: world.network,
                // The icon's URL follows the request's Host.
                public_url: None,
                label: LABEL.into(),
            }),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(http::serve(listener, app, async {
            let _ = stopped.await;
        }));
        Shop {
            cluster,
            world,
            mint,
            mint_authority,
            blockhash,
            url,
            client: reqwest::Client::new(),
            stop: Some(stop),
            server: Some(server),
        }
    }

    async fn close(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.server.take().unwrap().await.unwrap().unwrap();
    }

    /// Battery `i`'s device account address.
    fn device(&self, i: usize) -> Pubkey {
        registry_pda::device(&self.world.network, &self.world.owners[i].device.pubkey()).0
    }

    /// Battery `i`'s owner sets its tariff.
    async fn set_tariff(&self, i: usize) {
        let owner = &self.world.owners[i].owner;
        let ix = payments::set_tariff(
            &self.cluster.payer().pubkey(),
            &owner.pubkey(),
            &self.world.network,
            &self.device(i),
            &owner.pubkey(),
            &self.mint,
            terms(),
        );
        self.cluster.send(&[ix], &[owner]).await.unwrap();
    }

    /// A wallet with SOL and, when `tokens` is given, an associated account
    /// of the payment mint holding them.
    async fn customer(&self, tokens: Option<u64>) -> Keypair {
        let customer = Keypair::new();
        fund(self.cluster.as_ref(), &customer.pubkey(), SOL).await;
        if let Some(tokens) = tokens {
            let ix = token::create_associated_idempotent(
                &self.cluster.payer().pubkey(),
                &customer.pubkey(),
                &self.mint,
            );
            self.cluster.send(&[ix], &[]).await.unwrap();
            let account = self.account_of(&customer.pubkey());
            token::mint_to(
                self.cluster.as_ref(),
                &self.mint,
                &account,
                &self.mint_authority,
                tokens,
            )
            .await
            .unwrap();
        }
        customer
    }

    /// The customer's associated account of the payment mint.
    fn account_of(&self, customer: &Pubkey) -> Pubkey {
        token::associated_address(customer, &self.mint)
    }

    async fn tokens(&self, account: &Pubkey) -> u64 {
        token::balance(self.cluster.as_ref(), account)
            .await
            .unwrap()
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("HTTP {status} answered non-JSON {text:?}: {e}"))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(self.client.get(format!("{}{path}", self.url)))
            .await
    }

    async fn post_raw(&self, path: &str, body: &str) -> Answer {
        self.send(
            self.client
                .post(format!("{}{path}", self.url))
                .header("content-type", "application/json")
                .header("origin", "https://wallet.example")
                .body(body.to_string()),
        )
        .await
    }

    /// What a wallet sends: `{"account": "<base58>"}`.
    async fn post(&self, path: &str, account: &Pubkey) -> Answer {
        self.post_raw(path, &format!(r#"{{"account":"{account}"}}"#))
            .await
    }
}

fn sessions_path(device: &Pubkey, deposit: Option<u64>) -> String {
    match deposit {
        Some(deposit) => format!("/v1/pay/sessions/{device}?deposit={deposit}"),
        None => format!("/v1/pay/sessions/{device}"),
    }
}

/// Decodes a POST answer's transaction as a wallet does and checks what a
/// wallet checks: only `customer` signs, and pays the fee; nobody signed
/// yet; a blockhash is set; it opens session `id` of `customer` at
/// `device` with `deposit` from the customer's associated account, and
/// does nothing else.
fn check_offer(
    shop: &Shop,
    answer: &Answer,
    customer: &Pubkey,
    device: &Pubkey,
) -> (Transaction, Pubkey, u64) {
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_any_origin(&answer.headers);
    let body = &answer.body;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body["transaction"].as_str().unwrap())
        .unwrap();
    assert!(bytes.len() <= 1_232, "{} bytes: over a packet", bytes.len());
    let transaction: Transaction = wincode::deserialize(&bytes).unwrap();
    assert_eq!(wincode::serialize(&transaction).unwrap(), bytes);
    let message = &transaction.message;
    assert_eq!(message.header.num_required_signatures, 1);
    assert_eq!(message.account_keys[0], *customer, "the fee payer");
    assert_eq!(
        transaction.signatures,
        vec![depin_client::Signature::default()],
        "nobody signed yet"
    );
    assert_ne!(message.recent_blockhash, Hash::default());

    let id: u64 = body["session_id"].as_str().unwrap().parse().unwrap();
    let deposit: u64 = body["deposit"].as_str().unwrap().parse().unwrap();
    let session = payments::session_address(device, customer, id);
    assert_eq!(body["session"], session.to_string());
    let message_text = body["message"].as_str().unwrap();
    assert!(
        message_text.contains("per Wh") && message_text.contains("up to 2 h"),
        "{message_text}"
    );

    // The one instruction is the client's open_session, as the customer.
    let expected = payments::open_session(
        &SessionOpening {
            payer: *customer,
            customer: *customer,
            network: shop.world.network,
            device: *device,
            payment_mint: shop.mint,
            customer_source: shop.account_of(customer),
            fee_account: None,
        },
        OpenSessionArgs { id, deposit },
    );
    assert_eq!(message.instructions.len(), 1);
    let compiled = &message.instructions[0];
    assert_eq!(
        message.account_keys[usize::from(compiled.program_id_index)],
        depin_client::depin_payments::ID
    );
    assert_eq!(compiled.data, expected.data);
    let keys: Vec<Pubkey> = compiled
        .accounts
        .iter()
        .map(|&i| message.account_keys[usize::from(i)])
        .collect();
    let expected_keys: Vec<Pubkey> = expected.accounts.iter().map(|m| m.pubkey).collect();
    assert_eq!(keys, expected_keys);
    (transaction, session, deposit)
}

impl Shop {
    /// Signs with the customer's key alone and sends through the bank.
    async fn sign_and_send(&self, mut transaction: Transaction, customer: &Keypair) {
        let blockhash = transaction.message.recent_blockhash;
        transaction.try_sign(&[customer], blockhash).unwrap();
        let payer = self.cluster.payer().pubkey();
        let payer_before = self.cluster.lamports(&payer).await.unwrap();
        let customer_before = self.cluster.lamports(&customer.pubkey()).await.unwrap();
        self.cluster
            .banks()
            .process_transaction(transaction)
            .await
            .unwrap();
        assert_eq!(
            self.cluster.lamports(&payer).await.unwrap(),
            payer_before,
            "the crank's payer paid nothing"
        );
        assert!(
            self.cluster.lamports(&customer.pubkey()).await.unwrap() < customer_before - 5_000,
            "the customer paid the fee and the rents"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wallet_gets_signs_and_sends_the_session_transaction() {
    let shop = Shop::open().await;
    shop.set_tariff(0).await;
    let device = shop.device(0);
    let customer = shop.customer(Some(CUSTOMER_TOKENS)).await;
    let account = shop.account_of(&customer.pubkey());

    // The QR code's URL: plain without a query, encoded with one.
    let link = pay_link(&shop.url, &device, Some(3_000_000)).unwrap();
    assert_eq!(
        link.link,
        format!("{}{}", shop.url, sessions_path(&device, Some(3_000_000)))
    );
    assert!(
        link.url.starts_with("solana:http%3A%2F%2F127.0.0.1%3A"),
        "{}",
        link.url
    );

    // GET: label and icon, the icon an absolute URL the crank serves.
    let path = sessions_path(&device, Some(3_000_000));
    let described = shop.get(&path).await;
    assert_eq!(described.status, 200, "{}", described.body);
    assert_any_origin(&described.headers);
    assert_eq!(described.body["label"], LABEL);
    let icon_url = described.body["icon"].as_str().unwrap();
    assert_eq!(icon_url, format!("{}/v1/pay/icon.svg", shop.url));
    let icon = shop.client.get(icon_url).send().await.unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    assert_any_origin(icon.headers());
    assert_eq!(icon.text().await.unwrap(), ICON_SVG);

    // The CORS preflight a browser wallet sends before its POST.
    let preflight = shop
        .client
        .request(reqwest::Method::OPTIONS, format!("{}{path}", shop.url))
        .header("origin", "https://wallet.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    let headers = preflight.headers();
    assert_any_origin(headers);
    let allowed = |name: &str| headers[name].to_str().unwrap().to_ascii_lowercase();
    assert!(allowed("access-control-allow-methods").contains("post"));
    assert!(allowed("access-control-allow-headers").contains("content-type"));

    // POST with the deposit of the link.
    let offered = shop.post(&path, &customer.pubkey()).await;
    let (transaction, session, deposit) = check_offer(&shop, &offered, &customer.pubkey(), &device);
    assert_eq!(deposit, 3_000_000);
    shop.sign_and_send(transaction, &customer).await;
    let opened = payments::session(shop.cluster.as_ref(), &session)
        .await
        .unwrap();
    assert_eq!(
        (
            opened.device,
            opened.customer,
            opened.deposit,
            opened.settled
        ),
        (device, customer.pubkey(), 3_000_000, 0)
    );
    assert_eq!(
        (opened.rent_payer, opened.refund_account),
        (customer.pubkey(), account)
    );
    assert_eq!(opened.price_per_unit, PRICE_PER_WH);
    assert_eq!(
        shop.tokens(&payments::escrow_address(&session)).await,
        3_000_000
    );
    assert_eq!(shop.tokens(&account).await, CUSTOMER_TOKENS - 3_000_000);

    // A second scan of a link without a deposit: the tariff's minimum, in a
    // session of its own next to the first.
    let again = shop
        .post(&sessions_path(&device, None), &customer.pubkey())
        .await;
    let (transaction, second, deposit) = check_offer(&shop, &again, &customer.pubkey(), &device);
    assert_eq!(deposit, MIN_DEPOSIT);
    assert_ne!(second, session);
    shop.sign_and_send(transaction, &customer).await;
    assert_eq!(
        shop.tokens(&payments::escrow_address(&second)).await,
        MIN_DEPOSIT
    );
    assert_eq!(
        shop.tokens(&payments::escrow_address(&session)).await,
        3_000_000
    );
    assert_eq!(
        shop.tokens(&account).await,
        CUSTOMER_TOKENS - 3_000_000 - MIN_DEPOSIT
    );
    shop.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_is_named_in_json_with_cors() {
    let shop = Shop::open().await;
    shop.set_tariff(0).await;
    let open = shop.device(0);
    let customer = shop.customer(Some(CUSTOMER_TOKENS)).await;
    let who = customer.pubkey();

    // Malformed requests.
    shop.post("/v1/pay/sessions/not-a-key", &who)
        .await
        .assert_refused(400, "malformed_device");
    shop.get("/v1/pay/sessions/not-a-key")
        .await
        .assert_refused(400, "malformed_device");
    let path = sessions_path(&open, None);
    shop.post_raw(&path, "not json")
        .await
        .assert_refused(400, "malformed_account");
    shop.post_raw(&path, r#"{"account":"not-a-key"}"#)
        .await
        .assert_refused(400, "malformed_account");
    shop.post_raw(&path, r#"{"wallet":"x"}"#)
        .await
        .assert_refused(400, "malformed_account");
    shop.post(&format!("{path}?deposit=1.5"), &who)
        .await
        .assert_refused(400, "malformed_deposit");
    shop.get(&format!("{path}?deposit=-1"))
        .await
        .assert_refused(400, "malformed_deposit");

    // Devices that sell nothing.
    shop.post(&sessions_path(&Keypair::new().pubkey(), None), &who)
        .await
        .assert_refused(404, "unknown_device");
    // An account of the registry that is not a device.
    shop.post(&sessions_path(&shop.world.network, None), &who)
        .await
        .assert_refused(404, "unknown_device");
    let no_tariff = shop.device(1);
    shop.post(&sessions_path(&no_tariff, None), &who)
        .await
        .assert_refused(404, "no_tariff");
    shop.set_tariff(1).await;
    let owner = &shop.world.owners[1].owner;
    let pause = payments::set_tariff_paused(&owner.pubkey(), &no_tariff, &owner.pubkey(), true);
    shop.cluster.send(&[pause], &[owner]).await.unwrap();
    shop.post(&sessions_path(&no_tariff, None), &who)
        .await
        .assert_refused(409, "tariff_paused");
    shop.set_tariff(2).await;
    let suspend = registry::suspend_device(
        &shop.world.admin.pubkey(),
        &shop.world.network,
        &shop.world.owners[2].device.pubkey(),
        1,
    );
    shop.cluster
        .send(&[suspend], &[&shop.world.admin])
        .await
        .unwrap();
    shop.post(&sessions_path(&shop.device(2), None), &who)
        .await
        .assert_refused(409, "device_inactive");

    // Deposits and customers that cannot pay.
    shop.post(&sessions_path(&open, Some(MIN_DEPOSIT - 1)), &who)
        .await
        .assert_refused(422, "deposit_too_small");
    let no_account = shop.customer(None).await;
    shop.post(&path, &no_account.pubkey())
        .await
        .assert_refused(422, "no_token_account");
    let poor = shop.customer(Some(MIN_DEPOSIT - 1)).await;
    shop.post(&path, &poor.pubkey())
        .await
        .assert_refused(422, "insufficient_funds");
    shop.post(&sessions_path(&open, Some(CUSTOMER_TOKENS + 1)), &who)
        .await
        .assert_refused(422, "insufficient_funds");

    // The RPC node is down: 503, and a transaction again once it is back.
    shop.blockhash.down.store(true, Ordering::SeqCst);
    shop.post(&path, &who)
        .await
        .assert_refused(503, "unavailable");
    shop.blockhash.down.store(false, Ordering::SeqCst);
    let offered = shop.post(&path, &who).await;
    check_offer(&shop, &offered, &who, &open);

    // A method the link does not answer still carries CORS.
    let put = shop
        .send(shop.client.put(format!("{}{path}", shop.url)))
        .await;
    assert_eq!(put.status, 405);
    assert_any_origin(&put.headers);
    shop.close().await;
}
