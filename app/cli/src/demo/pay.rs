//! Pay: erin charges her car from dave's tokenized battery. The battery's
//! own meter signs cumulative readings, the crank submits them, and each
//! settlement splits erin's payment at once: the market fee, the battery's
//! operator, and the rest into the battery's revenue pool, where the
//! investors' claimable revenue rises without anyone depositing it.

use anyhow::Result;
use depin_client::device_signer::{sign_reading, ReadingTarget};
use depin_client::payments::{self, MeterReading, MeterUnit, OpenSessionArgs, TariffTerms};
use depin_client::{fractional, revenue, token, Cluster, Pubkey, Signer};

use super::fractional::Invested;
use super::registry::Registered;
use super::story::{Cast, Story};
use super::USDC;
use crate::quiet::Console;
use crate::table::Table;

/// 0.30 USDC per kWh.
const PRICE_PER_WH: u64 = 300;
const DEPOSIT: u64 = 12 * USDC;

pub struct Paid {
    settlements: Table,
    investors: Table,
}

fn usdc(amount: u64) -> String {
    format!("{:.4} USDC", amount as f64 / USDC as f64)
}

/// Balances a settlement moves: erin's, the market fee recipient's, the
/// operator's, and the revenue pool's deposits.
struct Ledger {
    customer: Pubkey,
    fee: Pubkey,
    operator: Pubkey,
    share_mint: Pubkey,
}

impl Ledger {
    async fn read(&self, cluster: &impl Cluster) -> Result<[u64; 4]> {
        let balance = |account| async move {
            Ok::<_, anyhow::Error>(match cluster.get_account(&account).await? {
                Some(_) => token::balance(cluster, &account).await?,
                None => 0,
            })
        };
        Ok([
            balance(self.customer).await?,
            balance(self.fee).await?,
            balance(self.operator).await?,
            revenue::pool(cluster, &self.share_mint)
                .await?
                .total_deposited,
        ])
    }
}

pub async fn act(
    story: &mut Story,
    cast: &Cast,
    registered: &Registered,
    invested: &Invested,
) -> Result<Paid> {
    let (dave, ops, erin) = (&cast.owners[3], &cast.ops, &cast.customer);
    let (network, usdc_mint) = (registered.network, registered.usdc);
    let keys = &invested.keys;
    let battery = invested.battery;
    let meter = &registered.devices[0];
    let holders = holders(cast, invested);
    let before = claimable_revenue(&story.cluster, &holders, &battery).await?;

    let ix = fractional::set_asset_operator(&dave.key.pubkey(), &network, keys, &ops.key.pubkey());
    story
        .step(
            "dave has the ops lead operate his battery",
            &[ix],
            &[&dave.key],
        )
        .await?;
    let terms = TariffTerms {
        unit: MeterUnit::WattHour,
        price_per_unit: PRICE_PER_WH,
        min_deposit: 5 * USDC,
        max_session_secs: 4 * 3_600,
        operator_cut_bps: 1_000,
    };
    let payer = story.cluster.payer().pubkey();
    let ix = payments::set_tariff(
        &payer,
        &dave.key.pubkey(),
        &network,
        &battery,
        &keys.asset,
        &usdc_mint,
        terms,
    );
    story
        .step(
            "dave prices the battery's energy: 0.30 USDC/kWh, 5 USDC minimum, 4 h sessions, 10% to its operator",
            &[ix],
            &[&dave.key],
        )
        .await?;

    story
        .cluster
        .airdrop(&erin.key.pubkey(), 100_000_000)
        .await?;
    let erin_usdc =
        token::create_token_account(&story.cluster, &usdc_mint, &erin.key.pubkey()).await?;
    token::mint_to(
        &story.cluster,
        &usdc_mint,
        &erin_usdc,
        &cast.operator.key,
        20 * USDC,
    )
    .await?;
    let plan = payments::open_session_instructions(
        &story.cluster,
        &erin.key.pubkey(),
        &erin.key.pubkey(),
        &battery,
        OpenSessionArgs {
            id: 1,
            deposit: DEPOSIT,
        },
        Some(erin_usdc),
    )
    .await?;
    story
        .step(
            "erin plugs in her car: a session with 12 USDC in escrow (she pays its rent, returned at the end)",
            &plan.instructions,
            &[&erin.key],
        )
        .await?;
    let target = payments::reading_target(&story.cluster, &plan.session).await?;

    let ledger = Ledger {
        customer: erin_usdc,
        fee: plan.opening.fee_account.unwrap_or(registered.fee_treasury),
        operator: token::associated_address(&ops.key.pubkey(), &usdc_mint),
        share_mint: keys.share_mint,
    };
    let mut settlements = Table::new(&[
        "meter reading",
        "charged",
        "market fee",
        "operator",
        "holders (revenue pool)",
        "back to erin",
    ]);
    let readings = [
        (
            20 * 60,
            3_000,
            false,
            "the battery's meter signs 3.0 kWh, the crank submits it",
        ),
        (
            25 * 60,
            7_500,
            true,
            "erin unplugs: the meter signs a final 7.5 kWh",
        ),
    ];
    for (sequence, (wait, units, is_final, what)) in (1..).zip(readings) {
        story.cluster.advance_clock(wait).await?;
        settle(
            story,
            &ledger,
            &mut settlements,
            &target,
            meter,
            MeterReading {
                units,
                sequence,
                is_final,
            },
            what,
        )
        .await?;
    }
    let after = claimable_revenue(&story.cluster, &holders, &battery).await?;
    let earned: u64 = after.iter().zip(&before).map(|(a, b)| a - b).sum();
    story.note(&format!(
        "the share holders can claim {} more, deposited by nobody",
        usdc(earned)
    ));
    let mut investors = Table::new(&["holder", "claimable before", "claimable after", "earned"]);
    for ((owner, before), after) in holders.iter().zip(before).zip(after) {
        investors.row(vec![
            cast.name_of(owner),
            usdc(before),
            usdc(after),
            usdc(after - before),
        ]);
    }
    Ok(Paid {
        settlements,
        investors,
    })
}

