//! `PgTokenStore` against a throwaway PostgreSQL: the table, the token, the lease, and failing
//! closed when the database is gone.

use std::time::Duration;

use doku_partner::{StoredToken, TokenKey, TokenKind, TokenStore};
use doku_postgres::{Error, PgTokenStore};
use doku_test_support::postgres::TestPostgres;

fn key(client_id: &str) -> TokenKey {
    TokenKey::new(TokenKind::Partner, client_id, "https://api.doku.com")
}

#[tokio::test]
async fn tokens_are_saved_per_key_and_the_lease_has_one_holder_until_released_or_expired() {
    let Some(pg) = TestPostgres::start() else {
        return;
    };
    let a = PgTokenStore::connect(&pg.connection_string())
        .await
        .unwrap()
        .lease_duration(Duration::from_millis(400));
    a.migrate().await.unwrap();
    a.migrate().await.unwrap(); // idempotent
    let b = PgTokenStore::connect(&pg.url()).await.unwrap();

    assert_eq!(a.load(&key("BRN-1")).await.unwrap(), None);
    let token = StoredToken::new("eyJ.tok.en", 1_000, 4_600);
    a.save(&key("BRN-1"), &token).await.unwrap();
    assert_eq!(b.load(&key("BRN-1")).await.unwrap(), Some(token.clone()));
    assert_eq!(b.load(&key("BRN-2")).await.unwrap(), None, "per client id");
    let snap = TokenKey::new(TokenKind::SnapB2b, "BRN-1", "https://api.doku.com");
    assert_eq!(b.load(&snap).await.unwrap(), None, "per kind");
    let uat = TokenKey::new(TokenKind::Partner, "BRN-1", "https://api-uat.doku.com");
    assert_eq!(b.load(&uat).await.unwrap(), None, "per environment");

    // One holder at a time; the other waits (bounded) and gets it once released.
    let lease = a
        .acquire_fetch_lease(&key("BRN-1"), Duration::ZERO)
        .await
        .unwrap();
    let refused = b
        .acquire_fetch_lease(&key("BRN-1"), Duration::from_millis(100))
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("fetch lease"), "{refused}");
    a.release(&key("BRN-1"), lease).await.unwrap();
    let lease = b
        .acquire_fetch_lease(&key("BRN-1"), Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(
        b.load(&key("BRN-1")).await.unwrap(),
        Some(token),
        "the lease keeps the token"
    );
    b.release(&key("BRN-1"), lease).await.unwrap();

    // A holder that never releases (crashed) blocks the others until the lease's deadline only.
    let _abandoned = a
        .acquire_fetch_lease(&key("BRN-3"), Duration::ZERO)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    b.acquire_fetch_lease(&key("BRN-3"), Duration::from_secs(5))
        .await
        .unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
}

#[tokio::test]
async fn a_database_that_is_gone_fails_closed_and_quickly() {
    let Some(pg) = TestPostgres::start() else {
        return;
    };
    let settings = pg.connection_string();
    let store = PgTokenStore::connect(&settings).await.unwrap();
    store.migrate().await.unwrap();
    drop(pg); // the server stops and its directory is deleted
    let started = std::time::Instant::now();
    let err = store.load(&key("BRN-1")).await.unwrap_err().to_string();
    assert!(started.elapsed() < Duration::from_secs(8), "bounded");
    assert!(err.contains("PostgreSQL"), "{err}");
    let refused = PgTokenStore::connect(&settings).await.unwrap_err();
    assert!(matches!(refused, Error::Connect { .. }), "{refused:?}");
    assert!(refused.to_string().contains("127.0.0.1:"), "{refused}");
    assert!(matches!(
        PgTokenStore::new("port=notanumber"),
        Err(Error::Config(_))
    ));
}
