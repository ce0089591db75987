//! Writing and checking `vectors/generated/`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use doku_sign::snap_asymmetric::{PrivateKey, PublicKey};
use doku_sign::{jwt, non_snap, snap_symmetric, SecretKey};
use serde_json::{json, Value};

use crate::cases::{self, Inputs};

const GENERATED: &str = "vectors/generated";
const KEYS: &str = "vectors/keys";

/// Every generated file's path (relative to the repository) and exact contents.
fn render_all(root: &Path) -> Result<BTreeMap<PathBuf, String>, String> {
    let mut files = BTreeMap::new();
    for case in cases::all() {
        let value = render(root, case.description, &case.inputs)?;
        let mut text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
        text.push('\n');
        files.insert(
            Path::new(GENERATED).join(format!("{}.json", case.file)),
            text,
        );
    }
    Ok(files)
}

fn render(root: &Path, description: &str, inputs: &Inputs) -> Result<Value, String> {
    Ok(match *inputs {
        Inputs::NonSnap {
            response,
            secret_key,
            client_id,
            request_id,
            timestamp,
            request_target,
            body,
        } => {
            let key = SecretKey::from(secret_key);
            let kind = if response {
                non_snap::Kind::Response
            } else {
                non_snap::Kind::Request
            };
            let message = non_snap::Message {
                client_id,
                request_id,
                timestamp,
                target: request_target,
                body: body.map(str::as_bytes),
            };
            let signature = non_snap::sign(&key, kind, &message);
            let b64 = signature.base64();
            let tampered_body = body.map(|b| format!("{b} "));
            let tampered = non_snap::Message {
                body: tampered_body.as_deref().map(str::as_bytes),
                target: if body.is_some() {
                    request_target
                } else {
                    "/tampered"
                },
                ..message
            };
            let reject = vec![
                format!("HMACSHA256={}", b64.to_lowercase()),
                format!("HMACSHA256={}", &b64[..b64.len() - 4]),
                format!("HMACSHA512={b64}"),
                b64.clone(),
                non_snap::sign(&key, kind, &tampered).to_string(),
            ];
            json!({
                "scheme": if response { "non-snap-response" } else { "non-snap-request" },
                "description": description,
                "secret_key": secret_key,
                "client_id": client_id,
                "request_id": request_id,
                "timestamp": timestamp,
                "request_target": request_target,
                "body": body,
                "expected": {
                    "digest": body.map(|b| non_snap::digest(b.as_bytes())),
                    "string_to_sign": non_snap::string_to_sign(kind, &message),
                    "signature": signature.to_string(),
                },
                "reject": reject,
            })
        }
        Inputs::SnapSymmetric {
            secret_key,
            method,
            path,
            access_token,
            body,
            timestamp,
        } => {
            let key = SecretKey::from(secret_key);
            let message = snap_symmetric::Message {
                method,
                path,
                access_token,
                body: body.as_bytes(),
                timestamp,
            };
            let signature = snap_symmetric::sign(&key, &message).to_string();
            let tampered_body = format!("{body} ");
            let tampered = snap_symmetric::Message {
                body: tampered_body.as_bytes(),
                ..message
            };
            json!({
                "scheme": "snap-symmetric",
                "description": description,
                "secret_key": secret_key,
                "method": method,
                "path": path,
                "access_token": access_token,
                "timestamp": timestamp,
                "body": body,
                "expected": {
                    "body_hash": snap_symmetric::body_hash(body.as_bytes()),
                    "string_to_sign": snap_symmetric::string_to_sign(&message),
                    "signature": signature,
                },
                "reject": [
                    signature.to_lowercase(),
                    &signature[..signature.len() - 4],
                    snap_symmetric::sign(&key, &tampered).to_string(),
                ],
            })
        }
        Inputs::JwtRs256 {
            private_key_file,
            public_key_file,
            claims,
        } => {
            let private_pem = read_key(root, private_key_file)?;
            let public_pem = read_key(root, public_key_file)?;
            let private = PrivateKey::from_pem(&private_pem).map_err(|e| e.to_string())?;
            PublicKey::from_pem(&public_pem).map_err(|e| e.to_string())?;
            let token = jwt::encode(&private, claims.as_bytes()).map_err(|e| e.to_string())?;
            let (signing_input, signature) = token
                .rsplit_once('.')
                .ok_or("a token without a signature part")?;
            let other = jwt::encode(&private, format!("{claims} ").as_bytes())
                .map_err(|e| e.to_string())?;
            let other_signature = other.rsplit_once('.').map_or("", |(_, s)| s);
            json!({
                "scheme": "jwt-rs256",
                "description": description,
                "private_key_pem": private_pem,
                "public_key_pem": public_pem,
                "claims": claims,
                "expected": {
                    "header": jwt::HEADER,
                    "signing_input": signing_input,
                    "token": token,
                },
                "reject": [
                    format!("{signing_input}.{other_signature}"),
                    format!("{signing_input}.{}", &signature[..signature.len() - 4]),
                    format!("{signing_input}."),
                ],
            })
        }
        Inputs::SnapAsymmetric {
            private_key_file,
            public_key_file,
            client_id,
            timestamp,
        } => {
            let read = |name: &str| read_key(root, name);
            let private_pem = read(private_key_file)?;
            let public_pem = read(public_key_file)?;
            let private = PrivateKey::from_pem(&private_pem).map_err(|e| e.to_string())?;
            PublicKey::from_pem(&public_pem).map_err(|e| e.to_string())?;
            let signature = private
                .sign(client_id, timestamp)
                .map_err(|e| e.to_string())?;
            let other = private
                .sign(client_id, "1970-01-01T00:00:00Z")
                .map_err(|e| e.to_string())?;
            json!({
                "scheme": "snap-asymmetric",
                "description": description,
                "private_key_pem": private_pem,
                "public_key_pem": public_pem,
                "client_id": client_id,
                "timestamp": timestamp,
                "expected": {
                    "string_to_sign": doku_sign::snap_asymmetric::string_to_sign(client_id, timestamp),
                    "signature": signature,
                },
                "reject": [other, &signature[..signature.len() - 8]],
            })
        }
    })
}

