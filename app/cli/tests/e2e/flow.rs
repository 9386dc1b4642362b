//! What people use depin for, over JSON-RPC on a real validator: a maker
//! onboards a battery signed by its own key, the battery attests its
//! location, its owner tokenizes it and sells shares to two investors, the
//! offering closes and delivers, revenue comes in and both investors claim;
//! a reward pool is funded, a root posted and a device owner claims. Every
//! balance is read back over RPC.

use depin_client::fractional::{self, AssetKeys, OfferingTerms};
use depin_client::registry::{self, ApproveMakerArgs, Attestation, NewDevice};
use depin_client::rewards::{self, CreateDistributorArgs, Guards, RewardTree};
use depin_client::rpc::RpcCluster;
use depin_client::{revenue, token, Cluster, Keypair, Pubkey, Signer};
use depin_registry::state::DeviceKind;

use crate::harness::SOL;

const USDC: u64 = 1_000_000;
/// San Francisco, H3 resolution 9 and a finer cell inside it.
const SF_CELL: u64 = 0x8928308280fffff;
const SF_CELL_FINE: u64 = 0x8c2830828000dff;

/// What the flow did, for the benchmark lines of the test output.
#[derive(Debug, Default)]
pub struct FlowReport {
    pub transactions: u64,
    pub compute_units: u64,
    pub fees_lamports: u64,
}

struct Sender<'a> {
    cluster: &'a RpcCluster,
    report: FlowReport,
}

impl Sender<'_> {
    async fn send(&mut self, what: &str, ixs: &[depin_client::Instruction], signers: &[&Keypair]) {
        let sent = self
            .cluster
            .send(ixs, signers)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}\n{}", e.logs().join("\n")));
        self.report.transactions += 1;
        self.report.compute_units += sent.compute_units;
        self.report.fees_lamports += sent.fee.unwrap_or(0);
    }
}

async fn balance(cluster: &RpcCluster, account: &Pubkey) -> u64 {
    token::balance(cluster, account)
        .await
        .expect("token balance")
}

/// A wallet with some SOL (buyers pay their records' rent), from the
/// faucet through `funder` (airdrops are not retried: see RpcCluster::airdrop).
async fn wallet(funder: &RpcCluster) -> Keypair {
    let wallet = Keypair::new();
    funder
        .airdrop(&wallet.pubkey(), SOL)
        .await
        .expect("airdrop");
    wallet
}

