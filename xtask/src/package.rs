//! `cargo xtask package`: packages every publishable crate the way `cargo publish` would (nothing is
//! uploaded) and checks what would ship.
//!
//! 1. Manifests: the six published crates carry description, licence, repository, README, keywords,
//!    categories, `rust-version` and `[package.metadata.docs.rs]`; every other workspace member says
//!    `publish = false`.
//! 2. `cargo package --allow-dirty -p …` for all six at once: cargo assembles each `.crate` and builds it
//!    from its packaged sources, with the not-yet-published sibling crates served from a local overlay.
//! 3. `cargo package --list` for each: the licences and README are in, doku-sim's binary target is in
//!    (so `cargo install doku-sim` has something to install), and every file passes
//!    [`crate::package_scan::check_file`] (no secrets, no oversized fixtures).
//! 4. `cargo install --path target/package/doku-sim-VERSION` (debug, into `target/install-check`),
//!    with its unpublished siblings patched in from their own packaged sources, then
//!    `doku-sim --version`: what `cargo install doku-sim` will do once the crates are on crates.io.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::package_scan;

/// The crates published to crates.io, in dependency order.
pub(crate) const PUBLISHED: &[&str] = &[
    "doku-sign",
    "doku-model",
    "doku-transport",
    "doku-partner",
    "doku-sim",
    "doku-cli",
];

/// Files every published crate must ship.
const REQUIRED: &[&str] = &["Cargo.toml", "README.md", "LICENSE-MIT", "LICENSE-APACHE"];

/// Runs the three steps; `Err` lists every problem found.
pub(crate) fn run(root: &Path) -> Result<String, String> {
    let metadata = cargo_metadata(root)?;
    let mut problems = check_manifests(&metadata);
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }

    let target = metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or("cargo metadata has no target_directory")?;
    let packaged_before = target.join("package").exists();
    if clear_overlay_unpacks(&metadata)? || packaged_before {
        // What an earlier run built from the overlay is stale too (this target dir may also come
        // from a CI cache), and cargo never rebuilds a registry crate of the same version: clean
        // the artifacts of our six crates (dependencies stay).
        println!("an earlier `cargo package` ran here: cleaning our crates' build artifacts");
        cargo_on_published(root, &["clean"])?;
    }
    cargo_on_published(root, &["package", "--allow-dirty"])?;

    let mut summary = Vec::new();
    for name in PUBLISHED {
        let version = version_of(&metadata, name)?;
        let unpacked = target.join("package").join(format!("{name}-{version}"));
        let files = list(root, name)?;
        let mut bytes_total = 0;
        for required in REQUIRED {
            if !files.iter().any(|f| f == required) {
                problems.push(format!("{name}: {required} is not in the package"));
            }
        }
        if *name == "doku-sim" && !files.iter().any(|f| f == "src/bin/doku-sim.rs") {
            problems.push(
                "doku-sim: the doku-sim binary (src/bin/doku-sim.rs) is not in the package".into(),
            );
        }
        for file in &files {
            let path = unpacked.join(file);
            let bytes = std::fs::read(&path)
                .map_err(|e| format!("{name}: cannot read packaged {}: {e}", path.display()))?;
            bytes_total += bytes.len() as u64;
            for p in package_scan::check_file(file, bytes.len() as u64, &bytes) {
                problems.push(format!("{name}: {p}"));
            }
        }
        let crate_file = target
            .join("package")
            .join(format!("{name}-{version}.crate"));
        let compressed = std::fs::metadata(&crate_file)
            .map_err(|e| format!("{}: {e}", crate_file.display()))?
            .len();
        summary.push(format!(
            "{name} {version}: {} files, {bytes_total} bytes unpacked, {compressed} bytes .crate",
            files.len()
        ));
    }
    if problems.is_empty() {
        summary.push(install_sim(root, &target, &metadata)?);
    }
    if problems.is_empty() {
        Ok(format!(
            "packaged and checked (nothing uploaded):\n{}",
            summary.join("\n")
        ))
    } else {
        Err(problems.join("\n"))
    }
}

/// Removes the copies of our crates that an earlier `cargo package` unpacked from its local overlay.
///
/// The overlay serves the not-yet-published siblings as if they came from crates.io, so cargo unpacks
/// them under `$CARGO_HOME/registry/src/<crates.io>/NAME-VERSION` — and never unpacks again while that
/// directory exists: a second run would verify against the first run's sources. Only the exact
/// `NAME-VERSION` directories of the six published crates are removed (they are re-created from the
/// `.crate` files on the next unpack). Returns whether there was anything to remove.
fn clear_overlay_unpacks(metadata: &Value) -> Result<bool, String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .ok_or("neither CARGO_HOME nor HOME is set")?;
    let Ok(registries) = std::fs::read_dir(cargo_home.join("registry").join("src")) else {
        return Ok(false); // nothing unpacked yet
    };
    let mut removed = false;
    for registry in registries.flatten() {
        for name in PUBLISHED {
            let stale = registry
                .path()
                .join(format!("{name}-{}", version_of(metadata, name)?));
            if stale.join(".cargo-ok").exists() {
                std::fs::remove_dir_all(&stale)
                    .map_err(|e| format!("cannot remove {}: {e}", stale.display()))?;
                removed = true;
            }
        }
    }
    Ok(removed)
}

