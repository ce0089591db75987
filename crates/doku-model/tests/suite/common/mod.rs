//! Shared by the fixture tests: read DOKU's samples from a folder, round-trip them, and walk
//! the folder so that a sample without a check fails.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use doku_model::decode;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

/// `tests/doku-samples/<name>` of this crate.
pub fn folder(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/doku-samples")
        .join(name)
}

/// The bytes of `file` in `folder`.
pub fn read(folder: &Path, file: &str) -> Vec<u8> {
    std::fs::read(folder.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Decodes `file` as `T` and requires re-encoding to give the same JSON (key order aside:
/// `serde_json::Value` compares maps by content): nothing lost or moved.
pub fn round_trip<T: DeserializeOwned + Serialize>(folder: &Path, file: &str) -> T {
    let bytes = read(folder, file);
    let typed: T = decode(&bytes).unwrap_or_else(|e| panic!("{file} does not decode: {e}"));
    let again = serde_json::to_value(&typed).unwrap();
    let original: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(again, original, "{file}: a field was lost or moved");
    typed
}

/// Runs the check of every `.json` file in `folder`; a file without a check, or a listed file
/// that is missing, fails.
pub fn walk(folder: &Path, checks: &[(&str, fn())]) {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no samples in {}", folder.display());
    for name in &names {
        let check = checks
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} has no check: add one to CHECKS"));
        (check.1)();
    }
    assert_eq!(names.len(), checks.len(), "a listed sample file is missing");
}
