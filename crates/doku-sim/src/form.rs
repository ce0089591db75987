//! Reading the two requests that arrive as forms rather than JSON into doku-model's types:
//! Upload File's `multipart/form-data` body and Check Requirements' query string.

use std::collections::BTreeMap;

use doku_model::{
    BusinessLine, BusinessType, DocumentCode, Error, FileCategory, LegalEntity, Part,
    RequirementsQuery, UploadFile, UploadSource, REQUIREMENTS_QUERY_PARAMS as QUERY_PARAMS,
};

/// A text part's value, owned.
fn owned_text(part: &Part) -> Result<String, Error> {
    part.text_value().map(str::to_owned)
}

/// Reads a received Upload File form into an [`UploadFile`]. Unknown fields
/// are refused by name; so are repeated fields and a body with both or neither of `file`
/// and `file_url`.
pub(crate) fn upload_from_multipart(content_type: &str, body: &[u8]) -> Result<UploadFile, Error> {
    let parts = crate::multipart::parse(content_type, body)?;
    let mut category = None;
    let mut code = None;
    let mut source = None;
    for part in parts {
        let slot_taken = match part.name.as_str() {
            "category" => category
                .replace(FileCategory::from(owned_text(&part)?))
                .is_some(),
            "code" => code
                .replace(DocumentCode::from(owned_text(&part)?))
                .is_some(),
            "file" => source
                .replace(UploadSource::File {
                    filename: part.filename.clone().unwrap_or_default(),
                    content_type: part
                        .content_type
                        .clone()
                        .unwrap_or_else(|| "application/octet-stream".to_owned()),
                    bytes: part.data,
                })
                .is_some(),
            "file_url" => source
                .replace(UploadSource::Url(owned_text(&part)?))
                .is_some(),
            other => return Err(Error::Multipart(format!("unknown form field `{other}`"))),
        };
        if slot_taken {
            return Err(Error::Multipart(format!(
                "form field `{}` given twice (or both `file` and `file_url`)",
                part.name
            )));
        }
    }
    let category =
        category.ok_or_else(|| Error::Multipart("missing form field `category`".to_owned()))?;
    let source = source
        .ok_or_else(|| Error::Multipart("missing form field `file` (or `file_url`)".to_owned()))?;
    Ok(UploadFile {
        category,
        code,
        source,
    })
}

/// Reads a Check Requirements query string (without `?`) into a [`RequirementsQuery`]. Every missing (or empty) mandatory parameter is
/// named in one error; repeated or unknown parameters are refused.
pub(crate) fn requirements_from_query(query: &str) -> Result<RequirementsQuery, Error> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in crate::query::parse_query(query)? {
        if !QUERY_PARAMS.contains(&name.as_str()) {
            return Err(Error::Query(format!("unknown parameter `{name}`")));
        }
        if seen.insert(name.clone(), value).is_some() {
            return Err(Error::Query(format!("parameter `{name}` given twice")));
        }
    }
    let mut take = |name: &str| seen.remove(name).filter(|v| !v.is_empty());
    let [t, l, b, n] = QUERY_PARAMS.map(&mut take);
    match (t, l, b, n) {
        (Some(t), Some(l), Some(b), Some(n)) => Ok(RequirementsQuery::new(
            BusinessType::from(t),
            LegalEntity::from(l),
            BusinessLine::from(b),
            n,
        )),
        (t, l, b, n) => {
            let present = [t.is_some(), l.is_some(), b.is_some(), n.is_some()];
            let missing: Vec<&str> = QUERY_PARAMS
                .iter()
                .zip(present)
                .filter(|(_, p)| !p)
                .map(|(name, _)| *name)
                .collect();
            Err(Error::Query(format!(
                "missing mandatory parameter(s): {}",
                missing.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use doku_model::encode_multipart;

    #[test]
    fn an_encoded_upload_reads_back_as_itself() {
        let by_url = UploadFile::url(FileCategory::Logo, "https://example.com/logo.png");
        for up in doku_test_support::mandatory_uploads()
            .into_iter()
            .chain([by_url])
        {
            let body = up.to_multipart("BOUNDARY123").unwrap();
            assert_eq!(
                upload_from_multipart(&body.content_type, &body.body).unwrap(),
                up
            );
        }
    }

    #[test]
    fn an_encoded_query_reads_back_as_itself() {
        let mut q = RequirementsQuery::personal("ID");
        assert_eq!(requirements_from_query(&q.to_query_string()).unwrap(), q);
        q.business_type = BusinessType::Unknown("A B&C".into());
        assert_eq!(requirements_from_query(&q.to_query_string()).unwrap(), q);
    }

    #[test]
    fn from_multipart_refuses_missing_and_unknown_fields() {
        let only_cat = encode_multipart(&[Part::text("category", "LOGO")], "x").unwrap();
        let err = upload_from_multipart(&only_cat.content_type, &only_cat.body).unwrap_err();
        assert!(err.to_string().contains("`file`"), "{err}");
        let unknown = encode_multipart(&[Part::text("nope", "1")], "x").unwrap();
        let err = upload_from_multipart(&unknown.content_type, &unknown.body).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }

    /// DOKU marks all four parameters Mandatory: the parser names every missing one.
    #[test]
    fn parse_names_each_missing_parameter() {
        let text = requirements_from_query("brandBusinessLine=RETAIL")
            .unwrap_err()
            .to_string();
        for name in [
            "businessType",
            "businessLegalEntity",
            "businessContactNationality",
        ] {
            assert!(text.contains(name), "{name} not named in {text}");
        }
        assert!(!text.contains("brandBusinessLine"), "{text}");
        // The two parameters the old reading treated as optional are now required.
        let two = requirements_from_query("businessType=PERSONAL&businessContactNationality=ID")
            .unwrap_err()
            .to_string();
        assert!(
            two.contains("businessLegalEntity") && two.contains("brandBusinessLine"),
            "{two}"
        );
        assert!(requirements_from_query(
            "businessType=A&businessType=B&businessContactNationality=ID"
        )
        .is_err());
        assert!(
            requirements_from_query("foo=1&businessType=A&businessContactNationality=ID").is_err()
        );
    }
}
