//! `depin keys`: program keypairs and the ids the sources declare.
//!
//! JSON shapes:
//! - `list`: `{"keypair_dir": PATH, "programs": [{"program", "declared_id",
//!   "keypair_path", "keypair_id" (null when missing), "matches"}]}`
//! - `sync`: `{"keypair_dir", "programs": [{"program", "id", "keypair_path",
//!   "keypair_created", "source_updated"}], "anchor_toml_updated",
//!   "rebuild_needed"}`
//! - `new`: `{"path", "pubkey"}`

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use depin_client::deploy::keyfile;
use depin_client::{Keypair, Pubkey, Signer};
use serde_json::json;

use crate::output::OutputFormat;
use crate::table::Table;
use crate::workspace::{self, ProgramSource, Workspace};

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Each program's declared id (declare_id!), its keypair's id, and whether they match.
    List(KeyDir),
    /// Creates missing program keypairs and rewrites declare_id! and Anchor.toml to them.
    Sync(KeyDir),
    /// Writes a new keypair file (a wallet, e.g. the payer); never overwrites.
    New {
        /// Where to write it (default: the keypair from -k or the config).
        path: Option<PathBuf>,
    },
}

#[derive(Args)]
pub struct KeyDir {
    /// Folder of <program>-keypair.json files [default: target/deploy]
    #[arg(long, value_name = "DIR")]
    pub keypair_dir: Option<PathBuf>,
}

impl KeyDir {
    pub fn resolve(&self, workspace: &Workspace) -> PathBuf {
        match &self.keypair_dir {
            Some(dir) if dir.is_relative() => std::env::current_dir()
                .map(|cwd| cwd.join(dir))
                .unwrap_or_else(|_| dir.clone()),
            Some(dir) => dir.clone(),
            None => workspace.deploy_dir(),
        }
    }
}

pub fn keypair_path(dir: &Path, program: &str) -> PathBuf {
    dir.join(format!("{program}-keypair.json"))
}

/// The keypair's id, `None` when the file is missing.
fn keypair_id(path: &Path) -> Result<Option<Pubkey>> {
    if !path.exists() {
        return Ok(None);
    }
    Ok(Some(keyfile::read(path)?.pubkey()))
}

pub fn run(
    command: KeysCommand,
    output: OutputFormat,
    default_wallet: impl FnOnce() -> Result<PathBuf>,
) -> Result<()> {
    match command {
        KeysCommand::List(dir) => {
            let workspace = Workspace::find(&std::env::current_dir()?)?;
            list(&workspace, &dir.resolve(&workspace), output)
        }
        KeysCommand::Sync(dir) => {
            let workspace = Workspace::find(&std::env::current_dir()?)?;
            sync(&workspace, &dir.resolve(&workspace), output)
        }
        KeysCommand::New { path } => {
            let path = match path {
                Some(path) => path,
                None => default_wallet()?,
            };
            new_keypair(&path, output)
        }
    }
}

fn list(workspace: &Workspace, dir: &Path, output: OutputFormat) -> Result<()> {
    let mut rows = vec![];
    for program in workspace.programs()? {
        let path = keypair_path(dir, &program.lib_name);
        let id = keypair_id(&path)?;
        rows.push((program, path, id));
    }
    let json = json!({
        "keypair_dir": dir,
        "programs": rows.iter().map(|(program, path, id)| json!({
            "program": program.lib_name,
            "declared_id": program.declared_id.map(|id| id.to_string()),
            "keypair_path": path,
            "keypair_id": id.map(|id| id.to_string()),
            "matches": id.is_some() && *id == program.declared_id,
        })).collect::<Vec<_>>(),
    });
    output.print(&json, || {
        let mut table = Table::new(&["program", "declared id (source)", "keypair id", "match"]);
        for (program, _, id) in &rows {
            table.row(vec![
                program.lib_name.clone(),
                program
                    .declared_id
                    .map_or("(no declare_id!)".into(), |id| id.to_string()),
                id.map_or("(no keypair)".into(), |id| id.to_string()),
                if id.is_some() && *id == program.declared_id { "yes" } else { "NO" }.into(),
            ]);
        }
        let all_match = rows
            .iter()
            .all(|(p, _, id)| id.is_some() && *id == p.declared_id);
        format!(
            "Keypairs in {}\n{}{}",
            dir.display(),
            table.render(),
            if all_match {
                ""
            } else {
                "\n\n`depin keys sync` creates missing keypairs and sets declare_id! and Anchor.toml to them."
            }
        )
    });
    Ok(())
}

