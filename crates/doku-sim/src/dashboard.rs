//! The dashboard at `GET /`: what a developer would rather look at than read logs — the
//! merchants (client ids, registered brands, SNAP or not), the latest orders with their status
//! and payment page, the SNAP Virtual Accounts, and every notification delivery kept (time, URL,
//! HTTP status or error, latency, attempt, next retry, outcome) with a resend button (a form
//! POST to `/doku-sim/v1/deliveries/{id}/resend`, answered with a redirect back here).
//!
//! Plain HTML, every value escaped, refreshed every 5 seconds by `<meta http-equiv=refresh>`.
//! Unauthenticated like the other simulator-only paths (the simulator listens on loopback).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use http::{Method, Request, StatusCode};

use crate::deliveries::{Delivery, DELIVERIES_PATH};
use crate::html::{escape, idr, page, path_segment, respond};
use crate::page::PAGE_PREFIX;
use crate::pipeline::Outcome;
use crate::state::App;

/// Most orders, Virtual Accounts and deliveries listed (the latest ones).
const SHOWN: usize = 200;
/// Seconds between refreshes.
const REFRESH_SECONDS: u32 = 5;

/// Whether `req` is for the dashboard.
pub(crate) fn is_request<B>(req: &Request<B>) -> bool {
    req.uri().path() == "/" && req.method() == Method::GET
}

/// A table: a header row and rows of cells (already HTML).
fn table(id: &str, headers: &[&str], rows: &[String], empty: &str) -> String {
    if rows.is_empty() {
        return format!("<p class=\"muted\" id=\"{id}\">{empty}</p>");
    }
    let mut out = format!("<table id=\"{id}\"><tr>");
    for h in headers {
        let _ = write!(out, "<th>{h}</th>");
    }
    out.push_str("</tr>");
    for row in rows {
        out.push_str(row);
    }
    out.push_str("</table>");
    out
}

fn tag(class: &str, text: &str) -> String {
    format!(
        "<span class=\"tag {}\">{}</span>",
        escape(class),
        escape(text)
    )
}

fn merchants(app: &App) -> String {
    // client id → (what it is, name)
    let mut all: BTreeMap<String, (&str, String)> = BTreeMap::new();
    for id in app.config.client_ids() {
        all.insert(id.to_owned(), ("configured credential", String::new()));
    }
    {
        let store = app.store();
        for (id, business) in &store.businesses {
            let name = business
                .data
                .brands
                .iter()
                .find(|b| b.id == *id)
                .map(|b| b.name.clone())
                .unwrap_or_default();
            all.entry(id.clone())
                .or_insert(("brand registered through the Partner API", name));
        }
    }
    let rows: Vec<String> = all
        .iter()
        .map(|(id, (what, name))| {
            let snap = match app.snap.merchant(id) {
                Some(m) => format!(
                    "yes{}",
                    m.notification_url
                        .as_deref()
                        .map(|u| format!(" (notifications to {})", escape(u)))
                        .unwrap_or_default()
                ),
                None => "no".to_owned(),
            };
            format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{snap}</td></tr>",
                escape(id),
                escape(name),
                escape(what)
            )
        })
        .collect();
    table(
        "merchants",
        &["client id", "name", "what", "SNAP"],
        &rows,
        "No merchants.",
    )
}

fn orders(app: &App) -> String {
    let (latest, total) = app.orders().latest(SHOWN);
    let rows: Vec<String> = latest
        .iter()
        .map(|o| {
            let status = o.state.transaction_status();
            format!(
                "<tr><td>{invoice}</td><td><code>{owner}</code></td><td>{amount}</td><td>{status}</td>\
                 <td>{method}</td><td>{created}</td><td><a href=\"{prefix}{token}\">payment page</a></td></tr>",
                invoice = escape(&o.invoice_number),
                owner = escape(&o.owner),
                amount = escape(&idr(&o.amount.to_canonical())),
                status = tag(status, status),
                method = escape(o.method.as_deref().unwrap_or("")),
                created = doku_sign::timestamp::format_utc(o.created),
                prefix = PAGE_PREFIX,
                token = escape(&path_segment(&o.page.token_id)),
            )
        })
        .collect();
    let heading = if total > SHOWN {
        format!("<p class=\"muted\">The latest {SHOWN} of {total}.</p>")
    } else {
        String::new()
    };
    heading
        + &table(
            "orders",
            &[
                "invoice", "merchant", "amount", "status", "method", "created", "",
            ],
            &rows,
            "No Checkout orders yet.",
        )
}

