//! Where the credentials come from: the environment or a file, never a flag value (it would show
//! up in `ps`). The partner's are a Client-Id and secret key; a merchant's (for Checkout) are its
//! brand id and shared key.

use std::path::Path;

use doku_sign::SecretKey;

/// Environment variable holding the partner's Client-Id.
pub(crate) const CLIENT_ID_ENV: &str = "DOKU_CLIENT_ID";
/// Environment variable holding the partner's secret key.
pub(crate) const SECRET_KEY_ENV: &str = "DOKU_SECRET_KEY";
/// Environment variable holding the merchant's brand id (its Client-Id for Checkout).
pub(crate) const MERCHANT_ID_ENV: &str = "DOKU_MERCHANT_ID";
/// Environment variable holding the merchant's shared key.
pub(crate) const MERCHANT_KEY_ENV: &str = "DOKU_MERCHANT_KEY";

/// Environment variable holding the passphrase of an encrypted SNAP private key.
pub(crate) const SNAP_PASSPHRASE_ENV: &str = "DOKU_SNAP_PRIVATE_KEY_PASSPHRASE";

/// The merchant's SNAP RSA private key from `file` (PEM): PKCS#8 or PKCS#1, or encrypted PKCS#8
/// with the passphrase from `passphrase_file` or `DOKU_SNAP_PRIVATE_KEY_PASSPHRASE`. Errors name
/// the file and the cause, never the key.
pub(crate) fn snap_private_key(
    file: &Path,
    passphrase_file: Option<&Path>,
) -> Result<doku_sign::snap_asymmetric::PrivateKey, String> {
    use doku_sign::snap_asymmetric::PrivateKey;
    let pem = read_pem(file, "SNAP private key")?;
    let result = if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        let passphrase = key(
            passphrase_file,
            SNAP_PASSPHRASE_ENV,
            "passphrase for the encrypted SNAP private key",
            "--snap-passphrase-file",
        )?;
        PrivateKey::from_pem_encrypted(&pem, passphrase.expose_bytes())
    } else {
        PrivateKey::from_pem(&pem)
    };
    result.map_err(|e| format!("SNAP private key {}: {e}", file.display()))
}

/// An RSA public key (`what`, e.g. "DOKU's SNAP public key") from a PEM file.
pub(crate) fn public_key(
    file: &Path,
    what: &str,
) -> Result<doku_sign::snap_asymmetric::PublicKey, String> {
    let pem = read_pem(file, what)?;
    doku_sign::snap_asymmetric::PublicKey::from_pem(&pem)
        .map_err(|e| format!("{what} {}: {e}", file.display()))
}

/// A PEM file's text, bounded (a key is a few KiB).
fn read_pem(file: &Path, what: &str) -> Result<String, String> {
    const MAX_PEM_BYTES: u64 = 64 * 1024;
    let size = std::fs::metadata(file)
        .map_err(|e| format!("cannot read {what} file {}: {e}", file.display()))?
        .len();
    if size > MAX_PEM_BYTES {
        return Err(format!(
            "{what} file {} is {size} bytes: not a PEM key",
            file.display()
        ));
    }
    std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {what} file {}: {e}", file.display()))
}

/// Reads the secret key from `--secret-key-file` if given, else from `DOKU_SECRET_KEY`.
pub(crate) fn secret_key(file: Option<&Path>) -> Result<SecretKey, String> {
    key(file, SECRET_KEY_ENV, "secret key", "--secret-key-file")
}

/// The merchant's shared key from `file` if given, else from the environment variable `env`
/// (`DOKU_MERCHANT_KEY`, or `DOKU_MERCHANT_KEY_<ID>` for `doku listen`'s other merchants).
pub(crate) fn merchant_key(file: Option<&Path>, env: &str) -> Result<SecretKey, String> {
    key(file, env, "merchant key", "--merchant-key-file")
}

