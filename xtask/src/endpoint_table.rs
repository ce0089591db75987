//! The endpoint table of docs/conformance.md, derived from `doku_model::Endpoint::declaration`:
//! `cargo xtask conformance` fails when the page's table differs from what the declarations
//! give, so the docs cannot drift from the one place an endpoint is declared.

use doku_model::{Bearer, Credentials, Endpoint, Scheme};

/// The line before the table.
pub(crate) const BEGIN: &str =
    "<!-- endpoints: derived from doku_model::Endpoint::declaration, checked by cargo xtask conformance -->";
/// The line after the table.
pub(crate) const END: &str = "<!-- /endpoints -->";

/// The table the declarations give, header included.
pub(crate) fn expected() -> String {
    let mut out = String::from(
        "| endpoint | method | path | signed with | scheme | bearer |\n|---|---|---|---|---|---|\n",
    );
    for endpoint in Endpoint::ALL {
        let d = endpoint.declaration();
        let mut path = if d.path_parameter {
            format!("`{}/{{…}}`", d.path)
        } else {
            format!("`{}`", d.path)
        };
        if !d.older_paths.is_empty() {
            let older: Vec<String> = d.older_paths.iter().map(|p| format!("`{p}`")).collect();
            path.push_str(&format!(" (older pages: {})", older.join(", ")));
        }
        let signer = match (d.credentials, d.scheme) {
            (Credentials::Partner, _) => "the partner's key",
            (Credentials::Merchant, Scheme::SnapAsymmetric) => "the merchant's RSA private key",
            (Credentials::Merchant, Scheme::NonSnap | Scheme::SnapSymmetric) => {
                "the merchant's shared key"
            }
        };
        let bearer = match d.bearer {
            Bearer::Never => "never",
            Bearer::Documented => "required (documented)",
            Bearer::Undocumented => "sent (not documented)",
            Bearer::SnapB2b => "the B2B access token (required, signed)",
        };
        let scheme = match d.scheme {
            Scheme::NonSnap => "Non-SNAP HMAC-SHA256".to_owned(),
            Scheme::SnapAsymmetric => snap_scheme("SNAP RSA", d.snap_service),
            Scheme::SnapSymmetric => snap_scheme("SNAP HMAC-SHA512", d.snap_service),
        };
        out.push_str(&format!(
            "| `{}` | {} | {path} | {signer} | {scheme} | {bearer} |\n",
            d.name, d.method
        ));
    }
    out
}

/// A SNAP scheme's cell: its name and the call's service code.
fn snap_scheme(name: &str, service: Option<u8>) -> String {
    match service {
        Some(code) => format!("{name}, service {code:02}"),
        None => name.to_owned(),
    }
}

/// Checks the table between [`BEGIN`] and [`END`] in `page`.
pub(crate) fn check(page: &str) -> Result<(), String> {
    let table = page
        .split_once(BEGIN)
        .and_then(|(_, rest)| rest.split_once(END))
        .map(|(table, _)| table.trim())
        .ok_or_else(|| format!("no endpoint table between `{BEGIN}` and `{END}`"))?;
    let expected = expected();
    if table == expected.trim() {
        Ok(())
    } else {
        Err(format!(
            "the endpoint table differs from the declarations; it should read:\n{expected}"
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stale_table_is_refused_with_the_right_one() {
        let good = format!(
            "x\n{}\n{}{}\ny",
            super::BEGIN,
            super::expected(),
            super::END
        );
        super::check(&good).unwrap();
        let stale = good.replace("| POST |", "| PUT |");
        assert!(super::check(&stale).unwrap_err().contains("should read"));
        assert!(super::check("no table").is_err());
    }
}
