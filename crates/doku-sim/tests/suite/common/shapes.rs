//! Comparing the shape of the simulator's answers with DOKU's published samples: every key path
//! with the JSON kind found there.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

/// DOKU's sample `name` from doku-model's fixture `folder` (`partner`, `checkout`), parsed.
pub fn sample(folder: &str, name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../doku-model/tests/doku-samples")
        .join(folder)
        .join(name);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

/// Every key path of `value` with the JSON kind found there, arrays as `[]`, e.g.
/// `business.brands[].id string`.
pub fn shape(value: &Value) -> BTreeSet<String> {
    fn walk(path: &str, value: &Value, out: &mut BTreeSet<String>) {
        let kind = match value {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        if !path.is_empty() {
            out.insert(format!("{path} {kind}"));
        }
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(&p, v, out);
                }
            }
            Value::Array(items) => {
                for v in items {
                    walk(&format!("{path}[]"), v, out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk("", value, &mut out);
    out
}

/// Fails, naming what is missing and what is extra, unless the two shapes are the same.
pub fn assert_same(call: &str, ours: &BTreeSet<String>, doku: &BTreeSet<String>) {
    let missing: Vec<_> = doku.difference(ours).collect();
    let extra: Vec<_> = ours.difference(doku).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{call}: the simulator's answer differs from DOKU's sample\n  missing: {missing:?}\n  not in DOKU's sample: {extra:?}"
    );
}