fn virtual_accounts(app: &App) -> String {
    let store = app.snap.vas();
    let mut vas: Vec<_> = store.accounts.iter().collect();
    vas.sort_by(|a, b| a.0.cmp(b.0));
    let total = vas.len();
    let rows: Vec<String> = vas
        .into_iter()
        .take(SHOWN)
        .map(|((owner, _, _), va)| {
            let state = if va.inactive {
                "INACTIVE"
            } else if !va.paid.is_empty() {
                "PAID"
            } else {
                "ACTIVE"
            };
            format!(
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(va.data.virtual_account_no.as_str()),
                escape(owner),
                escape(va.data.virtual_account_name.as_deref().unwrap_or("")),
                escape(&va.channel()),
                escape(&va.bill().map(idr).unwrap_or_else(|| "open".to_owned())),
                tag(state, state),
            )
        })
        .collect();
    let heading = if total > SHOWN {
        format!("<p class=\"muted\">The first {SHOWN} of {total}.</p>")
    } else {
        String::new()
    };
    heading
        + &table(
            "virtual-accounts",
            &["number", "merchant", "name", "channel", "amount", "state"],
            &rows,
            "No SNAP Virtual Accounts yet.",
        )
}

fn delivery_row(d: &Delivery) -> String {
    let last = d.last_attempt();
    let answer = match last {
        Some(a) => match (a.status, &a.error) {
            (Some(status), _) => format!("HTTP {status}"),
            (None, Some(error)) => escape(error),
            (None, None) => String::new(),
        },
        None => String::new(),
    };
    let latency = last
        .map(|a| format!("{} ms", a.latency_ms))
        .unwrap_or_default();
    let at = last.map_or(d.created_at.as_str(), |a| a.at.as_str());
    let kind = match d.kind {
        crate::DeliveryKind::Checkout => "Checkout",
        crate::DeliveryKind::SnapVa => "SNAP VA",
    };
    format!(
        "<tr id=\"delivery-{id}\"><td>{id}</td><td>{at}</td><td>{kind}</td><td><code>{client}</code></td>\
         <td>{reference}</td><td class=\"url\">{url}</td><td class=\"answer\">{answer}</td><td>{latency}</td>\
         <td>{attempts}</td><td>{next}</td><td>{outcome}</td><td>\
         <form method=\"post\" action=\"{path}/{id}/resend\"><input type=\"hidden\" name=\"from\" value=\"dashboard\">\
         <button type=\"submit\" class=\"small\">Resend</button></form></td></tr>",
        id = d.id,
        at = escape(at),
        client = escape(&d.client_id),
        reference = escape(&d.reference),
        url = escape(&d.url),
        attempts = d.attempt_count,
        next = escape(d.next_retry_at.as_deref().unwrap_or("")),
        outcome = tag(d.outcome.as_str(), d.outcome.as_str()),
        path = DELIVERIES_PATH,
    )
}

fn deliveries(app: &App) -> String {
    let history = app.notifier.history();
    let (kept, max) = history.counts();
    let mut list = history.list(Some(SHOWN));
    list.reverse();
    let rows: Vec<String> = list.iter().map(delivery_row).collect();
    format!(
        "<p class=\"muted\">Newest first; the simulator keeps the latest {max} ({kept} now).</p>{}",
        table(
            "deliveries",
            &[
                "id",
                "last attempt",
                "kind",
                "merchant",
                "invoice / VA",
                "URL",
                "answer",
                "latency",
                "attempts",
                "next retry",
                "outcome",
                "",
            ],
            &rows,
            "No notifications delivered yet.",
        )
    )
}

/// Answers `GET /`.
pub(crate) fn answer<B>(app: &App, _req: &Request<B>) -> Outcome {
    let stats = app.stats_snapshot();
    let mut notification_url = app.config.notification_url.as_deref().map_or_else(
        || {
            "<b>none configured</b>: Checkout payments send no notification \
             (<code>--notification-url</code>)"
                .to_owned()
        },
        |u| format!("<code>{}</code>", escape(u)),
    );
    for (client_id, url) in app.notification_urls() {
        notification_url.push_str(&format!(
            "<br><code>{}</code>: <code>{}</code>",
            escape(&client_id),
            escape(&url)
        ));
    }
    let body = format!(
        "<div class=\"card\"><h1>doku-sim</h1><dl>\
         <dt>Base URL</dt><dd><code>{base}</code></dd>\
         <dt>Notification URL</dt><dd>{notification_url}</dd>\
         <dt>Retry schedule</dt><dd>DOKU's +30 min, +6 h, +12 h × time scale {scale}</dd>\
         <dt>Counts</dt><dd>{checkouts} checkouts, {payments} payments, {delivered} notifications delivered, \
         {abandoned} abandoned, {queued} queued</dd></dl></div>\
         <div class=\"card\"><h2>Merchants</h2>{merchants}</div>\
         <div class=\"card\"><h2>Checkout orders</h2>{orders}</div>\
         <div class=\"card\"><h2>SNAP Virtual Accounts</h2>{vas}</div>\
         <div class=\"card\"><h2>Notification deliveries</h2>{deliveries}</div>",
        base = escape(&app.base_url),
        scale = app.config.time_scale,
        checkouts = stats.checkouts,
        payments = stats.payments + stats.snap_payments,
        delivered = stats.notifications_delivered,
        abandoned = stats.notifications_abandoned,
        queued = stats.notifications_queued,
        merchants = merchants(app),
        orders = orders(app),
        vas = virtual_accounts(app),
        deliveries = deliveries(app),
    );
    respond(
        StatusCode::OK,
        page("doku-sim dashboard", Some(REFRESH_SECONDS), &body),
    )
}
