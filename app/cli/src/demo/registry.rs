//! Registry steps: network, roles, maker, devices, attestations, transfer.

use anyhow::{Context, Result};
use depin_client::local::LocalCluster;
use depin_client::registry::{self, permission, Attestation, FeePayment, NewDevice};
use depin_client::{token, Cluster, Keypair, Pubkey, Signer};
use depin_migrations::{ensure_network, NetworkSpec};
use depin_registry::pda;
use depin_registry::state::{Device, DeviceKind};

use super::story::{Cast, Story};
use super::{SOL, USDC};
use crate::quiet::Console;
use crate::table::{short, sol, Table};

/// What the registry part leaves for the rest of the story.
pub struct Registered {
    pub network: Pubkey,
    pub reward_mint: Pubkey,
    /// A USDC-like mint (the operator is its mint authority).
    pub usdc: Pubkey,
    /// USDC account collecting onboarding fees.
    pub fee_treasury: Pubkey,
    /// Battery (dave's after the sale), inverter (bob), EV charger (carol, suspended).
    pub devices: Vec<Keypair>,
}

pub async fn act(story: &mut Story, cast: &Cast) -> Result<Registered> {
    let Cast {
        operator,
        ops,
        oracle,
        compliance,
        maker,
        owners: [alice, bob, carol, dave],
        ..
    } = cast;
    for who in [operator, ops, alice, bob] {
        story.cluster.airdrop(&who.key.pubkey(), SOL).await?;
    }
    let payer = story.cluster.payer().pubkey();

    // Tokens: the network's reward token and a USDC-like fee mint.
    let reward_mint = token::create_mint(&story.cluster, &operator.key.pubkey(), 6).await?;
    let usdc = token::create_mint(&story.cluster, &operator.key.pubkey(), 6).await?;
    let treasury =
        token::create_token_account(&story.cluster, &usdc, &operator.key.pubkey()).await?;
    let installer_usdc = token::create_token_account(&story.cluster, &usdc, &payer).await?;
    token::mint_to(
        &story.cluster,
        &usdc,
        &installer_usdc,
        &operator.key,
        100 * USDC,
    )
    .await?;

    // Platform and network, through the same idempotent steps a deploy runs.
    let spec = NetworkSpec {
        name: "solar-berlin".into(),
        reward_mint,
        epoch_length_secs: 86_400,
        min_operator_bond: 500 * USDC,
    };
    let (network, _) = ensure_network(&story.cluster, &operator.key, &spec).await?;
    story.note("bootstrap: platform + network solar-berlin (migrations)");

    // Roles: nobody but the operator holds every permission.
    let grants = [
        (
            ops,
            permission::MAKER_MANAGER | permission::DEVICE_MANAGER,
            "grant ops lead: maker-manager, device-manager",
        ),
        (oracle, permission::ORACLE, "grant crank: oracle"),
        (
            compliance,
            permission::COMPLIANCE,
            "grant compliance officer: compliance",
        ),
    ];
    for (who, bits, what) in grants {
        let ix = registry::grant_role(
            &payer,
            &operator.key.pubkey(),
            &network,
            &who.key.pubkey(),
            bits,
        );
        story.step(what, &[ix], &[&operator.key]).await?;
    }
    let ix = registry::set_onboarding_fee(
        &operator.key.pubkey(),
        &network,
        Some((usdc, treasury)),
        5 * USDC,
    );
    story
        .step("set onboarding fee: 5 USDC", &[ix], &[&operator.key])
        .await?;

    // A maker, approved by the ops lead (maker-manager), not the operator.
    let args = registry::ApproveMakerArgs {
        maker_authority: maker.key.pubkey(),
        name: "Acme Batteries".into(),
        quota: 1_000,
    };
    let ix = registry::approve_maker(&payer, &ops.key.pubkey(), &network, args);
    story
        .step(
            "approve maker Acme Batteries (quota 1000)",
            &[ix],
            &[&ops.key],
        )
        .await?;

    // Devices: each signs with its own key, the maker co-signs, the
    // installer pays rent and the fee.
    let fee = FeePayment {
        mint: usdc,
        source: installer_usdc,
        treasury,
        token_program: token::TOKEN_PROGRAM_ID,
    };
    let fleet = [
        (
            alice,
            DeviceKind::Battery,
            0x8928308280fffff_u64,
            13_500_u32,
            "home battery 13.5 kWh",
        ),
        (
            bob,
            DeviceKind::SolarInverter,
            0x89283082813ffff,
            8_000,
            "solar inverter 8 kW",
        ),
        (
            carol,
            DeviceKind::EvCharger,
            0x8928308281bffff,
            11_000,
            "EV charger 11 kW",
        ),
    ];
    let mut devices = vec![];
    for (owner, kind, location, capacity, label) in fleet {
        let device_key = Keypair::new();
        let new = NewDevice {
            device_key: device_key.pubkey(),
            owner: owner.key.pubkey(),
            kind,
            location,
            capacity,
        };
        let ix = registry::register_device(&payer, &network, &maker.key.pubkey(), &new, Some(fee));
        story
            .step(
                &format!("register {label} for {}", owner.name),
                &[ix],
                &[&device_key, &maker.key],
            )
            .await?;
        devices.push(device_key);
    }

    // The battery's secure element signs a location assertion (resolution 12
    // cell) and a work report; anyone can submit them.
    let battery = &devices[0];
    let precise_cell = 0x8c2830828000dff_u64;
    let target = registry::attestation_target(&story.cluster, &network, &battery.pubkey()).await?;
    let ixs = Attestation::location(1, precise_cell).sign(&target, battery);
    story
        .step("battery attests its location (ed25519-verified)", &ixs, &[])
        .await?;
    let ixs = Attestation::work_report(2, [7u8; 32]).sign(&target, battery);
    story
        .step("battery attests a work report", &ixs, &[])
        .await?;

    // Ownership and operations.
    let ix = registry::transfer_device(
        &alice.key.pubkey(),
        &network,
        &battery.pubkey(),
        &dave.key.pubkey(),
    );
    story
        .step("alice sells her battery to dave", &[ix], &[&alice.key])
        .await?;
    let ix = registry::set_device_operator(
        &bob.key.pubkey(),
        &network,
        &devices[1].pubkey(),
        &ops.key.pubkey(),
    );
    story
        .step(
            "bob delegates his inverter to the ops lead",
            &[ix],
            &[&bob.key],
        )
        .await?;
    let ix = registry::suspend_device(&ops.key.pubkey(), &network, &devices[2].pubkey(), 17);
    story
        .step(
            "ops lead suspends the EV charger (reason 17)",
            &[ix],
            &[&ops.key],
        )
        .await?;

    Ok(Registered {
        network,
        reward_mint,
        usdc,
        fee_treasury: treasury,
        devices,
    })
}

