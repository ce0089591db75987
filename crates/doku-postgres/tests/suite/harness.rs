//! The throwaway server itself: it starts, answers, and is gone after drop.

use doku_test_support::postgres::TestPostgres;

#[tokio::test]
async fn a_throwaway_server_starts_answers_and_is_removed() {
    let Some(pg) = TestPostgres::start() else {
        return;
    };
    let (client, connection) =
        tokio_postgres::connect(&pg.connection_string(), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(connection);
    let row = client.query_one("SELECT 1 + 1", &[]).await.unwrap();
    assert_eq!(row.get::<_, i32>(0), 2);
    let fsync: String = client.query_one("SHOW fsync", &[]).await.unwrap().get(0);
    assert_eq!(fsync, "off");
    let dir = pg.data_dir();
    drop(client);
    drop(pg);
    assert!(!dir.exists(), "{} is left behind", dir.display());
}
