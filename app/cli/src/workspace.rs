//! The program sources: where the workspace is, its programs, the ids they
//! declare, and rewriting those ids (`declare_id!`, Anchor.toml).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use depin_client::Pubkey;

/// The `[programs.<cluster>]` tables `keys sync` keeps complete.
const CLUSTERS: [&str; 2] = ["localnet", "devnet"];

pub struct Workspace {
    pub root: PathBuf,
}

/// One program crate under `programs/`.
#[derive(Debug, Clone)]
pub struct ProgramSource {
    /// The crate's lib name: `depin_registry` (its `.so` and keypair are named so).
    pub lib_name: String,
    pub lib_rs: PathBuf,
    /// What `declare_id!` says, if the file has one.
    pub declared_id: Option<Pubkey>,
}

impl Workspace {
    /// The nearest folder at or above `start` with an Anchor.toml.
    pub fn find(start: &Path) -> Result<Self> {
        let start = start
            .canonicalize()
            .with_context(|| format!("cannot resolve {}", start.display()))?;
        match start
            .ancestors()
            .find(|dir| dir.join("Anchor.toml").is_file())
        {
            Some(root) => Ok(Workspace {
                root: root.to_path_buf(),
            }),
            None => bail!(
                "no Anchor.toml in {} or above it: run this inside the depin repository",
                start.display()
            ),
        }
    }

    pub fn anchor_toml(&self) -> PathBuf {
        self.root.join("Anchor.toml")
    }

    /// Where `scripts/build-sbf` puts the programs, and where program
    /// keypairs live by default (the Solana and Anchor convention).
    pub fn deploy_dir(&self) -> PathBuf {
        self.root.join("target/deploy")
    }

    /// Every `programs/*` crate, by lib name.
    pub fn programs(&self) -> Result<Vec<ProgramSource>> {
        let dir = self.root.join("programs");
        let entries = std::fs::read_dir(&dir)
            .with_context(|| format!("cannot list the programs in {}", dir.display()))?;
        let mut programs = vec![];
        for entry in entries {
            let crate_dir = entry?.path();
            let manifest = crate_dir.join("Cargo.toml");
            if !manifest.is_file() {
                continue;
            }
            let lib_name = lib_name(&manifest)?;
            let lib_rs = crate_dir.join("src/lib.rs");
            let source = std::fs::read_to_string(&lib_rs)
                .with_context(|| format!("cannot read {}", lib_rs.display()))?;
            let declared_id = match find_declare_id(&source) {
                Some((_, id)) => Some(id.parse().map_err(|_| {
                    anyhow::anyhow!(
                        "{}: declare_id!({id:?}) is not a valid address",
                        lib_rs.display()
                    )
                })?),
                None => None,
            };
            programs.push(ProgramSource {
                lib_name,
                lib_rs,
                declared_id,
            });
        }
        programs.sort_by(|a, b| a.lib_name.cmp(&b.lib_name));
        Ok(programs)
    }

    /// The programs named (`registry` or `depin_registry`), or all of them.
    pub fn select(&self, names: &[String]) -> Result<Vec<ProgramSource>> {
        let all = self.programs()?;
        if names.is_empty() {
            return Ok(all);
        }
        names
            .iter()
            .map(|name| {
                all.iter()
                    .find(|p| p.lib_name == *name || p.lib_name == format!("depin_{name}"))
                    .cloned()
                    .with_context(|| {
                        let known: Vec<&str> = all.iter().map(|p| p.lib_name.as_str()).collect();
                        format!("no program {name:?}; the programs are {}", known.join(", "))
                    })
            })
            .collect()
    }
}

/// `[lib] name`, else the package name with `-` as `_`.
fn lib_name(manifest: &Path) -> Result<String> {
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?;
    let doc: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", manifest.display()))?;
    let name = doc
        .get("lib")
        .and_then(|lib| lib.get("name"))
        .or_else(|| doc.get("package").and_then(|p| p.get("name")))
        .and_then(|n| n.as_str())
        .with_context(|| format!("{} names no package", manifest.display()))?;
    Ok(name.replace('-', "_"))
}

/// The byte range of the string inside `declare_id!("...")` and the string.
pub fn find_declare_id(source: &str) -> Option<(std::ops::Range<usize>, &str)> {
    let macro_at = source
        .match_indices("declare_id!")
        .map(|(at, _)| at)
        .find(|at| {
            // Skip commented-out lines.
            let line_start = source[..*at].rfind('\n').map_or(0, |n| n + 1);
            !source[line_start..*at].trim_start().starts_with("//")
        })?;
    let open = macro_at + source[macro_at..].find('"')? + 1;
    let close = open + source[open..].find('"')?;
    Some((open..close, &source[open..close]))
}

