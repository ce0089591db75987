//! Logs never contain the secret key, the bearer token or request/response bodies.
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use common::*;
use doku_model::Endpoint;
use doku_model::{ClientId, FileCategory, UploadFile};
use doku_sim::{Fault, FaultKind};

#[tokio::test]
async fn secret_token_and_bodies_never_reach_the_logs() {
    let (capture, _guard) = LogCapture::install_trace();

    let sim = sim().await;
    let client = client(&sim);
    let token = client.send(GenerateToken::new()).await.unwrap().value.token;
    client.send(&personal_query()).await.unwrap();
    // The mandatory files, the KTP's bytes a needle to look for.
    let mut uploads = mandatory_uploads();
    let file_bytes = "PIXELDATA-4d1e0f-unique".as_bytes().to_vec();
    uploads[0] = UploadFile::file(FileCategory::Document, "ktp.png", "image/png", file_bytes)
        .with_code(doku_model::DocumentCode::Ktp);
    let ids = upload_all(&client, uploads).await;
    // Faults so retry, replay and error paths log too.
    let drop_once = Fault::once(FaultKind::ProcessThenDrop);
    let created = register_under_fault(&sim, &client, "Toko Rahasia Zebra", &ids, drop_once)
        .await
        .unwrap();
    sim.set_fault(
        Endpoint::GetBusinessData,
        Fault::once(FaultKind::ExpireToken),
    );
    let brand = ClientId::new(created.brand_ids()[0].to_owned()).unwrap();
    client.send(GetBusiness::new(&brand)).await.unwrap();
    let mut bad_lite = lite("Toko Undangan Kuda");
    bad_lite.referral = Some(doku_model::Referral {
        code: "ABC123".into(),
    });
    sim.set_fault(
        Endpoint::BusinessLite,
        Fault::once(FaultKind::WrongSignature),
    );
    assert!(client.send(&bad_lite).await.is_err());
    let _ = client
        .send(&registration(
            "Toko Gagal Singa",
            &[doku_model::FileId::new("DCM-0-404").unwrap()],
        ))
        .await
        .unwrap_err();

    let logs = capture.text_with_call_spans();
    assert!(logs.contains("request_id="), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    let new_token = client.send(GenerateToken::new()).await.unwrap().value.token;
    for (what, needle) in [
        ("secret", SECRET),
        ("token", token.as_str()),
        ("token payload", token.split('.').nth(1).unwrap()),
        ("refreshed token", new_token.as_str()),
        ("file bytes", "PIXELDATA-4d1e0f-unique"),
        ("business name", "Toko Rahasia Zebra"),
        ("lite name", "Toko Undangan Kuda"),
        ("failed body", "Toko Gagal Singa"),
        ("email", "owner@example.com"),
        ("phone", "81234567890"),
    ] {
        assert!(
            !logs.contains(needle),
            "the {what} appears in the logs:\n{logs}"
        );
    }
}