/// A key (`what`, e.g. "secret key") from `file` if given, else from `env`; `flag` names the file
/// option in the error.
///
/// A trailing newline in the file is dropped (editors add one); other whitespace is kept, because
/// the key is used byte for byte.
fn key(file: Option<&Path>, env: &str, what: &str, flag: &str) -> Result<SecretKey, String> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {what} file {}: {e}", path.display()))?;
        let trimmed = text.strip_suffix('\n').unwrap_or(&text);
        let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
        if trimmed.is_empty() {
            return Err(format!("{what} file {} is empty", path.display()));
        }
        return Ok(SecretKey::from(trimmed));
    }
    non_empty_env(env)
        .map(SecretKey::from)
        .ok_or_else(|| format!("no {what}: set {env} or pass {flag} FILE"))
}

/// The key of the merchant that signed a notification (`doku verify`): from `file`, else
/// `DOKU_MERCHANT_KEY`; the older `--secret-key-file` (`deprecated_file`) and `DOKU_SECRET_KEY`
/// still work for one release, each with a warning on stderr naming its replacement.
pub(crate) fn notification_key(
    file: Option<&Path>,
    deprecated_file: Option<&Path>,
) -> Result<SecretKey, String> {
    if file.is_some() || non_empty_env(MERCHANT_KEY_ENV).is_some() {
        return merchant_key(file, MERCHANT_KEY_ENV);
    }
    if let Some(path) = deprecated_file {
        eprintln!("{}", deprecated("--secret-key-file", "--merchant-key-file"));
        return merchant_key(Some(path), MERCHANT_KEY_ENV);
    }
    if non_empty_env(SECRET_KEY_ENV).is_some() {
        eprintln!("{}", deprecated(SECRET_KEY_ENV, MERCHANT_KEY_ENV));
        return key(None, SECRET_KEY_ENV, "merchant key", "--merchant-key-file");
    }
    merchant_key(None, MERCHANT_KEY_ENV)
}

/// The warning for a name kept for one release: `old` still works, `new` is the name.
pub(crate) fn deprecated(old: &str, new: &str) -> String {
    format!(
        "warning: {old} is deprecated here and will stop working in the next release: a \
         notification is signed with the merchant's key, which the CLI reads from {new} \
         (README: Environment variables)"
    )
}

/// The client id from a flag, else from `DOKU_CLIENT_ID`.
pub(crate) fn client_id(flag: Option<&str>) -> Result<String, String> {
    if let Some(id) = flag {
        return Ok(id.to_owned());
    }
    non_empty_env(CLIENT_ID_ENV)
        .ok_or_else(|| format!("no client id: set {CLIENT_ID_ENV} or pass --client-id ID"))
}

/// The merchant's brand id from `DOKU_MERCHANT_ID`.
pub(crate) fn merchant_id() -> Result<String, String> {
    non_empty_env(MERCHANT_ID_ENV)
        .ok_or_else(|| format!("no merchant: set {MERCHANT_ID_ENV} to the brand id"))
}

/// The value of environment variable `name`, unless it is unset, empty or not Unicode.
fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{merchant_key, secret_key};

    fn file(name: &str, contents: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("doku-cli-credentials-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    #[test]
    fn a_key_file_loses_one_trailing_newline_only() {
        let key = secret_key(Some(&file("crlf.key", " SK-1 \r\n"))).unwrap();
        assert_eq!(key.expose_bytes(), b" SK-1 ");
        let key = merchant_key(Some(&file("lf.key", "SK-2\n\n")), "UNUSED").unwrap();
        assert_eq!(key.expose_bytes(), b"SK-2\n");
    }

    #[test]
    fn each_kind_of_key_names_itself_and_its_flag() {
        let empty = file("empty.key", "\n");
        let error = secret_key(Some(&empty)).unwrap_err();
        assert!(error.starts_with("secret key file "), "{error}");
        let error = merchant_key(None, "DOKU_CLI_TEST_UNSET_VARIABLE").unwrap_err();
        assert_eq!(
            error,
            "no merchant key: set DOKU_CLI_TEST_UNSET_VARIABLE or pass --merchant-key-file FILE"
        );
    }
}
