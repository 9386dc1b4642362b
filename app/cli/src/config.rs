//! Where to connect and who pays, the way the `solana` CLI decides it:
//! `~/.config/solana/cli/config.yml` (or `-C FILE`), overridden by `-u`,
//! `--ws`, `-k` and `--commitment`. A missing default config file means the
//! `solana` CLI's defaults.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use depin_client::deploy::keyfile;
use depin_client::Keypair;
use serde::Deserialize;

pub const MAINNET_URL: &str = "https://api.mainnet-beta.solana.com";
pub const DEVNET_URL: &str = "https://api.devnet.solana.com";
pub const TESTNET_URL: &str = "https://api.testnet.solana.com";
pub const LOCALHOST_URL: &str = "http://localhost:8899";

/// The config file's fields that matter here (others, such as
/// `address_labels`, are ignored).
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
pub struct ConfigFile {
    pub json_rpc_url: Option<String>,
    pub websocket_url: Option<String>,
    pub keypair_path: Option<String>,
    pub commitment: Option<String>,
}

/// What the command line says (each overrides the config file).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub url: Option<String>,
    pub websocket_url: Option<String>,
    pub keypair: Option<PathBuf>,
    pub commitment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commitment {
    Processed,
    Confirmed,
    Finalized,
}

impl Commitment {
    pub fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "processed" => Commitment::Processed,
            "confirmed" => Commitment::Confirmed,
            "finalized" => Commitment::Finalized,
            other => bail!("unknown commitment {other:?}: use processed, confirmed or finalized"),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Commitment::Processed => "processed",
            Commitment::Confirmed => "confirmed",
            Commitment::Finalized => "finalized",
        }
    }
}

/// Where each setting came from, for messages ("from -u", "from config.yml").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    File(PathBuf),
    Default,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The config file read, if one was.
    pub config_file: Option<PathBuf>,
    pub rpc_url: String,
    pub websocket_url: String,
    pub keypair_path: PathBuf,
    pub keypair_source: Source,
    pub commitment: Commitment,
}

impl Settings {
    /// Reads the config file (`-C`, else the default path if it exists)
    /// and applies the overrides.
    pub fn load(overrides: &Overrides, home: &Path) -> Result<Self> {
        let default_path = default_config_path(home);
        let (file, path) = match &overrides.config_file {
            Some(path) => (Some(read_config_file(path)?), path.clone()),
            None if default_path.exists() => (Some(read_config_file(&default_path)?), default_path),
            None => (None, default_path),
        };
        Ok(resolve(
            file.as_ref().map(|f| (f, path.as_path())),
            overrides,
            home,
        ))
    }

    /// The payer: the keypair file, with a message that says what to do
    /// when it is missing.
    pub fn payer(&self) -> Result<Keypair> {
        read_keypair(&self.keypair_path, &self.keypair_source)
    }
}

/// Reads a keypair file named by `source`, saying what to do if it is missing.
pub fn read_keypair(path: &Path, source: &Source) -> Result<Keypair> {
    if !path.exists() {
        let named_by = match source {
            Source::Flag => "given with -k/--keypair".to_string(),
            Source::File(config) => format!("keypair_path in {}", config.display()),
            Source::Default => "the default keypair".to_string(),
        };
        bail!(
            "keypair file {} ({named_by}) does not exist; create one with `depin keys new {}` \
             (or `solana-keygen new -o {}`), or pass -k/--keypair PATH",
            path.display(),
            path.display(),
            path.display()
        );
    }
    keyfile::read(path).map_err(Into::into)
}

pub fn default_config_path(home: &Path) -> PathBuf {
    home.join(".config/solana/cli/config.yml")
}

fn read_config_file(path: &Path) -> Result<ConfigFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    if text.trim().is_empty() {
        return Ok(ConfigFile::default());
    }
    serde_yaml::from_str(&text)
        .with_context(|| format!("{} is not a Solana CLI config file", path.display()))
}

