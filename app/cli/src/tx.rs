//! How every command that changes state sends it, the `solana` CLI's way:
//! `--fee-payer`, `--with-compute-unit-price`, `--with-compute-unit-limit`,
//! `--dry-run` (simulate and show what would change), and offline signing
//! (`--sign-only --blockhash HASH` prints this side's signatures;
//! `--blockhash HASH --signer PUBKEY=SIGNATURE` adds them and sends).
//!
//! Signer arguments (`--fee-payer`, `--authority`, `--device-key`, ...)
//! take a keypair file, or a public key when its signature comes from
//! elsewhere (`--signer`) or is not made here (`--sign-only`).
//!
//! JSON of a sent transaction: the command's own fields plus
//! `"transaction": {"signature", "compute_units", "fee_lamports",
//! "explorer"}`. `--dry-run`: `{"dry_run": {"compute_units",
//! "compute_unit_limit", "compute_unit_price", "fee_lamports",
//! "rent_lamports", "accounts": [{"address", "created", "closed",
//! "lamports_before", "lamports_after", "size_before", "size_after",
//! "owner", "token": {"mint", "before", "after", "decimals"}}]}}` plus
//! the command's fields. `--sign-only`: `{"blockhash", "signers":
//! ["PUBKEY=SIGNATURE"], "absent": ["PUBKEY"]}`.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use depin_client::rpc::{
    assemble, offline_message, sign_partial, DryRun, PartialSignatures, RpcCluster,
};
use depin_client::{
    ClientError, Hash, Instruction, Keypair, Pubkey, SendOptions, Sent, Signature, Signer,
    TransactionError,
};
use serde_json::{json, Value};

use crate::config::{read_keypair, Settings, Source};
use crate::output::{sol, OutputFormat};

#[derive(Args, Clone, Debug, Default)]
pub struct TxArgs {
    /// Fee payer: a keypair file, or a public key when signing offline [default: -k]
    #[arg(long, value_name = "KEYPAIR_OR_PUBKEY")]
    pub fee_payer: Option<String>,
    /// Priority fee in micro-lamports per compute unit [default: the median of recent fees; none offline]
    #[arg(long = "with-compute-unit-price", value_name = "MICRO_LAMPORTS")]
    pub compute_unit_price: Option<u64>,
    /// Compute-unit limit [default: the simulated units plus a margin; the cluster's default offline]
    #[arg(long = "with-compute-unit-limit", value_name = "UNITS")]
    pub compute_unit_limit: Option<u32>,
    /// Simulate, print what would change (accounts, compute units, fee, rent) and send nothing
    #[arg(long, conflicts_with = "sign_only")]
    pub dry_run: bool,
    /// Sign with the keys at hand and print the signatures; send nothing (needs --blockhash)
    #[arg(long, requires = "blockhash")]
    pub sign_only: bool,
    /// The blockhash every offline signer uses (from `depin blockhash`)
    #[arg(long, value_name = "HASH")]
    pub blockhash: Option<Hash>,
    /// A signature made elsewhere, as printed by --sign-only
    #[arg(
        long = "signer",
        value_name = "PUBKEY=SIGNATURE",
        requires = "blockhash"
    )]
    pub signers: Vec<String>,
}

/// A signer argument: a keypair at hand, or only the public key.
pub enum SignerSource {
    Keypair(Keypair),
    Pubkey(Pubkey),
}

impl SignerSource {
    /// A keypair file path, or a base58 public key (when no such file exists).
    pub fn parse(text: &str, flag: &str) -> Result<Self> {
        let path = Path::new(text);
        if !path.exists() {
            if let Ok(pubkey) = text.parse::<Pubkey>() {
                return Ok(SignerSource::Pubkey(pubkey));
            }
        }
        read_keypair(path, &Source::Flag)
            .map(SignerSource::Keypair)
            .with_context(|| format!("{flag} {text}: neither a keypair file nor a public key"))
    }

    /// `flag`'s value, else the -k keypair.
    pub fn or_default(text: Option<&str>, flag: &str, settings: &Settings) -> Result<Self> {
        match text {
            Some(text) => Self::parse(text, flag),
            None => settings.payer().map(SignerSource::Keypair),
        }
    }

    pub fn pubkey(&self) -> Pubkey {
        match self {
            SignerSource::Keypair(keypair) => keypair.pubkey(),
            SignerSource::Pubkey(pubkey) => *pubkey,
        }
    }

