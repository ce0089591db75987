//! Every endpoint end to end against doku-sim over loopback.
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use common::*;
use doku_model::{ClientId, DocumentCode, FileCategory, RequestId, RequirementsQuery, UploadFile};
use doku_partner::{upload_from_path, Error};

#[tokio::test]
async fn full_onboarding_flow() {
    let sim = sim().await;
    let client = strict_client(&sim);

    let token = client.send(GenerateToken::new()).await.unwrap().value;
    assert_eq!(token.token.split('.').count(), 3);
    assert!(client.cached_token_lifetime().is_some());

    let requirements = client.send(&personal_query()).await.unwrap().value;
    let mut mandatory = requirements.mandatory_codes();
    mandatory.sort_unstable();
    assert_eq!(mandatory, ["KTP", "OWNER_LIVENESS", "PHOTO_PROOF"]);

    // KTP from a file on disk, the others from memory.
    let dir = std::env::temp_dir().join(format!("doku-partner-flow-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    let ktp_path = dir.join("ktp.png");
    std::fs::write(&ktp_path, b"\x89PNG\r\n\x1a\n ktp").unwrap();
    let ktp = upload_from_path(FileCategory::Document, Some(DocumentCode::Ktp), &ktp_path)
        .await
        .unwrap();
    let ktp = client.send(&ktp).await.unwrap().value;
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(ktp.category, FileCategory::Document);
    let liveness = client
        .send(png(FileCategory::OwnerLiveness))
        .await
        .unwrap()
        .value;
    let photo = client
        .send(UploadFile::url(
            FileCategory::PhotoProof,
            "https://example.com/p.png",
        ))
        .await
        .unwrap()
        .value;

    let created = client
        .send(&registration("Toko Maju", &[ktp.id, liveness.id, photo.id]))
        .await
        .unwrap()
        .value;
    let brand = ClientId::new(created.brand_ids()[0].to_owned()).unwrap();
    let data = client.send(GetBusiness::new(&brand)).await.unwrap().value;
    assert_eq!(data.name, "Toko Maju");
    assert_eq!(data.id, created.business.id);
    assert_eq!(data.partner.as_deref(), Some(CLIENT_ID));

    let invited = client.send(&lite("Toko Lite")).await.unwrap().value;
    assert_eq!(
        invited.business.partner_ref_id.as_deref(),
        Some("3f1c0b6e-8a6e-4d3a-9f55-1b2a3c4d5e6f")
    );

    let stats = sim.stats();
    assert_eq!(
        stats.tokens_for(CLIENT_ID),
        1,
        "one token for the whole flow"
    );
    assert_eq!(
        (
            stats.requirement_checks,
            stats.uploads,
            stats.registrations,
            stats.business_data_reads,
            stats.lite_registrations
        ),
        (1, 3, 1, 1, 1)
    );
    assert_eq!((stats.rejected, stats.replays), (0, 0));
    assert_eq!(sim.invitations_for(CLIENT_ID), 1);
}

fn uuid_like() -> String {
    RequestId::random().to_string()
}

#[tokio::test]
async fn validation_errors_prevent_any_network_call() {
    let sim = sim().await;
    let client = client(&sim);
    let before = sim.stats().total_requests;

    let mut bad = registration("Toko", &[]);
    bad.business.email = "not-an-email".into();
    bad.business.contacts[0].nationality = "Indonesia".into();
    let Err(Error::Validation(errors)) = client.send(&bad).await else {
        panic!("expected a validation error")
    };
    assert!(errors.paths().contains(&"business.email"), "{errors}");
    assert!(
        errors.paths().contains(&"business.contacts[0].nationality"),
        "{errors}"
    );

    let query = RequirementsQuery::personal("");
    assert!(matches!(
        client.send(&query).await,
        Err(Error::Validation(_))
    ));

    let exe = UploadFile::file(
        FileCategory::Logo,
        "virus.exe",
        "application/octet-stream",
        vec![1],
    );
    assert!(matches!(client.send(exe).await, Err(Error::Validation(_))));
    let mismatch = UploadFile::file(FileCategory::Logo, "a.png", "application/pdf", vec![1]);
    assert!(matches!(
        client.send(mismatch).await,
        Err(Error::Validation(_))
    ));

    let mut lite_req = lite("Toko Lite");
    lite_req.invited_user.email = "nope".into();
    assert!(matches!(
        client.send(&lite_req).await,
        Err(Error::Validation(_))
    ));

    // Too large on disk: refused from the file size, before reading it.
    let path = std::env::temp_dir().join(format!("doku-partner-big-{}.pdf", uuid_like()));
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(doku_model::MAX_UPLOAD_BYTES as u64 + 1)
        .unwrap();
    let result = upload_from_path(FileCategory::Logo, None, &path).await;
    std::fs::remove_file(&path).unwrap();
    let Err(Error::Validation(errors)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(errors.paths(), ["file"]);
    let missing = upload_from_path(FileCategory::Logo, None, "/nonexistent/doku/logo.png").await;
    assert!(matches!(missing, Err(Error::Io { .. })), "{missing:?}");

    assert_eq!(
        sim.stats().total_requests,
        before,
        "nothing reached the simulator"
    );
    assert_eq!(sim.stats().tokens_for(CLIENT_ID), 0);
}

#[tokio::test]
async fn api_errors_carry_status_code_and_message() {
    let sim = sim().await;
    let client = client(&sim);
    let ids = upload_mandatory(&client).await;
    let unknown = doku_model::FileId::new("DCM-0000-404").unwrap();
    let err = client
        .send(&registration("Toko", &[ids[0].clone(), unknown]))
        .await
        .unwrap_err();
    let Error::Api {
        status,
        code,
        message,
        body,
        request_id,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(status.as_u16(), 400);
    assert_eq!(code.as_deref(), Some("unknown_file_id"));
    assert!(message.as_deref().unwrap().contains("DCM-0000-404"));
    assert!(body.contains("unknown_file_id"));
    assert!(!request_id.is_empty());

    let err = client
        .send(GetBusiness::new(&ClientId::new("BRN-0000-404").unwrap()))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn caller_supplied_request_id_replays_instead_of_registering_twice() {
    let sim = sim().await;
    let ids = upload_mandatory(&client(&sim)).await;
    let request = registration("Toko Sekali", &ids);
    let request_id = RequestId::new("partner-order-42-registration").unwrap();

    // Two processes (two clients) retrying the same logical registration.
    let first = client(&sim)
        .send(Call::new(&request).request_id(request_id.clone()))
        .await
        .unwrap();
    let second = client(&sim)
        .send(Call::new(&request).request_id(request_id))
        .await
        .unwrap();
    assert_eq!(
        first.value, second.value,
        "the 409 replay is the original answer"
    );
    assert!(!first.replay && second.replay);
    assert_eq!((first.attempts, second.attempts), (1, 1));
    assert_eq!(first.request_id, second.request_id);
    let stats = sim.stats();
    assert_eq!((stats.registrations, stats.replays), (1, 1));
}
