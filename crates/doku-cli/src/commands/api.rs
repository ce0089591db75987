//! One command per Partner API endpoint: JSON result on stdout, messages on stderr.

use std::path::Path;
use std::process::ExitCode;

use doku_model::{
    BusinessLine, BusinessLiteRequest, BusinessRegistrationRequest, BusinessType, ClientId,
    DocumentCode, FileCategory, LegalEntity, RequirementsQuery,
};
use serde::de::DeserializeOwned;

use super::client::{call_options, from_args, print_json, report_failure};
use crate::args::{BusinessArgs, JsonBodyArgs, RequirementsArgs, TokenArgs, UploadArgs};

/// Turns a call's result into output and an exit code.
fn finish<T: serde::Serialize>(result: Result<T, doku_partner::Error>) -> Result<ExitCode, String> {
    match result {
        Ok(value) => print_json(&value),
        Err(error) => Ok(report_failure(&error)),
    }
}

pub(crate) async fn token(args: TokenArgs) -> Result<ExitCode, String> {
    let client = from_args(&args.api)?;
    finish(client.token_with(call_options(&args.api)?).await)
}

pub(crate) async fn requirements(args: RequirementsArgs) -> Result<ExitCode, String> {
    let client = from_args(&args.api)?;
    let query = RequirementsQuery::new(
        BusinessType::from(args.business_type.as_str()),
        LegalEntity::from(args.legal_entity.as_str()),
        BusinessLine::from(args.business_line.as_str()),
        args.nationality.as_str(),
    );
    finish(
        client
            .check_requirements_with(&query, call_options(&args.api)?)
            .await,
    )
}

pub(crate) async fn upload(args: UploadArgs) -> Result<ExitCode, String> {
    let client = from_args(&args.api)?;
    let category = FileCategory::from(args.category.as_str());
    let code = args.code.as_deref().map(DocumentCode::from);
    finish(
        client
            .upload_file_from_path(category, code, &args.file)
            .await,
    )
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    doku_model::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

pub(crate) async fn register(args: JsonBodyArgs) -> Result<ExitCode, String> {
    let request: BusinessRegistrationRequest = read_json(&args.json)?;
    let client = from_args(&args.api)?;
    finish(
        client
            .register_business_with(&request, call_options(&args.api)?)
            .await,
    )
}

pub(crate) async fn register_lite(args: JsonBodyArgs) -> Result<ExitCode, String> {
    let request: BusinessLiteRequest = read_json(&args.json)?;
    let client = from_args(&args.api)?;
    finish(
        client
            .create_business_lite_with(&request, call_options(&args.api)?)
            .await,
    )
}

pub(crate) async fn business(args: BusinessArgs) -> Result<ExitCode, String> {
    let id = ClientId::new(args.business_client_id.clone())
        .map_err(|e| format!("business client id: {e}"))?;
    let client = from_args(&args.api)?;
    finish(
        client
            .get_business_with(&id, call_options(&args.api)?)
            .await,
    )
}