/// Step 4: installs doku-sim from its packaged sources and runs the installed binary.
fn install_sim(root: &Path, target: &Path, metadata: &Value) -> Result<String, String> {
    let package_dir = target.join("package");
    let dir = |name: &str| -> Result<PathBuf, String> {
        Ok(package_dir.join(format!("{name}-{}", version_of(metadata, name)?)))
    };
    let install_root = target.join("install-check");
    let mut command = Command::new(cargo());
    command
        .arg("install")
        .arg("--path")
        .arg(dir("doku-sim")?)
        .arg("--debug")
        .arg("--force")
        .arg("--root")
        .arg(&install_root)
        // The workspace's target dir: dependencies built by the steps before are reused.
        .arg("--target-dir")
        .arg(target);
    for sibling in ["doku-sign", "doku-model"] {
        let path = dir(sibling)?;
        command.arg("--config").arg(format!(
            "patch.crates-io.{sibling}.path={}",
            toml_string(&path.display().to_string())
        ));
    }
    let status = command
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if !status.success() {
        return Err("`cargo install` of the packaged doku-sim failed".to_owned());
    }
    let binary = install_root.join("bin").join("doku-sim");
    let out = Command::new(&binary)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let expected = format!("doku-sim {}", version_of(metadata, "doku-sim")?);
    if !out.status.success() || version != expected {
        return Err(format!(
            "installed doku-sim --version said {version:?}, expected {expected:?}"
        ));
    }
    Ok(format!(
        "cargo install from the packaged doku-sim: {} prints {version:?}",
        binary.display()
    ))
}

/// A TOML basic string (for `--config KEY=VALUE`).
fn toml_string(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Runs `cargo <subcommand…> -p <each published crate>` in `root`; fails if cargo does.
fn cargo_on_published(root: &Path, subcommand: &[&str]) -> Result<(), String> {
    let mut args = subcommand.to_vec();
    for name in PUBLISHED {
        args.extend(["-p", name]);
    }
    let status = Command::new(cargo())
        .args(&args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run `cargo {}`: {e}", args.join(" ")))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed", args.join(" ")))
    }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn cargo_metadata(root: &Path) -> Result<Value, String> {
    let out = cargo_stdout(root, &["metadata", "--format-version", "1", "--no-deps"])?;
    serde_json::from_slice(&out).map_err(|e| format!("cargo metadata output: {e}"))
}

/// The standard output of `cargo <args…>` run in `root`; its standard error when it fails.
fn cargo_stdout(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new(cargo())
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run `cargo {}`: {e}", args.join(" ")))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

fn packages(metadata: &Value) -> impl Iterator<Item = &Value> {
    metadata["packages"].as_array().into_iter().flatten()
}

fn version_of(metadata: &Value, name: &str) -> Result<String, String> {
    packages(metadata)
        .find(|p| p["name"] == name)
        .and_then(|p| p["version"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("{name} is not a workspace member"))
}

/// Step 1: what crates.io and docs.rs need from each manifest; `publish = false` elsewhere.
pub(crate) fn check_manifests(metadata: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for package in packages(metadata) {
        let name = package["name"].as_str().unwrap_or("?");
        // cargo metadata: `publish` is null when publishable anywhere, `[]` for `publish = false`.
        let publishable = !package["publish"]
            .as_array()
            .is_some_and(|registries| registries.is_empty());
        if !PUBLISHED.contains(&name) {
            if publishable {
                problems.push(format!(
                    "{name}: not one of the published crates; say `publish = false` in its manifest"
                ));
            }
            continue;
        }
        if !publishable {
            problems.push(format!("{name}: is published but says `publish = false`"));
        }
        for field in [
            "description",
            "license",
            "repository",
            "readme",
            "rust_version",
        ] {
            if package[field].as_str().is_none_or(str::is_empty) {
                problems.push(format!("{name}: `{field}` is missing"));
            }
        }
        for field in ["keywords", "categories"] {
            if package[field].as_array().is_none_or(Vec::is_empty) {
                problems.push(format!("{name}: `{field}` is missing"));
            }
        }
        if package["metadata"]["docs"]["rs"].is_null() {
            problems.push(format!("{name}: `[package.metadata.docs.rs]` is missing"));
        }
    }
    for name in PUBLISHED {
        if !packages(metadata).any(|p| p["name"] == *name) {
            problems.push(format!("{name}: not found in the workspace"));
        }
    }
    problems
}

/// Step 3's file list: `cargo package --list`.
fn list(root: &Path, name: &str) -> Result<Vec<String>, String> {
    let out = cargo_stdout(root, &["package", "--list", "--allow-dirty", "-p", name])?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn published(name: &str) -> Value {
        json!({
            "name": name, "version": "0.1.0", "publish": null,
            "description": "d", "license": "MIT OR Apache-2.0", "repository": "r",
            "readme": "README.md", "rust_version": "1.85",
            "keywords": ["doku"], "categories": ["api-bindings"],
            "metadata": {"docs": {"rs": {"all-features": true}}}
        })
    }

    fn workspace(extra: Vec<Value>) -> Value {
        let mut packages: Vec<Value> = PUBLISHED.iter().map(|n| published(n)).collect();
        packages.extend(extra);
        json!({ "packages": packages })
    }

    #[test]
    fn a_complete_workspace_passes() {
        let ws = workspace(vec![json!({"name": "xtask", "publish": []})]);
        assert_eq!(check_manifests(&ws), Vec::<String>::new());
    }

    #[test]
    fn an_unmarked_helper_crate_fails() {
        let ws = workspace(vec![json!({"name": "examples-helper", "publish": null})]);
        let problems = check_manifests(&ws);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("publish = false"), "{problems:?}");
    }

    #[test]
    fn missing_metadata_is_named() {
        let mut ws = workspace(vec![]);
        let sim = &mut ws["packages"][4];
        sim["keywords"] = json!([]);
        sim["metadata"] = json!(null);
        sim["readme"] = json!(null);
        let problems = check_manifests(&ws);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().all(|p| p.starts_with("doku-sim:")));
    }
}