    pub fn keypair(&self) -> Option<&Keypair> {
        match self {
            SignerSource::Keypair(keypair) => Some(keypair),
            SignerSource::Pubkey(_) => None,
        }
    }

    /// The keypair, or an error saying this command must hold it.
    #[allow(dead_code)] // for commands whose signer must be local
    pub fn require_keypair(&self, flag: &str) -> Result<&Keypair> {
        self.keypair().ok_or_else(|| {
            anyhow!(
                "{flag} {} is a public key, but this command needs its keypair file",
                self.pubkey()
            )
        })
    }
}

/// What happened to a transaction.
pub enum Outcome {
    Sent(Sent),
    DryRun(DryRun),
    SignedOnly(PartialSignatures),
}

/// One command's connection: the cluster, the fee payer, output and the
/// transaction flags.
pub struct Session {
    pub settings: Settings,
    pub output: OutputFormat,
    pub tx: TxArgs,
    pub fee_payer: SignerSource,
    cluster: Option<RpcCluster>,
}

impl Session {
    /// Connects unless the work is offline (`--sign-only`).
    pub fn open(settings: Settings, output: OutputFormat, tx: TxArgs) -> Result<Self> {
        let fee_payer =
            SignerSource::or_default(tx.fee_payer.as_deref(), "--fee-payer", &settings)?;
        let cluster = if tx.sign_only {
            None
        } else {
            // The cluster's payer signs and pays for normal sends; with a
            // fee payer whose signature comes from elsewhere it only reads.
            let payer = match &fee_payer {
                SignerSource::Keypair(keypair) => keypair.insecure_clone(),
                SignerSource::Pubkey(_) => Keypair::new(),
            };
            Some(crate::connect(&settings, payer)?)
        };
        Ok(Session {
            settings,
            output,
            tx,
            fee_payer,
            cluster,
        })
    }

    /// The cluster (reads); an error for offline work.
    pub fn cluster(&self) -> Result<&RpcCluster> {
        self.cluster
            .as_ref()
            .ok_or_else(|| anyhow!("--sign-only works offline: this step needs the cluster"))
    }

    /// The signer a flag names (keypair file or public key), else the -k keypair.
    pub fn signer(&self, flag_value: Option<&str>, flag: &str) -> Result<SignerSource> {
        SignerSource::or_default(flag_value, flag, &self.settings)
    }

    pub fn url(&self) -> &str {
        &self.settings.rpc_url
    }

    /// Sends `instructions` signed by the fee payer and `signers` as the
    /// flags say: sent, simulated (`--dry-run`) or signed offline.
    pub async fn execute(
        &self,
        instructions: &[Instruction],
        signers: &[&SignerSource],
    ) -> Result<Outcome> {
        let keypairs: Vec<&Keypair> = std::iter::once(&self.fee_payer)
            .chain(signers.iter().copied())
            .filter_map(SignerSource::keypair)
            .collect();
        let signer_keys: Vec<Pubkey> = signers.iter().map(|s| s.pubkey()).collect();
        let given = parse_signatures(&self.tx.signers)?;
        let offline = self.tx.sign_only
            || !given.is_empty()
            || self.fee_payer.keypair().is_none()
            || signers.iter().any(|s| s.keypair().is_none());
        if offline {
            let Some(blockhash) = self.tx.blockhash else {
                bail!(
                    "a signer here is a public key only: sign offline with --sign-only --blockhash HASH \
                     on each side, then send with --blockhash HASH --signer PUBKEY=SIGNATURE"
                );
            };
            let message = offline_message(
                instructions,
                &self.fee_payer.pubkey(),
                blockhash,
                self.tx.compute_unit_limit,
                self.tx.compute_unit_price,
            );
            if self.tx.sign_only {
                return Ok(Outcome::SignedOnly(sign_partial(&message, &keypairs)));
            }
            let transaction = assemble(message, &keypairs, &given)?;
            return match self.cluster()?.send_signed(transaction).await {
                Ok(sent) => Ok(Outcome::Sent(sent)),
                Err(error) => Err(self.explain(error, &signer_keys).await),
            };
        }
        let options = SendOptions {
            compute_unit_limit: self.tx.compute_unit_limit,
            compute_unit_price: self.tx.compute_unit_price,
            skip_simulation: false,
        };
        let cluster = self.cluster()?;
        let outcome = if self.tx.dry_run {
            cluster
                .dry_run(instructions, &options)
                .await
                .map(Outcome::DryRun)
        } else {
            let others: Vec<&Keypair> = keypairs.into_iter().skip(1).collect();
            cluster
                .send_with(instructions, &others, &options)
                .await
                .map(Outcome::Sent)
        };
        match outcome {
            Ok(outcome) => Ok(outcome),
            Err(error) => Err(self.explain(error, &signer_keys).await),
        }
    }