/// A key file under `vectors/keys/`, with `\n` line endings.
fn read_key(root: &Path, name: &str) -> Result<String, String> {
    fs::read_to_string(root.join(KEYS).join(name))
        .map(|pem| unix_line_endings(&pem))
        .map_err(|e| format!("{KEYS}/{name}: {e}"))
}

/// `text` with every `\r\n` read as `\n`.
///
/// A checkout with `core.autocrlf=true` writes the keys and the generated files with `\r\n`. Raw
/// line breaks in these files are never data (a newline inside a JSON string is escaped, and a PEM's
/// line ending is not part of the key), so both are compared and rendered as `\n`; any other edit
/// is still reported.
fn unix_line_endings(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// Files currently under `vectors/generated/`, relative to the repository root.
fn existing(root: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if let Ok(relative) = path.strip_prefix(root) {
                out.push(relative.to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &root.join(GENERATED), &mut out);
    out.sort();
    out
}

/// Regenerates every generated file and removes files no case produces.
pub(crate) fn write(root: &Path) -> Result<String, String> {
    let files = render_all(root)?;
    for stale in existing(root) {
        if !files.contains_key(&stale) {
            fs::remove_file(root.join(&stale)).map_err(|e| format!("{}: {e}", stale.display()))?;
        }
    }
    for (path, text) in &files {
        let full = root.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&full, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(format!("wrote {} files under {GENERATED}/", files.len()))
}

/// Fails, naming every problem, when the committed files differ from what `write` would produce.
pub(crate) fn check(root: &Path) -> Result<String, String> {
    let files = render_all(root)?;
    let mut problems = Vec::new();
    for (path, text) in &files {
        match fs::read_to_string(root.join(path)) {
            Ok(current) if unix_line_endings(&current) == *text => {}
            Ok(_) => problems.push(format!("{} is stale or was edited by hand", path.display())),
            Err(_) => problems.push(format!("{} is missing", path.display())),
        }
    }
    for path in existing(root) {
        if !files.contains_key(&path) {
            problems.push(format!("{} is not produced by any case", path.display()));
        }
    }
    if problems.is_empty() {
        Ok(format!(
            "{} generated vector files are up to date",
            files.len()
        ))
    } else {
        Err(format!(
            "{}\nrun `cargo xtask vectors` and commit the result",
            problems.join("\n")
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::PathBuf;

    use super::{check, render_all, KEYS};

    /// A scratch repository root under the system temp dir, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn crlf(text: &str) -> String {
        text.replace('\n', "\r\n")
    }

    /// Copies the keys and the generated files the way a `core.autocrlf=true` checkout writes
    /// them: every `\n` as `\r\n`.
    fn crlf_checkout(name: &str) -> Scratch {
        let real = crate::repo_root();
        let scratch = Scratch::new(name);
        fs::create_dir_all(scratch.0.join(KEYS)).unwrap();
        for entry in fs::read_dir(real.join(KEYS)).unwrap() {
            let path = entry.unwrap().path();
            let text = fs::read_to_string(&path).unwrap();
            fs::write(
                scratch.0.join(KEYS).join(path.file_name().unwrap()),
                crlf(&text),
            )
            .unwrap();
        }
        for (path, text) in render_all(&real).unwrap() {
            let full = scratch.0.join(&path);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, crlf(&text)).unwrap();
        }
        scratch
    }

    #[test]
    fn a_crlf_checkout_is_not_stale() {
        let scratch = crlf_checkout("crlf-fresh");
        if let Err(message) = check(&scratch.0) {
            panic!("a CRLF checkout of fresh vectors was reported: {message}");
        }
    }

    #[test]
    fn a_crlf_checkout_with_an_edit_is_still_stale() {
        let scratch = crlf_checkout("crlf-edited");
        let file = render_all(&crate::repo_root())
            .unwrap()
            .into_keys()
            .next()
            .unwrap();
        let full = scratch.0.join(&file);
        let edited = fs::read_to_string(&full).unwrap().replacen("\"", "\" ", 1);
        fs::write(&full, edited).unwrap();
        let message = check(&scratch.0).unwrap_err();
        assert!(
            message.contains(&format!("{} is stale", file.display())),
            "{message}"
        );
    }
}
