//! Keypair files in the Solana CLI's format: a JSON array of the 64 bytes
//! (secret key, then public key).

use std::fs;
use std::io::Write;
use std::path::Path;

use solana_keypair::Keypair;

use super::error::DeployError;

fn keyfile_error(path: &Path, reason: impl ToString) -> DeployError {
    DeployError::Keyfile {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Reads a keypair file, saying which file and what is wrong with it.
pub fn read(path: &Path) -> Result<Keypair, DeployError> {
    let text = fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => keyfile_error(path, "does not exist"),
        _ => keyfile_error(path, e),
    })?;
    parse(&text).map_err(|reason| keyfile_error(path, reason))
}

/// Parses the JSON array of 64 numbers.
pub fn parse(text: &str) -> Result<Keypair, String> {
    let inner = text
        .trim()
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or("is not a JSON array of 64 numbers (a Solana keypair file)")?;
    let bytes = inner
        .split(',')
        .map(|n| n.trim().parse::<u8>())
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| "holds something other than numbers 0-255")?;
    if bytes.len() != 64 {
        return Err(format!("holds {} numbers, a keypair has 64", bytes.len()));
    }
    let secret: [u8; 32] = bytes[..32].try_into().expect("32 bytes");
    let keypair = Keypair::new_from_array(secret);
    if keypair.to_bytes()[32..] != bytes[32..] {
        return Err("its public half does not belong to its secret half".into());
    }
    Ok(keypair)
}

/// The file's text for `keypair`.
pub fn encode(keypair: &Keypair) -> String {
    let numbers: Vec<String> = keypair.to_bytes().iter().map(u8::to_string).collect();
    format!("[{}]", numbers.join(","))
}

/// Writes a new keypair file (owner-only permissions) and syncs it to disk
/// before returning, so whatever is funded with it next is never lost.
/// Refuses to replace an existing file.
pub fn write_new(path: &Path, keypair: &Keypair) -> Result<(), DeployError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| keyfile_error(path, e))?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => keyfile_error(path, "exists already"),
        _ => keyfile_error(path, e),
    })?;
    file.write_all(encode(keypair).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| keyfile_error(path, e))
}

/// Removes a keypair file that is no longer needed (missing is fine).
pub fn remove(path: &Path) -> Result<(), DeployError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(keyfile_error(path, e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_signer::Signer;

    #[test]
    fn round_trips_and_refuses_bad_files() {
        let dir = std::env::temp_dir().join(format!("depin-keyfile-{}", std::process::id()));
        let path = dir.join("k.json");
        let _ = fs::remove_file(&path);
        let keypair = Keypair::new();
        write_new(&path, &keypair).unwrap();
        assert_eq!(read(&path).unwrap().pubkey(), keypair.pubkey());
        assert!(write_new(&path, &keypair)
            .unwrap_err()
            .to_string()
            .contains("exists already"));
        remove(&path).unwrap();
        remove(&path).unwrap();
        assert!(read(&path)
            .unwrap_err()
            .to_string()
            .contains("does not exist"));

        assert!(parse("[1,2,3]").unwrap_err().contains("64"));
        assert!(parse("{}").unwrap_err().contains("JSON array"));
        let mut bytes = keypair.to_bytes();
        bytes[40] ^= 1;
        let tampered = format!(
            "[{}]",
            bytes
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        assert!(parse(&tampered).unwrap_err().contains("public half"));
        let _ = fs::remove_dir(&dir);
    }
}