    /// Sends and prints: `summary` (JSON) and `human` describe what the
    /// command did; the transaction's figures are added.
    pub async fn run(
        &self,
        instructions: &[Instruction],
        signers: &[&SignerSource],
        summary: Value,
        human: impl FnOnce() -> String,
    ) -> Result<Option<Sent>> {
        let outcome = self.execute(instructions, signers).await?;
        self.print(&outcome, summary, human);
        Ok(match outcome {
            Outcome::Sent(sent) => Some(sent),
            _ => None,
        })
    }

    /// Sends several transactions in order, each signed by the fee payer
    /// and `signers`, with a progress bar on a terminal. `--dry-run` and
    /// offline signing handle one transaction: refused for more.
    pub async fn send_each(
        &self,
        batches: &[Vec<Instruction>],
        signers: &[&SignerSource],
    ) -> Result<Vec<Sent>> {
        let n = batches.len();
        if n > 1 && (self.tx.dry_run || self.tx.sign_only || self.tx.blockhash.is_some()) {
            bail!("this takes {n} transactions: --dry-run and offline signing handle one");
        }
        let bar = crate::progress::Count::new(self.output.wants_progress(), n, "transactions");
        let mut sent = Vec::with_capacity(n);
        for batch in batches {
            match self.execute(batch, signers).await? {
                Outcome::Sent(s) => sent.push(s),
                _ => unreachable!("neither a dry run nor offline signing"),
            }
            bar.inc();
        }
        Ok(sent)
    }

    /// [`Session::run`] for work that may take several transactions (e.g.
    /// catching up in chunks): none prints `summary` alone, one goes through
    /// `run` (so `--dry-run` and `--sign-only` work), more are sent in order
    /// and `summary` gets `"transactions": [TRANSACTION]`.
    pub async fn run_all(
        &self,
        batches: Vec<Vec<Instruction>>,
        signers: &[&SignerSource],
        summary: Value,
        human: impl FnOnce() -> String,
    ) -> Result<()> {
        match batches.len() {
            0 => {
                self.output.print(&summary, human);
                Ok(())
            }
            1 => {
                self.run(&batches[0], signers, summary, human).await?;
                Ok(())
            }
            _ => {
                let sent = self.send_each(&batches, signers).await?;
                let mut json = summary;
                json["transactions"] = sent.iter().map(|s| sent_json(s, self.url())).collect();
                self.output.print(&json, || {
                    let signatures: Vec<String> =
                        sent.iter().map(|s| s.signature.to_string()).collect();
                    format!("{}\nSignatures:\n  {}", human(), signatures.join("\n  "))
                });
                Ok(())
            }
        }
    }

    pub fn print(&self, outcome: &Outcome, summary: Value, human: impl FnOnce() -> String) {
        let mut json = match summary {
            Value::Object(map) => Value::Object(map),
            Value::Null => json!({}),
            other => json!({ "result": other }),
        };
        match outcome {
            Outcome::Sent(sent) => {
                json["transaction"] = sent_json(sent, self.url());
                self.output.print(&json, || {
                    format!("{}\n{}", human(), sent_human(sent, self.url()))
                });
            }
            Outcome::DryRun(dry) => {
                json["dry_run"] = dry_run_json(dry);
                self.output.print(&json, || {
                    format!(
                        "Dry run, nothing sent. Would do: {}\n{}",
                        human(),
                        dry_run_human(dry)
                    )
                });
            }
            Outcome::SignedOnly(partial) => {
                let json = signed_only_json(partial);
                self.output.print(&json, || signed_only_human(partial));
            }
        }
    }