/// The URL for `-u`'s monikers (as the `solana` CLI knows them), else the
/// argument itself.
pub fn url_for_moniker(url_or_moniker: &str) -> String {
    match url_or_moniker {
        "m" | "mainnet-beta" => MAINNET_URL.into(),
        "d" | "devnet" => DEVNET_URL.into(),
        "t" | "testnet" => TESTNET_URL.into(),
        "l" | "localhost" => LOCALHOST_URL.into(),
        other => other.into(),
    }
}

/// The websocket URL the `solana` CLI derives from an RPC URL: `ws(s)://`,
/// and the next port when one is given (the validator listens there).
pub fn websocket_url_for(rpc_url: &str) -> String {
    let (scheme, rest) = match rpc_url.split_once("://") {
        Some(("https", rest)) => ("wss", rest),
        Some((_, rest)) => ("ws", rest),
        None => ("ws", rpc_url),
    };
    let (host_port, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host_port = match host_port
        .rsplit_once(':')
        .and_then(|(host, port)| Some((host, port.parse::<u16>().ok()?)))
    {
        Some((host, port)) => format!("{host}:{}", port.saturating_add(1)),
        None => host_port.to_string(),
    };
    format!("{scheme}://{host_port}{path}")
}

fn expand_home(path: &str, home: &Path) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => home.join(rest),
        None if path == "~" => home.to_path_buf(),
        None => PathBuf::from(path),
    }
}

/// Flags over file over defaults, like `solana`'s `ConfigInput`.
pub fn resolve(file: Option<(&ConfigFile, &Path)>, flags: &Overrides, home: &Path) -> Settings {
    let non_empty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    let file_path = file.map(|(_, path)| path.to_path_buf());
    let file = file.map(|(f, _)| f.clone()).unwrap_or_default();

    let rpc_url = match (&flags.url, non_empty(&file.json_rpc_url)) {
        (Some(url), _) => url_for_moniker(url),
        (None, Some(url)) => url,
        (None, None) => MAINNET_URL.into(),
    };
    let websocket_url = match (
        &flags.websocket_url,
        &flags.url,
        non_empty(&file.websocket_url),
    ) {
        (Some(ws), _, _) => ws.clone(),
        (None, Some(_), _) => websocket_url_for(&rpc_url),
        (None, None, Some(ws)) => ws,
        (None, None, None) => websocket_url_for(&rpc_url),
    };
    let (keypair_path, keypair_source) = match (&flags.keypair, non_empty(&file.keypair_path)) {
        (Some(path), _) => (path.clone(), Source::Flag),
        (None, Some(path)) => (
            expand_home(&path, home),
            Source::File(file_path.clone().unwrap_or_default()),
        ),
        (None, None) => (home.join(".config/solana/id.json"), Source::Default),
    };
    // An unknown commitment in the file falls back like `solana` does; on
    // the command line it is refused by clap before we get here.
    let commitment = flags
        .commitment
        .as_deref()
        .or(file.commitment.as_deref())
        .and_then(|c| Commitment::parse(c).ok())
        .unwrap_or(Commitment::Confirmed);
    Settings {
        config_file: file_path,
        rpc_url,
        websocket_url,
        keypair_path,
        keypair_source,
        commitment,
    }
}

/// `depin config`: the settings in force. JSON: `{"config_file" (null when
/// none was read), "json_rpc_url", "websocket_url", "keypair_path",
/// "commitment"}`.
pub fn show(settings: &Settings, output: crate::output::OutputFormat) {
    let json = serde_json::json!({
        "config_file": settings.config_file,
        "json_rpc_url": settings.rpc_url,
        "websocket_url": settings.websocket_url,
        "keypair_path": settings.keypair_path,
        "commitment": settings.commitment.as_str(),
    });
    output.print(&json, || {
        format!(
            "Config File: {}\nRPC URL: {}\nWebSocket URL: {}\nKeypair Path: {}\nCommitment: {}",
            settings
                .config_file
                .as_ref()
                .map_or("(none: defaults)".into(), |p| p.display().to_string()),
            settings.rpc_url,
            settings.websocket_url,
            settings.keypair_path.display(),
            settings.commitment.as_str()
        )
    });
}

