//! Where the client id and secret key come from: the environment or a file, never a flag value.

use std::path::Path;

use doku_sign::SecretKey;

/// Environment variable holding the partner's Client-Id.
pub(crate) const CLIENT_ID_ENV: &str = "DOKU_CLIENT_ID";
/// Environment variable holding the partner's secret key.
pub(crate) const SECRET_KEY_ENV: &str = "DOKU_SECRET_KEY";

/// Reads the secret key from `--secret-key-file` if given, else from `DOKU_SECRET_KEY`.
///
/// A trailing newline in the file is dropped (editors add one); other whitespace is kept, because the secret
/// is used byte for byte.
pub(crate) fn secret_key(file: Option<&Path>) -> Result<SecretKey, String> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read secret key file {}: {e}", path.display()))?;
        let trimmed = text.strip_suffix('\n').unwrap_or(&text);
        let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
        if trimmed.is_empty() {
            return Err(format!("secret key file {} is empty", path.display()));
        }
        return Ok(SecretKey::from(trimmed));
    }
    match std::env::var(SECRET_KEY_ENV) {
        Ok(value) if !value.is_empty() => Ok(SecretKey::from(value)),
        _ => Err(format!(
            "no secret key: set {SECRET_KEY_ENV} or pass --secret-key-file FILE"
        )),
    }
}

/// The client id from a flag, else from `DOKU_CLIENT_ID`.
pub(crate) fn client_id(flag: Option<&str>) -> Result<String, String> {
    if let Some(id) = flag {
        return Ok(id.to_owned());
    }
    match std::env::var(CLIENT_ID_ENV) {
        Ok(value) if !value.is_empty() => Ok(value),
        _ => Err(format!(
            "no client id: set {CLIENT_ID_ENV} or pass --client-id ID"
        )),
    }
}