    /// A client error with what to do about it.
    async fn explain(&self, error: ClientError, signers: &[Pubkey]) -> anyhow::Error {
        let payer = self.fee_payer.pubkey();
        let balance = match (&self.cluster, &error) {
            (Some(cluster), ClientError::Transaction(_)) => {
                depin_client::Cluster::get_balance(cluster, &payer)
                    .await
                    .ok()
            }
            _ => None,
        };
        let holds = balance
            .map(|b| format!(" (it holds {} SOL)", sol(b)))
            .unwrap_or_default();
        let hint = match &error {
            ClientError::Transaction(failure) => match &failure.error {
                TransactionError::ProgramAccountNotFound
                | TransactionError::InvalidProgramForExecution => Some(format!(
                    "the depin programs are not deployed on {}: run `depin deploy` (and `depin init`)",
                    self.url()
                )),
                TransactionError::AccountNotFound | TransactionError::InsufficientFundsForFee => {
                    Some(format!(
                        "the fee payer {payer}{holds} cannot pay the fee on {}: fund it (`depin \
                         airdrop 1` on devnet or a local validator) or choose another with --fee-payer",
                        self.url()
                    ))
                }
                TransactionError::InsufficientFundsForRent { account_index } => Some(format!(
                    "account #{account_index} of the transaction would hold less than its rent: \
                     the fee payer {payer}{holds} needs more SOL"
                )),
                _ if failure.logs.iter().any(|l| l.contains("insufficient lamports")) => {
                    let line = failure
                        .logs
                        .iter()
                        .find(|l| l.contains("insufficient lamports"))
                        .map(|l| l.trim_start_matches("Program log: ").to_string())
                        .unwrap_or_default();
                    Some(self.who_lacks_sol(&line, signers, &holds).await)
                }
                _ => None,
            },
            ClientError::NotConfirmed { .. } if self.tx.blockhash.is_some() => Some(
                "a transaction signed offline cannot be signed again here: sign it anew with a \
                 fresh --blockhash on every side"
                    .into(),
            ),
            _ => None,
        };
        match hint {
            Some(hint) => anyhow!("{error}\n{hint}"),
            None => error.into(),
        }
    }
}

impl Session {
    /// Which signer a runtime line "insufficient lamports HELD, need NEEDED"
    /// is about: the signer holding exactly HELD (an instruction's payer,
    /// e.g. a buyer), else the fee payer.
    async fn who_lacks_sol(&self, line: &str, signers: &[Pubkey], payer_holds: &str) -> String {
        let figures = line
            .split_once("insufficient lamports ")
            .and_then(|(_, rest)| rest.split_once(", need "))
            .and_then(|(held, need)| {
                Some((
                    held.trim().parse::<u64>().ok()?,
                    need.trim().parse::<u64>().ok()?,
                ))
            });
        if let (Some((held, need)), Some(cluster)) = (figures, &self.cluster) {
            for key in signers {
                let balance = depin_client::Cluster::get_balance(cluster, key).await.ok();
                if balance == Some(held) && *key != self.fee_payer.pubkey() {
                    return format!(
                        "not enough SOL: {key} signs this instruction and pays the rent of an \
                         account it opens, but holds {} SOL and needs {} SOL: fund it \
                         (`depin airdrop 1 {key}` on devnet or a local validator)",
                        sol(held),
                        sol(need)
                    );
                }
            }
        }
        format!(
            "not enough SOL ({line}): the fee payer {}{payer_holds} pays the rent of new \
             accounts; fund it",
            self.fee_payer.pubkey()
        )
    }
}

/// `PUBKEY=SIGNATURE` arguments.
pub fn parse_signatures(texts: &[String]) -> Result<Vec<(Pubkey, Signature)>> {
    texts
        .iter()
        .map(|text| {
            let (key, signature) = text
                .split_once('=')
                .ok_or_else(|| anyhow!("--signer {text:?}: expected PUBKEY=SIGNATURE"))?;
            let key: Pubkey = key
                .parse()
                .map_err(|_| anyhow!("--signer {text:?}: {key:?} is not a public key"))?;
            let signature: Signature = signature
                .parse()
                .map_err(|_| anyhow!("--signer {text:?}: {signature:?} is not a signature"))?;
            Ok((key, signature))
        })
        .collect()
}