/// Signs `reading` with the battery's key and has the crank (the story's
/// payer, not erin, not the battery) submit it; records what moved.
async fn settle(
    story: &mut Story,
    ledger: &Ledger,
    settlements: &mut Table,
    target: &ReadingTarget,
    meter: &depin_client::Keypair,
    reading: MeterReading,
    what: &str,
) -> Result<()> {
    let signed = sign_reading(target, reading, meter);
    let crank = story.cluster.payer().pubkey();
    let instructions =
        payments::settle_reading_instructions(&story.cluster, &crank, &signed).await?;
    let before = ledger.read(&story.cluster).await?;
    story.step(what, &instructions, &[]).await?;
    let after = ledger.read(&story.cluster).await?;
    let [refund, fee, operator, holders] = std::array::from_fn(|i| after[i].abs_diff(before[i]));
    settlements.row(vec![
        format!(
            "{:.1} kWh{}",
            reading.units as f64 / 1_000.0,
            if reading.is_final { " (final)" } else { "" }
        ),
        usdc(fee + operator + holders),
        usdc(fee),
        usdc(operator),
        usdc(holders),
        usdc(refund),
    ]);
    Ok(())
}

/// The holders of the battery's shares: the investors, and dave with the
/// shares he kept.
fn holders(cast: &Cast, invested: &Invested) -> Vec<Pubkey> {
    invested
        .investors
        .iter()
        .map(|(owner, _, _)| *owner)
        .chain([cast.owners[3].key.pubkey()])
        .collect()
}

async fn claimable_revenue(
    cluster: &impl Cluster,
    holders: &[Pubkey],
    battery: &Pubkey,
) -> Result<Vec<u64>> {
    let mut claimable = vec![];
    for owner in holders {
        let line = &fractional::portfolio(cluster, owner, &[*battery], &[]).await?[0];
        claimable.push(line.claimable_revenue);
    }
    Ok(claimable)
}

pub fn print_summary(console: &mut Console, paid: &Paid) {
    console.print(&format!(
        "erin's charging session at dave's battery, settled by the battery's own signed meter \
         (0.30 USDC/kWh; 2.5% market fee, 10% operator, the rest to the share holders at once):\n{}\n",
        paid.settlements.render()
    ));
    console.print(&format!(
        "The share holders' claimable revenue, with nobody depositing it by hand:\n{}\n",
        paid.investors.render()
    ));
}