/// `depin config set`, like `solana config set`: writes the flags given
/// (`-u`, `--ws`, `-k`, `--commitment`) into the config file (`-C`, else the
/// default path), keeping its other fields. Returns the file written.
pub fn set(overrides: &Overrides, home: &Path) -> Result<PathBuf> {
    let path = overrides
        .config_file
        .clone()
        .unwrap_or_else(|| default_config_path(home));
    let mut doc: serde_yaml::Mapping = match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => serde_yaml::from_str(&text)
            .with_context(|| format!("{} is not a Solana CLI config file", path.display()))?,
        _ => serde_yaml::Mapping::new(),
    };
    let mut put = |key: &str, value: String| {
        doc.insert(key.into(), value.into());
    };
    if let Some(url) = &overrides.url {
        let url = url_for_moniker(url);
        // A new RPC URL without --ws gets the websocket URL derived from it.
        if overrides.websocket_url.is_none() {
            put("websocket_url", websocket_url_for(&url));
        }
        put("json_rpc_url", url);
    }
    if let Some(ws) = &overrides.websocket_url {
        put("websocket_url", ws.clone());
    }
    if let Some(keypair) = &overrides.keypair {
        let absolute = std::path::absolute(keypair).unwrap_or_else(|_| keypair.clone());
        put("keypair_path", absolute.display().to_string());
    }
    if let Some(commitment) = &overrides.commitment {
        put(
            "commitment",
            Commitment::parse(commitment)?.as_str().to_string(),
        );
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let text = serde_yaml::to_string(&doc)?;
    std::fs::write(&path, format!("---\n{}", text.trim_start_matches("---\n")))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// `$HOME`, where the `solana` CLI keeps its config.
pub fn home_dir() -> Result<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .context("HOME is not set: pass -C/--config and -k/--keypair explicitly")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home() -> PathBuf {
        PathBuf::from("/home/u")
    }

    fn flags() -> Overrides {
        Overrides::default()
    }

    #[test]
    fn monikers_and_websocket_urls() {
        assert_eq!(url_for_moniker("m"), MAINNET_URL);
        assert_eq!(url_for_moniker("mainnet-beta"), MAINNET_URL);
        assert_eq!(url_for_moniker("d"), DEVNET_URL);
        assert_eq!(url_for_moniker("devnet"), DEVNET_URL);
        assert_eq!(url_for_moniker("t"), TESTNET_URL);
        assert_eq!(url_for_moniker("testnet"), TESTNET_URL);
        assert_eq!(url_for_moniker("l"), LOCALHOST_URL);
        assert_eq!(url_for_moniker("localhost"), LOCALHOST_URL);
        assert_eq!(
            url_for_moniker("http://10.0.0.1:9000"),
            "http://10.0.0.1:9000"
        );

        assert_eq!(websocket_url_for(DEVNET_URL), "wss://api.devnet.solana.com");
        assert_eq!(websocket_url_for(LOCALHOST_URL), "ws://localhost:8900");
        assert_eq!(
            websocket_url_for("http://127.0.0.1:8899/"),
            "ws://127.0.0.1:8900/"
        );
        assert_eq!(
            websocket_url_for("https://rpc.example/k/abc"),
            "wss://rpc.example/k/abc"
        );
    }

    #[test]
    fn set_writes_the_flags_and_keeps_other_fields() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cfg/config.yml");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "json_rpc_url: x\naddress_labels:\n  a: b\n").unwrap();
        let overrides = Overrides {
            config_file: Some(file.clone()),
            url: Some("l".into()),
            keypair: Some(PathBuf::from("/k/id.json")),
            commitment: Some("finalized".into()),
            ..Overrides::default()
        };
        assert_eq!(set(&overrides, &home()).unwrap(), file);
        let settings = Settings::load(
            &Overrides {
                config_file: Some(file.clone()),
                ..Overrides::default()
            },
            &home(),
        )
        .unwrap();
        assert_eq!(settings.rpc_url, LOCALHOST_URL);
        assert_eq!(settings.websocket_url, "ws://localhost:8900");
        assert_eq!(settings.keypair_path, PathBuf::from("/k/id.json"));
        assert_eq!(settings.commitment, Commitment::Finalized);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("address_labels"), "{text}");
        // A bad commitment is refused and nothing is written.
        let bad = Overrides {
            config_file: Some(file.clone()),
            commitment: Some("soon".into()),
            ..Overrides::default()
        };
        assert!(set(&bad, &home()).is_err());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    }

    #[test]
    fn defaults_without_a_config_file() {
        let settings = resolve(None, &flags(), &home());
        assert_eq!(settings.rpc_url, MAINNET_URL);
        assert_eq!(settings.websocket_url, "wss://api.mainnet-beta.solana.com");
        assert_eq!(
            settings.keypair_path,
            PathBuf::from("/home/u/.config/solana/id.json")
        );
        assert_eq!(settings.keypair_source, Source::Default);
        assert_eq!(settings.commitment, Commitment::Confirmed);
    }

    #[test]
    fn the_config_file_then_flags_override_it() {
        let file: ConfigFile = serde_yaml::from_str(
            "---\njson_rpc_url: https://api.devnet.solana.com\nwebsocket_url: ''\n\
             keypair_path: ~/keys/me.json\naddress_labels:\n  '11111111111111111111111111111111': System Program\n\
             commitment: finalized\n",
        )
        .unwrap();
        let path = PathBuf::from("/home/u/.config/solana/cli/config.yml");
        let from_file = resolve(Some((&file, &path)), &flags(), &home());
        assert_eq!(from_file.rpc_url, DEVNET_URL);
        assert_eq!(from_file.websocket_url, "wss://api.devnet.solana.com");
        assert_eq!(
            from_file.keypair_path,
            PathBuf::from("/home/u/keys/me.json")
        );
        assert_eq!(from_file.keypair_source, Source::File(path.clone()));
        assert_eq!(from_file.commitment, Commitment::Finalized);

        let overridden = resolve(
            Some((&file, &path)),
            &Overrides {
                url: Some("l".into()),
                keypair: Some("/tmp/payer.json".into()),
                commitment: Some("processed".into()),
                ..flags()
            },
            &home(),
        );
        assert_eq!(overridden.rpc_url, LOCALHOST_URL);
        assert_eq!(overridden.websocket_url, "ws://localhost:8900");
        assert_eq!(overridden.keypair_path, PathBuf::from("/tmp/payer.json"));
        assert_eq!(overridden.keypair_source, Source::Flag);
        assert_eq!(overridden.commitment, Commitment::Processed);

        // A websocket URL in the file is kept unless -u or --ws says otherwise.
        let with_ws = ConfigFile {
            websocket_url: Some("wss://ws.example".into()),
            ..file
        };
        assert_eq!(
            resolve(Some((&with_ws, &path)), &flags(), &home()).websocket_url,
            "wss://ws.example"
        );
    }

    #[test]
    fn a_missing_keypair_file_says_what_to_do() {
        let error = read_keypair(Path::new("/nonexistent/id.json"), &Source::Default)
            .unwrap_err()
            .to_string();
        assert!(error.contains("/nonexistent/id.json"), "{error}");
        assert!(error.contains("does not exist"), "{error}");
        assert!(error.contains("-k/--keypair"), "{error}");
    }

    #[test]
    fn an_explicit_config_file_must_exist() {
        let error = Settings::load(
            &Overrides {
                config_file: Some("/nonexistent/config.yml".into()),
                ..flags()
            },
            &home(),
        )
        .unwrap_err();
        assert!(format!("{error:#}").contains("/nonexistent/config.yml"));
        // The default one may be missing: defaults apply.
        let settings = Settings::load(&flags(), Path::new("/nonexistent-home")).unwrap();
        assert_eq!(settings.rpc_url, MAINNET_URL);
    }
}
