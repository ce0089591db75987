//! A simulator that delivers payment notifications, a partner client on it and a brand onboarded
//! through the Partner calls: the start of every "a payment reaches a receiver" test.
//!
//! Shared by doku-partner's tests, doku-cli's `doku listen` tests and the receiver example's tests
//! (feature `flows`, which brings in doku-partner and doku-sim).

use crate::{mandatory_uploads, PARTNER_CLIENT_ID, PARTNER_SECRET};
use doku_model::{BusinessDataBrand, BusinessRegistrationRequest, CheckoutRequest, ClientId};
use doku_partner::{Client, Config, Environment, GetBusiness};
use doku_sign::SecretKey;
use doku_sim::{PayRequest, Sim, SimConfigBuilder, SimHandle};

/// What [`onboard`] set up.
pub struct Onboarded {
    /// The simulator, with the partner's credential.
    pub sim: SimHandle,
    /// The partner's client on it.
    pub client: Client,
    /// The brand as Get Business Data shows it.
    pub brand: BusinessDataBrand,
    /// The brand's shared key: what signs its notifications.
    pub shared_key: String,
}

/// Starts a simulator from `sim_config` (the partner's credential added), registers `body` with
/// the documents a PERSONAL business needs (each placed where DOKU expects it) and reads the
/// brand back. Every step must succeed.
pub async fn onboard(
    sim_config: SimConfigBuilder,
    mut body: BusinessRegistrationRequest,
) -> Onboarded {
    let partner_key = SecretKey::new(PARTNER_SECRET);
    let sim_config = sim_config.credential(PARTNER_CLIENT_ID, partner_key.clone());
    let sim = Sim::start(sim_config.build().expect("sim config"))
        .await
        .expect("sim");
    let config = Config::builder(PARTNER_CLIENT_ID, partner_key)
        .environment(Environment::Custom(sim.base_url()))
        .build()
        .expect("client config");
    let client = Client::new(config).expect("client");
    for upload in mandatory_uploads() {
        let id = client.send(upload.clone()).await.expect("upload").value.id;
        body.attach(&upload, id);
    }
    let created = client.send(&body).await.expect("register").value;
    let brand_id = ClientId::new(created.brand_ids()[0].to_owned()).expect("brand id");
    let data = client
        .send(GetBusiness::new(&brand_id))
        .await
        .expect("business data")
        .value;
    let brand = data.brands[0].clone();
    let shared_key = brand
        .shared_key
        .as_ref()
        .expect("shared key")
        .expose()
        .to_owned();
    Onboarded {
        sim,
        client,
        brand,
        shared_key,
    }
}

impl Onboarded {
    /// A payment of `amount` for `invoice`: a Checkout through the brand's merchant handle, then
    /// the simulator pays it, which sends the notification.
    pub async fn pay(&self, amount: u64, invoice: &str) {
        let merchant = self
            .client
            .merchant_from_brand(&self.brand)
            .expect("merchant");
        merchant
            .send(&CheckoutRequest::new(amount, invoice))
            .await
            .expect("checkout");
        self.sim
            .pay(&PayRequest::new(invoice).client_id(self.brand.id.as_str()))
            .expect("pay");
    }
}
