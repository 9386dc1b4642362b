//! Fractional ownership steps: dave tokenizes his battery, keeps a fifth,
//! sells the rest to three investors; revenue is paid, claimed, shares
//! change hands, more revenue, more claims.

use anyhow::Result;
use depin_client::fractional::{self, AssetKeys, OfferingTerms};
use depin_client::local::LocalCluster;
use depin_client::{revenue, token, Cluster, Pubkey, Signer};

use super::registry::Registered;
use super::story::{Actor, Cast, Story};
use crate::quiet::Console;
use crate::table::Table;

use super::USDC;

pub struct Invested {
    pub keys: AssetKeys,
    pub battery: Pubkey,
    /// (shares sold, price per share) of the offering (its record closes
    /// once every purchase is delivered).
    sale: (u64, u64),
    /// (investor, USDC account, share account)
    pub investors: Vec<(Pubkey, Pubkey, Pubkey)>,
    revenue_paid: Vec<u64>,
}

pub async fn act(story: &mut Story, cast: &Cast, registered: &Registered) -> Result<Invested> {
    let (operator, compliance) = (&cast.operator, &cast.compliance);
    let [alice, bob, carol, dave] = &cast.owners;
    let (network, usdc) = (registered.network, registered.usdc);
    let payer = story.cluster.payer().pubkey();
    let battery = depin_registry::pda::device(&network, &registered.devices[0].pubkey()).0;

    let ix = fractional::configure_market(
        &payer,
        &operator.key.pubkey(),
        &network,
        250,
        &operator.key.pubkey(),
    );
    story
        .step(
            "operator sets a 2.5% fee on offerings",
            &[ix],
            &[&operator.key],
        )
        .await?;
    let ix = fractional::create_asset(&payer, &dave.key.pubkey(), &network, &battery, &usdc, 1_000);
    story
        .step(
            "dave tokenizes his battery: 1,000 shares + revenue pool",
            &[ix],
            &[&dave.key],
        )
        .await?;
    let keys = AssetKeys::of_device(&battery);
    let ix = fractional::retain_shares(&payer, &dave.key.pubkey(), &network, &keys, 200);
    story
        .step("dave keeps 200 shares", &[ix], &[&dave.key])
        .await?;
    let deadline = story.cluster.unix_timestamp().await? + 7 * 86_400;
    let terms = OfferingTerms {
        price_per_share: 5 * USDC,
        shares_for_sale: 800,
        soft_cap: 400,
        deadline,
        per_investor_cap: 400,
        allowlist_required: true,
    };
    let ix =
        fractional::create_offering(&payer, &dave.key.pubkey(), &network, &keys, 0, &usdc, terms);
    story
        .step(
            "dave offers 800 shares at 5 USDC (soft cap 400, max 400 each)",
            &[ix],
            &[&dave.key],
        )
        .await?;

    let mut investors = vec![];
    let mut sold = 0;
    // Buyers pay the rent of their purchase and holding records.
    story
        .cluster
        .airdrop(&carol.key.pubkey(), 100_000_000)
        .await?;
    for (who, shares) in [(alice, 300), (bob, 300), (carol, 200)] {
        let usdc_account =
            token::create_token_account(&story.cluster, &usdc, &who.key.pubkey()).await?;
        token::mint_to(
            &story.cluster,
            &usdc,
            &usdc_account,
            &operator.key,
            2_000 * USDC,
        )
        .await?;
        let share_account =
            token::create_token_account(&story.cluster, &keys.share_mint, &who.key.pubkey())
                .await?;
        let ix = fractional::set_allowlist(
            &payer,
            &compliance.key.pubkey(),
            &network,
            &who.key.pubkey(),
            true,
        );
        story
            .step(
                &format!("compliance officer allowlists {}", who.name),
                &[ix],
                &[&compliance.key],
            )
            .await?;
        let ix = fractional::buy(
            &who.key.pubkey(),
            &keys,
            0,
            &network,
            true,
            &usdc_account,
            shares,
        );
        story
            .step(
                &format!(
                    "{} buys {shares} shares (earning from now on, delivered if the sale succeeds)",
                    who.name
                ),
                &[ix],
                &[&who.key],
            )
            .await?;
        investors.push((who.key.pubkey(), usdc_account, share_account));
        sold += shares;
    }

    let dave_usdc = token::create_token_account(&story.cluster, &usdc, &dave.key.pubkey()).await?;
    token::mint_to(&story.cluster, &usdc, &dave_usdc, &operator.key, 50 * USDC).await?;
    let ix = revenue::deposit_revenue(&dave.key.pubkey(), &keys.share_mint, &dave_usdc, 40 * USDC);
    story
        .step(
            "the battery earns 40 USDC during the sale: dave deposits it",
            &[ix],
            &[&dave.key],
        )
        .await?;
    let parties = fractional::parties(&story.cluster, &keys, 0).await?;
    let ix = fractional::close_offering(
        &payer,
        &network,
        &keys,
        0,
        &parties,
        &dave_usdc,
        Some(registered.fee_treasury),
    );
    story
        .step(
            "sold out: the crank closes the offering (escrow paid out)",
            &[ix],
            &[],
        )
        .await?;
    let deliveries: Vec<_> = investors
        .iter()
        .map(|(buyer, _, _)| fractional::deliver_purchase(&payer, &keys, 0, buyer, &parties))
        .collect();
    story
        .step(
            "the crank delivers the purchases: shares and the revenue they earned",
            &deliveries,
            &[],
        )
        .await?;

    // Month 1: the battery earned 150 USDC from grid services.
    let ix = revenue::deposit_revenue(&dave.key.pubkey(), &keys.share_mint, &dave_usdc, 150 * USDC);
    story
        .step(
            "dave deposits a month of revenue: 150 USDC",
            &[ix],
            &[&dave.key],
        )
        .await?;
    let mut revenue_paid = vec![0; investors.len()];
    claim_all(
        story,
        &keys,
        &investors,
        &[alice, bob, carol],
        &mut revenue_paid,
        "month 1",
    )
    .await?;

    // alice sells 100 shares to carol: out of her holding, SPL transfer, into carol's.
    let (a, c) = (&investors[0], &investors[2]);
    let ix = revenue::withdraw_shares(&alice.key.pubkey(), &keys.share_mint, &a.2, 100);
    let transfer = token::transfer(&a.2, &c.2, &alice.key.pubkey(), 100);
    let deposit = revenue::deposit_shares(&payer, &carol.key.pubkey(), &keys.share_mint, &c.2, 100);
    story
        .step(
            "alice sells 100 shares to carol (withdraw, transfer, deposit)",
            &[ix, transfer, deposit],
            &[&alice.key, &carol.key],
        )
        .await?;

    let ix = revenue::deposit_revenue(&dave.key.pubkey(), &keys.share_mint, &dave_usdc, 150 * USDC);
    story
        .step("dave deposits month 2: 150 USDC", &[ix], &[&dave.key])
        .await?;
    claim_all(
        story,
        &keys,
        &investors,
        &[alice, bob, carol],
        &mut revenue_paid,
        "month 2",
    )
    .await?;

    Ok(Invested {
        keys,
        battery,
        sale: (sold, 5 * USDC),
        investors,
        revenue_paid,
    })
}

