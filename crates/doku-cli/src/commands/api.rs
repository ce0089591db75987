//! One command per Partner API endpoint: DOKU's JSON on stdout as received, messages on stderr.
//!
//! The answer is decoded (so a malformed one is an error) but what is printed is the body DOKU
//! sent, not the typed value re-serialised: nothing DOKU sent is lost, nothing is invented.

use std::path::Path;
use std::process::ExitCode;

use doku_model::{
    BusinessLine, BusinessLiteRequest, BusinessRegistrationRequest, BusinessType, ClientId,
    DocumentCode, FileCategory, LegalEntity, RequirementsQuery,
};
use doku_partner::{upload_from_path, Answer, Client, GenerateToken, GetBusiness, Operation};
use serde::de::DeserializeOwned;

use super::client::{call, from_args, print_json};
use crate::args::{ApiArgs, BusinessArgs, JsonBodyArgs, RequirementsArgs, TokenArgs, UploadArgs};
use crate::output::{print_body, report_failure};

/// Turns a typed call's result into output and an exit code.
fn finish<T: serde::Serialize>(
    client: &Client,
    result: Result<Answer<T>, doku_partner::Error>,
) -> Result<ExitCode, String> {
    match result {
        Ok(answer) => print_json(&answer.value),
        Err(error) => Ok(report_failure(&error, Some(client))),
    }
}

/// Sends `request` with a client from `args` and prints DOKU's body as received (the answer
/// is decoded all the same, so a malformed one is an error).
async fn send_verbatim<O: Operation<Sender = Client>>(
    args: &ApiArgs,
    request: O,
) -> Result<ExitCode, String> {
    let client = from_args(args)?;
    let result = client.send(call(request, &args.target)?).await;
    match result {
        Ok(answer) => {
            let Answer { body, .. } = answer;
            print_body(&body, Some(&client));
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => Ok(report_failure(&error, Some(&client))),
    }
}

pub(crate) async fn token(args: TokenArgs) -> Result<ExitCode, String> {
    let client = from_args(&args.api)?;
    let result = client
        .send(call(GenerateToken::new(), &args.api.target)?)
        .await;
    finish(&client, result)
}

pub(crate) async fn requirements(args: RequirementsArgs) -> Result<ExitCode, String> {
    let query = RequirementsQuery::new(
        BusinessType::from(args.business_type.as_str()),
        LegalEntity::from(args.legal_entity.as_str()),
        BusinessLine::from(args.business_line.as_str()),
        args.nationality.as_str(),
    );
    send_verbatim(&args.api, &query).await
}

pub(crate) async fn upload(args: UploadArgs) -> Result<ExitCode, String> {
    let client = from_args(&args.api)?;
    let category = FileCategory::from(args.category.as_str());
    let code = args.code.as_deref().map(DocumentCode::from);
    let result = match upload_from_path(category, code, &args.file).await {
        Ok(upload) => client.send(call(&upload, &args.api.target)?).await,
        Err(error) => Err(error),
    };
    finish(&client, result)
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    doku_model::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

pub(crate) async fn register(args: JsonBodyArgs) -> Result<ExitCode, String> {
    let request: BusinessRegistrationRequest = read_json(&args.json)?;
    send_verbatim(&args.api, &request).await
}

pub(crate) async fn register_lite(args: JsonBodyArgs) -> Result<ExitCode, String> {
    let request: BusinessLiteRequest = read_json(&args.json)?;
    send_verbatim(&args.api, &request).await
}

pub(crate) async fn business(args: BusinessArgs) -> Result<ExitCode, String> {
    let id = ClientId::new(args.business_client_id.clone())
        .map_err(|e| format!("business client id: {e}"))?;
    send_verbatim(&args.api, GetBusiness::new(&id)).await
}