/// The explorer's page for a signature on the cluster at `url`.
pub fn explorer_url(signature: &Signature, url: &str) -> String {
    let base = format!("https://explorer.solana.com/tx/{signature}");
    match url.trim_end_matches('/') {
        crate::config::MAINNET_URL => base,
        crate::config::DEVNET_URL => format!("{base}?cluster=devnet"),
        crate::config::TESTNET_URL => format!("{base}?cluster=testnet"),
        custom => format!("{base}?cluster=custom&customUrl={}", percent_encode(custom)),
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn sent_json(sent: &Sent, url: &str) -> Value {
    json!({
        "signature": sent.signature.to_string(),
        "compute_units": sent.compute_units,
        "fee_lamports": sent.fee,
        "explorer": explorer_url(&sent.signature, url),
    })
}

fn sent_human(sent: &Sent, url: &str) -> String {
    let fee = sent
        .fee
        .map(|f| format!("{} SOL", sol(f)))
        .unwrap_or_else(|| "unknown".into());
    format!(
        "Signature: {}\nCompute units: {}\nFee: {fee}\nExplorer: {}",
        sent.signature,
        sent.compute_units,
        explorer_url(&sent.signature, url)
    )
}

fn dry_run_json(dry: &DryRun) -> Value {
    json!({
        "compute_units": dry.compute_units,
        "compute_unit_limit": dry.compute_unit_limit,
        "compute_unit_price": dry.compute_unit_price,
        "fee_lamports": dry.fee,
        "rent_lamports": dry.rent_of_created(),
        "accounts": dry.writes.iter().map(|w| json!({
            "address": w.address.to_string(),
            "created": w.created(),
            "closed": w.closed(),
            "lamports_before": w.lamports_before,
            "lamports_after": w.lamports_after,
            "size_before": w.size_before,
            "size_after": w.size_after,
            "owner": w.owner_after.map(|o| o.to_string()),
            "token": w.tokens.as_ref().map(|t| json!({
                "mint": t.mint.to_string(),
                "before": t.before,
                "after": t.after,
                "decimals": t.decimals,
            })),
        })).collect::<Vec<_>>(),
    })
}

fn dry_run_human(dry: &DryRun) -> String {
    let mut lines = vec![format!(
        "Compute units: {} (limit {}), fee {} SOL, rent for new accounts {} SOL",
        dry.compute_units,
        dry.compute_unit_limit
            .map(|l| l.to_string())
            .unwrap_or_else(|| "default".into()),
        sol(dry.fee),
        sol(dry.rent_of_created())
    )];
    for w in &dry.writes {
        let what = if w.created() {
            format!("created, {} bytes", w.size_after.unwrap_or(0))
        } else if w.closed() {
            "closed".into()
        } else {
            "written".into()
        };
        let mut line = format!("  {} {what}: {:+} lamports", w.address, w.lamports_delta());
        if let Some(t) = &w.tokens {
            line.push_str(&format!(
                ", tokens {} -> {}",
                crate::output::ui_amount(t.before, t.decimals),
                crate::output::ui_amount(t.after, t.decimals)
            ));
        }
        lines.push(line);
    }
    lines.join("\n")
}

fn signed_only_json(partial: &PartialSignatures) -> Value {
    json!({
        "blockhash": partial.blockhash.to_string(),
        "signers": partial.signed.iter().map(|(k, s)| format!("{k}={s}")).collect::<Vec<_>>(),
        "absent": partial.absent.iter().map(Pubkey::to_string).collect::<Vec<_>>(),
    })
}

fn signed_only_human(partial: &PartialSignatures) -> String {
    let mut lines = vec![
        format!("Blockhash: {}", partial.blockhash),
        "Signers (Pubkey=Signature):".into(),
    ];
    lines.extend(partial.signed.iter().map(|(k, s)| format!("  {k}={s}")));
    if !partial.absent.is_empty() {
        lines.push("Absent Signers (Pubkey):".into());
        lines.extend(partial.absent.iter().map(|k| format!("  {k}")));
    }
    let flags: Vec<String> = partial
        .signed
        .iter()
        .map(|(k, s)| format!("--signer {k}={s}"))
        .collect();
    lines.push(format!(
        "Pass on: --blockhash {} {}",
        partial.blockhash,
        flags.join(" ")
    ));
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explorer_links_name_the_cluster() {
        let signature = Signature::default();
        assert!(explorer_url(&signature, crate::config::DEVNET_URL).ends_with("?cluster=devnet"));
        assert!(!explorer_url(&signature, crate::config::MAINNET_URL).contains('?'));
        assert!(explorer_url(&signature, "http://127.0.0.1:8899")
            .ends_with("?cluster=custom&customUrl=http%3A%2F%2F127.0.0.1%3A8899"));
    }

    #[test]
    fn signer_pairs_parse_or_say_why_not() {
        let key = Pubkey::new_unique();
        let signature = Signature::from([7u8; 64]);
        let parsed = parse_signatures(&[format!("{key}={signature}")]).unwrap();
        assert_eq!(parsed, vec![(key, signature)]);
        let error = parse_signatures(&["nonsense".into()]).unwrap_err();
        assert!(error.to_string().contains("PUBKEY=SIGNATURE"), "{error}");
        let error = parse_signatures(&[format!("{key}=zz")]).unwrap_err();
        assert!(error.to_string().contains("not a signature"), "{error}");
    }
}