/// `source` with its `declare_id!` set to `id`; `None` if it has none.
pub fn set_declare_id(source: &str, id: &Pubkey) -> Option<String> {
    let (range, _) = find_declare_id(source)?;
    let mut out = source.to_string();
    out.replace_range(range, &id.to_string());
    Some(out)
}

/// Anchor.toml with every `[programs.<cluster>]` table (localnet and devnet
/// at least) mapping each program to its id; comments and order kept.
pub fn set_anchor_ids(anchor_toml: &str, ids: &[(String, Pubkey)]) -> Result<String> {
    let mut doc: toml_edit::DocumentMut = anchor_toml
        .parse()
        .context("Anchor.toml is not valid TOML")?;
    let programs = doc
        .entry("programs")
        .or_insert_with(|| {
            let mut table = toml_edit::Table::new();
            table.set_implicit(true);
            toml_edit::Item::Table(table)
        })
        .as_table_mut()
        .context("Anchor.toml: [programs] is not a table")?;
    for cluster in CLUSTERS {
        if !programs.contains_key(cluster) {
            programs.insert(cluster, toml_edit::Item::Table(toml_edit::Table::new()));
        }
    }
    for (cluster, table) in programs.iter_mut() {
        let table = table
            .as_table_mut()
            .with_context(|| format!("Anchor.toml: [programs.{cluster}] is not a table"))?;
        for (name, id) in ids {
            match table.get_mut(name).and_then(|item| item.as_value_mut()) {
                // Keep the entry's decoration (spacing, comments).
                Some(value) => {
                    let decor = value.decor().clone();
                    *value = toml_edit::Value::from(id.to_string());
                    *value.decor_mut() = decor;
                }
                None => {
                    table.insert(name, toml_edit::value(id.to_string()));
                }
            }
        }
    }
    Ok(doc.to_string())
}

/// The ids Anchor.toml gives each program, per cluster table.
#[cfg(test)]
pub fn anchor_ids(anchor_toml: &str) -> Result<Vec<(String, String, String)>> {
    let doc: toml_edit::DocumentMut = anchor_toml
        .parse()
        .context("Anchor.toml is not valid TOML")?;
    let mut out = vec![];
    if let Some(programs) = doc.get("programs").and_then(|p| p.as_table()) {
        for (cluster, table) in programs.iter() {
            if let Some(table) = table.as_table() {
                for (name, id) in table.iter() {
                    if let Some(id) = id.as_str() {
                        out.push((cluster.to_string(), name.to_string(), id.to_string()));
                    }
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_rewrites_declare_id() {
        let source = "use x;\n// declare_id!(\"old\");\ndeclare_id!(\"Hg6wxgA3a1CSamD91iMxE3EjUDFR6BQymz9fXSmmZucN\");\nfn f() {}\n";
        let (_, id) = find_declare_id(source).unwrap();
        assert_eq!(id, "Hg6wxgA3a1CSamD91iMxE3EjUDFR6BQymz9fXSmmZucN");
        let new = Pubkey::new_unique();
        let rewritten = set_declare_id(source, &new).unwrap();
        assert!(rewritten.contains(&format!("declare_id!(\"{new}\");\nfn f()")));
        assert!(rewritten.contains("// declare_id!(\"old\");"));
        assert!(set_declare_id("fn main() {}", &new).is_none());
    }

    #[test]
    fn anchor_toml_gets_every_program_in_localnet_and_devnet() {
        let text = "[toolchain]\nanchor_version = \"1.2.2\"\n\n# ids\n[programs.localnet]\ndepin_registry = \"Old1\" # keep me\n\n[provider]\ncluster = \"localnet\"\n";
        let a = Pubkey::new_unique();
        let b = Pubkey::new_unique();
        let ids = [
            ("depin_registry".to_string(), a),
            ("depin_rewards".to_string(), b),
        ];
        let out = set_anchor_ids(text, &ids).unwrap();
        assert!(
            out.contains(&format!("depin_registry = \"{a}\" # keep me")),
            "{out}"
        );
        assert!(out.contains("# ids\n[programs.localnet]"), "{out}");
        assert!(out.contains("[provider]\ncluster = \"localnet\""), "{out}");
        let all = anchor_ids(&out).unwrap();
        for cluster in ["localnet", "devnet"] {
            for (name, id) in &ids {
                assert!(
                    all.contains(&(cluster.into(), name.clone(), id.to_string())),
                    "{cluster} {name}: {out}"
                );
            }
        }
    }
}