/// Runs the whole flow in `network`, created by `admin` (who holds every
/// role and is the reward mint's authority), paid by `cluster`'s payer;
/// new wallets are funded through `funder` (a direct connection).
pub async fn used_by_flow(
    cluster: &RpcCluster,
    funder: &RpcCluster,
    admin: &Keypair,
    network: Pubkey,
    reward_mint: Pubkey,
) -> FlowReport {
    let mut s = Sender {
        cluster,
        report: FlowReport::default(),
    };
    let payer = cluster.payer().pubkey();

    // A maker onboards a battery; the battery's own key signs.
    let maker = Keypair::new();
    let args = ApproveMakerArgs {
        maker_authority: maker.pubkey(),
        name: "Acme Batteries".into(),
        quota: 10,
    };
    let ix = registry::approve_maker(&payer, &admin.pubkey(), &network, args);
    s.send("approve maker", &[ix], &[admin]).await;
    let dave = wallet(funder).await;
    let battery = Keypair::new();
    let device = NewDevice {
        device_key: battery.pubkey(),
        owner: dave.pubkey(),
        kind: DeviceKind::Battery,
        location: SF_CELL,
        capacity: 13_500,
    };
    let ix = registry::register_device(&payer, &network, &maker.pubkey(), &device, None);
    s.send("register device", &[ix], &[&battery, &maker]).await;
    let target = registry::attestation_target(cluster, &network, &battery.pubkey())
        .await
        .unwrap();
    let ixs = Attestation::location(1, SF_CELL_FINE).sign(&target, &battery);
    s.send("attest location", &ixs, &[]).await;
    let stored = registry::device(cluster, &network, &battery.pubkey())
        .await
        .unwrap();
    assert_eq!(
        (stored.owner, stored.location, stored.attestation_nonce),
        (dave.pubkey(), SF_CELL_FINE, 1)
    );

    // dave tokenizes it and sells all 100 shares to alice and bob.
    let record = depin_registry::pda::device(&network, &battery.pubkey()).0;
    let usdc = token::create_mint(cluster, &admin.pubkey(), 6)
        .await
        .unwrap();
    let ix = fractional::create_asset(&payer, &dave.pubkey(), &network, &record, &usdc, 100);
    s.send("tokenize", &[ix], &[&dave]).await;
    let keys = AssetKeys::of_device(&record);
    let deadline = cluster.unix_timestamp().await.unwrap() + 7 * 86_400;
    let terms = OfferingTerms {
        price_per_share: USDC,
        shares_for_sale: 100,
        soft_cap: 100,
        deadline,
        per_investor_cap: 0,
        allowlist_required: false,
    };
    let ix = fractional::create_offering(&payer, &dave.pubkey(), &network, &keys, 0, &usdc, terms);
    s.send("open offering", &[ix], &[&dave]).await;
    let mut investors = vec![];
    for shares in [60, 40] {
        let investor = wallet(funder).await;
        let account = token::create_token_account(cluster, &usdc, &investor.pubkey())
            .await
            .unwrap();
        token::mint_to(cluster, &usdc, &account, admin, 100 * USDC)
            .await
            .unwrap();
        let ix = fractional::buy(
            &investor.pubkey(),
            &keys,
            0,
            &network,
            false,
            &account,
            shares,
        );
        s.send("buy", &[ix], &[&investor]).await;
        investors.push((investor, account, shares));
    }
    let dave_usdc = token::create_token_account(cluster, &usdc, &dave.pubkey())
        .await
        .unwrap();
    let parties = fractional::parties(cluster, &keys, 0).await.unwrap();
    let ix = fractional::close_offering(&payer, &network, &keys, 0, &parties, &dave_usdc, None);
    s.send("close offering (sold out)", &[ix], &[]).await;
    for (investor, _, _) in &investors {
        let ix = fractional::deliver_purchase(&payer, &keys, 0, &investor.pubkey(), &parties);
        s.send("deliver", &[ix], &[]).await;
    }
    // No market fee configured: dave receives the whole 100 USDC.
    assert_eq!(balance(cluster, &dave_usdc).await, 100 * USDC);
    for (investor, account, shares) in &investors {
        assert_eq!(balance(cluster, account).await, (100 - shares) * USDC);
        let (earning, _) = revenue::position(cluster, &keys.share_mint, &investor.pubkey())
            .await
            .unwrap();
        assert_eq!(earning, *shares);
    }
    assert!(cluster
        .get_account(&keys.offering(0))
        .await
        .unwrap()
        .is_none());

    // A month of revenue: 10 USDC, paid 60 : 40.
    let ix = revenue::deposit_revenue(&dave.pubkey(), &keys.share_mint, &dave_usdc, 10 * USDC);
    s.send("deposit revenue", &[ix], &[&dave]).await;
    for (investor, account, shares) in &investors {
        let ix = revenue::claim_revenue(&investor.pubkey(), &keys.share_mint, account);
        s.send("claim revenue", &[ix], &[investor]).await;
        let expected = (100 - shares) * USDC + shares * USDC / 10;
        assert_eq!(balance(cluster, account).await, expected);
    }
    assert_eq!(balance(cluster, &dave_usdc).await, 90 * USDC);
    assert_eq!(balance(cluster, &keys.revenue_vault).await, 0);

    // Device rewards: a pool funded with 1,000 tokens, a root paying the
    // battery's owner 250, claimed.
    let treasury = token::create_token_account(cluster, &reward_mint, &admin.pubkey())
        .await
        .unwrap();
    token::mint_to(cluster, &reward_mint, &treasury, admin, 1_000 * USDC)
        .await
        .unwrap();
    let args = CreateDistributorArgs {
        pool_id: 0,
        expires_at: 0,
        guards: Guards::SINGLE_ORACLE,
    };
    let ix = rewards::create_distributor(
        &payer,
        &admin.pubkey(),
        &network,
        &reward_mint,
        &treasury,
        args,
    );
    s.send("create distributor", &[ix], &[admin]).await;
    let distributor = depin_rewards::pda::distributor(&network, &reward_mint, 0).0;
    let ix = rewards::create_ledger_page(&payer, &admin.pubkey(), &network, &distributor, 0);
    s.send("ledger page", &[ix], &[admin]).await;
    let ix = rewards::fund(&admin.pubkey(), &distributor, &treasury, 1_000 * USDC);
    s.send("fund", &[ix], &[admin]).await;
    let tree = RewardTree::new(distributor, vec![(dave.pubkey(), 250 * USDC)]);
    let ix = rewards::post_root(
        &admin.pubkey(),
        &network,
        &distributor,
        tree.post_root_args(1),
    );
    s.send("post root", &[ix], &[admin]).await;
    let dave_rewards = token::create_token_account(cluster, &reward_mint, &dave.pubkey())
        .await
        .unwrap();
    let claim = tree.claim_args(&dave.pubkey()).unwrap();
    let ix = rewards::claim(&dave.pubkey(), &distributor, &dave_rewards, claim);
    s.send("claim reward", &[ix], &[&dave]).await;
    assert_eq!(balance(cluster, &dave_rewards).await, 250 * USDC);
    assert_eq!(
        balance(cluster, &depin_rewards::pda::vault(&distributor).0).await,
        750 * USDC
    );
    s.report
}
