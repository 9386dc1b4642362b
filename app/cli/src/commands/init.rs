//! `depin init`: the bootstrap after a deploy (platform, reward mint,
//! network, first roles), idempotent (the work is `depin_migrations`').
//!
//! JSON shape: `{"cluster", "creator", "platform": STEP, "reward_mint": STEP,
//! "network": STEP + {"name", "id"}, "roles": [{"member", "roles": [NAME],
//! "granted": [NAME], "status"}]}` where STEP is `{"address", "status"}` and
//! status is `created` or `already-present`.

use anyhow::{bail, Result};
use clap::Args;
use depin_client::registry::{permission, permission_names};
use depin_client::{Cluster, Keypair, Pubkey, Signer};
use depin_migrations::{bootstrap, BootstrapSpec, RewardMint, Step};
use serde_json::json;

use crate::output::OutputFormat;
use crate::table::Table;

#[derive(Args)]
pub struct InitArgs {
    /// The network's name (at most 32 bytes); a rerun finds it by name and creator.
    #[arg(long, default_value = "depin")]
    pub network: String,
    /// Use this existing mint for rewards instead of creating one.
    #[arg(long, value_name = "MINT")]
    pub reward_mint: Option<Pubkey>,
    /// Decimals of the reward mint created when --reward-mint is not given.
    #[arg(long, default_value_t = 6)]
    pub reward_decimals: u8,
    /// The network's reward epoch, in seconds.
    #[arg(long, default_value_t = 86_400, value_name = "SECONDS")]
    pub epoch_length: u32,
    /// Bond an operator stakes, in the reward token's base units.
    #[arg(long, default_value_t = 0, value_name = "AMOUNT")]
    pub min_operator_bond: u64,
    /// Grants roles, e.g. `--grant oracle=KEY --grant maker-manager,device-manager=KEY`
    /// (roles: admin, maker-manager, oracle, compliance, treasury, device-manager, slasher).
    #[arg(long = "grant", value_name = "ROLE[,ROLE]=PUBKEY")]
    pub grants: Vec<String>,
}

/// `oracle,treasury=KEY` as (KEY, bits).
pub fn parse_grant(text: &str) -> Result<(Pubkey, u16)> {
    let Some((roles, key)) = text.split_once('=') else {
        bail!("--grant {text:?}: expected ROLE[,ROLE]=PUBKEY");
    };
    let member: Pubkey = key
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("--grant {text:?}: {key:?} is not a public key"))?;
    let mut bits = 0;
    for role in roles.split(',').map(str::trim) {
        let Some((bit, _)) = permission::NAMES.iter().find(|(_, name)| *name == role) else {
            let known: Vec<&str> = permission::NAMES.iter().map(|(_, n)| *n).collect();
            bail!(
                "--grant {text:?}: unknown role {role:?}; roles: {}",
                known.join(", ")
            );
        };
        bits |= bit;
    }
    Ok((member, bits))
}

/// Grants merged per member, in the order members first appear.
pub fn parse_grants(texts: &[String]) -> Result<Vec<(Pubkey, u16)>> {
    let mut grants: Vec<(Pubkey, u16)> = vec![];
    for text in texts {
        let (member, bits) = parse_grant(text)?;
        match grants.iter_mut().find(|(m, _)| *m == member) {
            Some((_, existing)) => *existing |= bits,
            None => grants.push((member, bits)),
        }
    }
    Ok(grants)
}

pub async fn run(
    cluster: &impl Cluster,
    cluster_url: &str,
    creator: &Keypair,
    args: &InitArgs,
    output: OutputFormat,
) -> Result<()> {
    let registry = depin_client::depin_registry::ID;
    match cluster.get_account(&registry).await? {
        Some(account) if account.executable => {}
        _ => bail!(
            "the registry program is not deployed at {registry} on {cluster_url}: run `depin deploy` \
             first (after `depin keys sync`, rebuild the CLI too: it embeds the program ids)"
        ),
    }
    // Deployed a moment ago: its code runs from the next slot on.
    depin_client::deploy::wait_until_runnable(cluster, &registry, super::deploy::RUNNABLE_WAIT)
        .await?;
    let spec = BootstrapSpec {
        network_name: args.network.clone(),
        epoch_length_secs: args.epoch_length,
        min_operator_bond: args.min_operator_bond,
        reward_mint: match args.reward_mint {
            Some(mint) => RewardMint::Existing(mint),
            None => RewardMint::Create {
                decimals: args.reward_decimals,
            },
        },
        grants: parse_grants(&args.grants)?,
    };
    let report = bootstrap(cluster, creator, &spec).await?;

    let step = |s: &Step| json!({ "address": s.address.to_string(), "status": s.outcome.as_str() });
    let mut network = step(&report.network);
    network["name"] = json!(args.network);
    network["id"] = json!(report.network_id);
    let json = json!({
        "cluster": cluster_url,
        "creator": creator.pubkey().to_string(),
        "platform": step(&report.platform),
        "reward_mint": step(&report.reward_mint),
        "network": network,
        "roles": report.roles.iter().map(|r| json!({
            "member": r.member.to_string(),
            "roles": permission_names(r.permissions),
            "granted": permission_names(r.granted),
            "status": r.outcome.as_str(),
        })).collect::<Vec<_>>(),
    });
    output.print(&json, || {
        let mut table = Table::new(&["what", "address", "status"]);
        let status = |s: &Step| s.outcome.as_str().replace('-', " ");
        table.row(vec![
            "platform".into(),
            report.platform.address.to_string(),
            status(&report.platform),
        ]);
        table.row(vec![
            "reward mint".into(),
            report.reward_mint.address.to_string(),
            status(&report.reward_mint),
        ]);
        table.row(vec![
            format!("network {:?} (id {})", args.network, report.network_id),
            report.network.address.to_string(),
            status(&report.network),
        ]);
        for role in &report.roles {
            table.row(vec![
                format!("roles {}", permission_names(role.permissions).join(",")),
                role.member.to_string(),
                match role.granted {
                    0 => "already present".into(),
                    bits => format!("granted {}", permission_names(bits).join(",")),
                },
            ]);
        }
        format!(
            "Cluster {cluster_url}, creator {}\n{}",
            creator.pubkey(),
            table.render()
        )
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_parse_and_merge() {
        let key = Pubkey::new_unique();
        let other = Pubkey::new_unique();
        let grants = parse_grants(&[
            format!("oracle={key}"),
            format!("maker-manager, device-manager={other}"),
            format!("treasury={key}"),
        ])
        .unwrap();
        assert_eq!(
            grants,
            vec![
                (key, permission::ORACLE | permission::TREASURY),
                (
                    other,
                    permission::MAKER_MANAGER | permission::DEVICE_MANAGER
                )
            ]
        );
        let error = parse_grant(&format!("wizard={key}"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("unknown role") && error.contains("oracle"),
            "{error}"
        );
        assert!(parse_grant("oracle").is_err());
        assert!(parse_grant("oracle=nope").is_err());
    }
}