async fn claim_all(
    story: &mut Story,
    keys: &AssetKeys,
    investors: &[(Pubkey, Pubkey, Pubkey)],
    who: &[&Actor],
    paid: &mut [u64],
    label: &str,
) -> Result<()> {
    for (i, (actor, (owner, usdc_account, _))) in who.iter().zip(investors).enumerate() {
        let before = token::balance(&story.cluster, usdc_account).await?;
        let ix = revenue::claim_revenue(owner, &keys.share_mint, usdc_account);
        story
            .step(
                &format!("{} claims {label}", actor.name),
                &[ix],
                &[&actor.key],
            )
            .await?;
        paid[i] += token::balance(&story.cluster, usdc_account).await? - before;
    }
    Ok(())
}

pub async fn print_summary(
    console: &mut Console,
    cluster: &LocalCluster,
    cast: &Cast,
    invested: &Invested,
) -> Result<()> {
    let usdc = |amount: u64| format!("{:.2} USDC", amount as f64 / USDC as f64);
    let asset = fractional::asset(cluster, &invested.keys).await?;
    let (sold, price) = invested.sale;
    console.print(&format!(
        "battery shares: {} issued of {} ({} sold at {} each, offering settled and closed); revenue pool: {} deposited, {} claimed\n",
        asset.issued,
        asset.total_shares,
        sold,
        usdc(price),
        usdc(revenue::pool(cluster, &invested.keys.share_mint).await?.total_deposited),
        usdc(revenue::pool(cluster, &invested.keys.share_mint).await?.total_claimed),
    ));
    let mut t = Table::new(&[
        "investor",
        "earning shares",
        "wallet shares",
        "stake of machine",
        "revenue received",
        "claimable now",
    ]);
    let dave = &cast.owners[3];
    let mut holders: Vec<(Pubkey, Vec<Pubkey>, u64)> = invested
        .investors
        .iter()
        .zip(&invested.revenue_paid)
        .map(|((o, _, s), paid)| (*o, vec![*s], *paid))
        .collect();
    holders.push((dave.key.pubkey(), vec![], 0));
    for (owner, wallets, paid) in holders {
        let line = &fractional::portfolio(cluster, &owner, &[invested.battery], &wallets).await?[0];
        t.row(vec![
            cast.name_of(&owner),
            line.earning_shares.to_string(),
            line.wallet_shares.to_string(),
            format!(
                "{:.1}%",
                (line.earning_shares + line.wallet_shares) as f64 * 100.0
                    / line.total_shares as f64
            ),
            usdc(paid),
            usdc(line.claimable_revenue),
        ]);
    }
    console.print(&t.render());
    Ok(())
}
