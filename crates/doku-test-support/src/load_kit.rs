//! What both load benches share (doku-sim's `throughput` and doku-partner's `client`; feature
//! `load`): the load generator's current-thread runtime, the simulator on a
//! runtime of its own, and a batch of Check Requirements requests signed before the timed window.

use crate::{now_timestamp, PreSigned};
use bytes::Bytes;
use doku_sign::SecretKey;
use doku_sim::{BackgroundSim, SimConfig};
use http::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, HOST};
use http::{Request, Uri};
use tokio::runtime::Runtime;

/// A current-thread runtime for the client side, and the simulator on `server_threads`
/// workers, knowing `client_id` with `secret`.
pub fn client_runtime_and_sim(
    client_id: &str,
    secret: &str,
    server_threads: usize,
) -> (Runtime, BackgroundSim) {
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime");
    let config = SimConfig::builder()
        .credential(client_id, SecretKey::new(secret))
        .build()
        .expect("a valid simulator config");
    let sim = BackgroundSim::start(config, server_threads).expect("the simulator starts");
    (client_rt, sim)
}

// doku_sign::headers' names, lower-cased as `HeaderName::from_static` needs them.
static CLIENT_ID_H: HeaderName = HeaderName::from_static("client-id");
static REQUEST_ID_H: HeaderName = HeaderName::from_static("request-id");
static TIMESTAMP_H: HeaderName = HeaderName::from_static("request-timestamp");
static SIGNATURE_H: HeaderName = HeaderName::from_static("signature");

/// Signed GET requests to one URI, signed up front with one timestamp and distinct
/// Request-Ids. Header values are slices of two shared buffers, so assembling request `i`
/// copies no signature and signs nothing.
pub struct PreparedRequests {
    /// How many requests there are.
    pub count: usize,
    client_id: HeaderValue,
    ids: Bytes,
    id_len: usize,
    signatures: Bytes,
    signature_len: usize,
    timestamp: HeaderValue,
    authorization: HeaderValue,
    host: Option<HeaderValue>,
    uri: Uri,
}

/// What [`PreparedRequests::new`] signs.
pub struct Batch<'a> {
    pub count: usize,
    pub client_id: &'static str,
    pub secret: &'a str,
    /// The Request-Target signed (the path alone; DOKU does not sign the query).
    pub path: &'a str,
    /// The URI sent: an absolute one for a pooled client, the path and query for a connection.
    pub uri: Uri,
    /// A `Host` header, for a bare connection that does not add one itself.
    pub host: Option<String>,
    pub bearer: &'a str,
}

impl PreparedRequests {
    /// Signs `batch.count` requests; request `i` has the Request-Id `id(i)` (all of one length).
    pub fn new(batch: Batch<'_>, id: impl Fn(usize) -> String) -> Self {
        let timestamp = now_timestamp();
        let signed = PreSigned::new(
            batch.count,
            batch.client_id,
            batch.secret,
            batch.path,
            &timestamp,
            id,
        );
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", batch.bearer))
            .expect("a token is a header value");
        authorization.set_sensitive(true);
        Self {
            count: batch.count,
            client_id: HeaderValue::from_static(batch.client_id),
            ids: Bytes::from(signed.ids),
            id_len: signed.id_len,
            signatures: Bytes::from(signed.signatures),
            signature_len: signed.signature_len,
            timestamp: HeaderValue::from_str(&timestamp).expect("a timestamp is a header value"),
            authorization,
            host: batch
                .host
                .map(|h| HeaderValue::from_str(&h).expect("an address is a header value")),
            uri: batch.uri,
        }
    }

    /// Request `i`, with an empty body of type `B`: `Bytes` slices and clones only.
    pub fn request<B: Default>(&self, i: usize) -> Request<B> {
        let slice = |buf: &Bytes, len: usize| {
            HeaderValue::from_maybe_shared(buf.slice(i * len..(i + 1) * len))
                .expect("a pre-signed value is a header value")
        };
        let mut req = Request::new(B::default());
        *req.uri_mut() = self.uri.clone();
        let h = req.headers_mut();
        if let Some(host) = &self.host {
            h.insert(HOST, host.clone());
        }
        h.insert(ACCEPT, HeaderValue::from_static("application/json"));
        h.insert(CLIENT_ID_H.clone(), self.client_id.clone());
        h.insert(REQUEST_ID_H.clone(), slice(&self.ids, self.id_len));
        h.insert(TIMESTAMP_H.clone(), self.timestamp.clone());
        h.insert(
            SIGNATURE_H.clone(),
            slice(&self.signatures, self.signature_len),
        );
        h.insert(AUTHORIZATION, self.authorization.clone());
        req
    }
}