struct Synced {
    program: ProgramSource,
    id: Pubkey,
    keypair_path: PathBuf,
    keypair_created: bool,
    source_updated: bool,
}

fn sync(workspace: &Workspace, dir: &Path, output: OutputFormat) -> Result<()> {
    let mut synced = vec![];
    for program in workspace.programs()? {
        let path = keypair_path(dir, &program.lib_name);
        let (id, created) = match keypair_id(&path)? {
            Some(id) => (id, false),
            None => {
                let keypair = Keypair::new();
                keyfile::write_new(&path, &keypair)?;
                (keypair.pubkey(), true)
            }
        };
        let source_updated = program.declared_id != Some(id);
        if source_updated {
            let text = std::fs::read_to_string(&program.lib_rs)?;
            let Some(updated) = workspace::set_declare_id(&text, &id) else {
                bail!(
                    "{} has no declare_id!(\"...\") to set",
                    program.lib_rs.display()
                );
            };
            std::fs::write(&program.lib_rs, updated)
                .with_context(|| format!("cannot write {}", program.lib_rs.display()))?;
        }
        synced.push(Synced {
            program,
            id,
            keypair_path: path,
            keypair_created: created,
            source_updated,
        });
    }
    let anchor_toml = workspace.anchor_toml();
    let before = std::fs::read_to_string(&anchor_toml)?;
    let ids: Vec<(String, Pubkey)> = synced
        .iter()
        .map(|s| (s.program.lib_name.clone(), s.id))
        .collect();
    let after = workspace::set_anchor_ids(&before, &ids)?;
    let anchor_toml_updated = after != before;
    if anchor_toml_updated {
        std::fs::write(&anchor_toml, &after)?;
    }
    let rebuild_needed = synced.iter().any(|s| s.source_updated);

    let json = json!({
        "keypair_dir": dir,
        "programs": synced.iter().map(|s| json!({
            "program": s.program.lib_name,
            "id": s.id.to_string(),
            "keypair_path": s.keypair_path,
            "keypair_created": s.keypair_created,
            "source_updated": s.source_updated,
        })).collect::<Vec<_>>(),
        "anchor_toml_updated": anchor_toml_updated,
        "rebuild_needed": rebuild_needed,
    });
    output.print(&json, || {
        let mut table = Table::new(&["program", "id", "keypair", "declare_id!"]);
        for s in &synced {
            table.row(vec![
                s.program.lib_name.clone(),
                s.id.to_string(),
                if s.keypair_created { "created" } else { "kept" }.into(),
                if s.source_updated {
                    "updated"
                } else {
                    "unchanged"
                }
                .into(),
            ]);
        }
        let next = if rebuild_needed {
            "\n\nThe programs and the client embed their ids: rebuild both before deploying.\n  \
             scripts/build-sbf\n  cargo build --release -p depin-cli"
        } else {
            "\n\nEvery declare_id! already matched its keypair: nothing to rebuild."
        };
        format!(
            "Keypairs in {}\n{}\nAnchor.toml {}{}",
            dir.display(),
            table.render(),
            if anchor_toml_updated {
                "updated"
            } else {
                "unchanged"
            },
            next
        )
    });
    Ok(())
}

fn new_keypair(path: &Path, output: OutputFormat) -> Result<()> {
    let keypair = Keypair::new();
    keyfile::write_new(path, &keypair)?;
    let json = json!({ "path": path, "pubkey": keypair.pubkey().to_string() });
    output.print(&json, || {
        format!(
            "Wrote a new keypair to {}\npubkey: {}",
            path.display(),
            keypair.pubkey()
        )
    });
    Ok(())
}