pub async fn print_summary(
    console: &mut Console,
    cluster: &LocalCluster,
    network: &Pubkey,
    cast: &Cast,
    devices: &[Keypair],
    treasury: Pubkey,
) -> Result<()> {
    let net = registry::network(cluster, network).await?;
    let mut t = Table::new(&[
        "network",
        "id",
        "devices",
        "makers",
        "admins",
        "epoch",
        "onboarding fee",
        "paused",
    ]);
    t.row(vec![
        net.name(),
        net.network_id.to_string(),
        net.device_count.to_string(),
        net.maker_count.to_string(),
        net.admin_count.to_string(),
        format!("{} s", net.epoch_length_secs),
        format!("{:.2} USDC", net.onboarding_fee as f64 / USDC as f64),
        net.paused.to_string(),
    ]);
    console.print(&format!("{}\n", t.render()));

    let mut t = Table::new(&["member", "key", "permissions"]);
    for who in cast.members() {
        let member = registry::member(cluster, network, &who.key.pubkey())
            .await?
            .context("member missing")?;
        t.row(vec![
            who.name.into(),
            short(&who.key.pubkey()),
            registry::permission_names(member.permissions).join(", "),
        ]);
    }
    console.print(&format!("{}\n", t.render()));

    let maker = &cast.maker;
    let m = registry::maker(cluster, network, &maker.key.pubkey()).await?;
    let mut t = Table::new(&["maker", "id", "authority", "onboarded", "quota", "active"]);
    t.row(vec![
        maker.name.into(),
        m.maker_id.to_string(),
        short(&m.authority),
        m.devices_onboarded.to_string(),
        m.quota.to_string(),
        m.active.to_string(),
    ]);
    console.print(&format!("{}\n", t.render()));

    let mut t = Table::new(&[
        "device",
        "device key",
        "kind",
        "owner",
        "operator",
        "H3 cell",
        "capacity",
        "status",
        "attestations",
    ]);
    for key in devices {
        let d = registry::device(cluster, network, &key.pubkey()).await?;
        let record = pda::device(network, &key.pubkey()).0;
        // A tokenized device belongs to its asset, managed by its authority.
        let keys = depin_client::fractional::AssetKeys::of_device(&record);
        let owner = if d.owner == keys.asset {
            let asset = depin_client::fractional::asset(cluster, &keys).await?;
            format!("asset of {}", cast.name_of(&asset.authority))
        } else {
            cast.name_of(&d.owner)
        };
        t.row(vec![
            short(&record),
            short(&d.device_key),
            format!("{:?}", d.kind),
            owner,
            cast.name_of(&d.operator),
            format!("{:x}", d.location),
            d.capacity.to_string(),
            format!("{:?}", d.status),
            d.attestation_nonce.to_string(),
        ]);
    }
    console.print(&format!("{}\n", t.render()));

    let rent = cluster.minimum_balance(Device::SIZE).await?;
    console.print(&format!(
        "treasury collected {:.2} USDC in onboarding fees",
        token::balance(cluster, &treasury).await? as f64 / USDC as f64
    ));
    console.print(&format!(
        "device account: {} bytes ({} of fields + 8 discriminator), rent {} ({} lamports), refunded on close\n",
        Device::SIZE,
        Device::SIZE - 8,
        sol(rent),
        rent
    ));
    Ok(())
}
