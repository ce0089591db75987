//! The simulator's delivery history from the shell: `doku sim deliveries` (a table, or the
//! simulator's JSON with `--json`) and `doku sim resend ID`; and [`Report`], the one line that
//! `pay`, `pay-va`, `trigger` and `resend` print about a delivery.
//!
//! Exit codes: `deliveries` 0; `resend` 0 when the receiver acknowledged the new attempt, 1 when
//! it did not or the simulator keeps no such delivery; both 2 when there is no simulator at the
//! URL.

use std::fmt::Write as _;
use std::process::ExitCode;

use doku_sim::Delivery;

use crate::output::escape;
use crate::sim_pay::PayError;

/// `doku sim deliveries`.
#[derive(Debug, clap::Args)]
pub(crate) struct DeliveriesArgs {
    /// The running simulator, e.g. http://127.0.0.1:8080 (what `doku sim` printed).
    #[arg(long, env = "DOKU_BASE_URL", value_name = "URL")]
    pub(crate) base_url: String,
    /// Only the latest N.
    #[arg(long, value_name = "N")]
    pub(crate) limit: Option<usize>,
    /// Print the simulator's answer as one JSON line (every attempt of each delivery) instead of
    /// the table.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `doku sim resend`.
#[derive(Debug, clap::Args)]
pub(crate) struct ResendArgs {
    /// The delivery's id (the first column of `doku sim deliveries`, `delivery_id` of a payment).
    pub(crate) id: u64,
    /// The running simulator, e.g. http://127.0.0.1:8080 (what `doku sim` printed).
    #[arg(long, env = "DOKU_BASE_URL", value_name = "URL")]
    pub(crate) base_url: String,
}

/// What became of a payment's notification, as far as the payment's answer tells.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    /// Whether the notification was sent and its first attempt acknowledged (or, without
    /// waiting, at least scheduled).
    ok: bool,
    /// One line for people.
    line: String,
}

impl Report {
    /// The report of a payment whose notification goes to `url` (`None`: none was sent, `note`
    /// says why) as delivery `id`, with `delivery` as it stood after waiting `waited` seconds.
    pub(crate) fn new(
        url: Option<&str>,
        id: Option<u64>,
        delivery: Option<&Delivery>,
        note: Option<&str>,
        waited: u64,
    ) -> Self {
        let note = note.map(|n| escape(n, false));
        let (Some(url), Some(id)) = (url, id) else {
            return Self {
                ok: false,
                line: format!(
                    "no notification was sent: {}",
                    note.as_deref()
                        .unwrap_or("the simulator scheduled none (no Notification URL?)")
                ),
            };
        };
        let url = escape(url, false);
        match delivery {
            Some(delivery) => Self::of(delivery),
            None if waited == 0 => Self {
                ok: true,
                line: format!(
                    "notification {id} to {url} scheduled (not waited for: `doku sim deliveries` shows how it went)"
                ),
            },
            None => Self {
                ok: false,
                line: format!(
                    "notification {id} to {url}: {}",
                    note.as_deref().unwrap_or("no delivery attempt reported")
                ),
            },
        }
    }

    /// The report of `delivery` as it stands: its last attempt (URL, the receiver's HTTP status
    /// or why there was none, latency, attempt number, next retry).
    pub(crate) fn of(delivery: &Delivery) -> Self {
        let url = escape(&delivery.url, false);
        let ok = delivery.last_attempt().is_some_and(|a| a.acknowledged);
        let what = match delivery.last_attempt() {
            Some(attempt) => escape(&attempt.summary(), false),
            None => format!(
                "no attempt yet ({})",
                escape(delivery.outcome.as_str(), false)
            ),
        };
        let mut line = format!("notification {} to {url}: {what}", delivery.id);
        if !ok {
            let _ = write!(line, " — `doku sim resend {}` sends it again", delivery.id);
        }
        Self { ok, line }
    }

    /// Whether the notification was delivered (or scheduled, when not waited for).
    pub(crate) fn ok(&self) -> bool {
        self.ok
    }

    /// The line for people (escaped).
    pub(crate) fn line(&self) -> &str {
        &self.line
    }
}

/// `doku sim deliveries`: the table (or JSON) of the simulator's delivery history.
pub(crate) async fn list(args: DeliveriesArgs) -> Result<ExitCode, String> {
    let list = crate::sim_pay::deliveries(&args.base_url, args.limit)
        .await
        .map_err(|e| e.message())?;
    if args.json {
        let line = serde_json::to_string(&list).map_err(|e| e.to_string())?;
        println!("{}", crate::output::escape_json_text(&line));
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", table(&list.deliveries));
    if list.kept >= list.max_kept {
        eprintln!(
            "(the simulator keeps the latest {} deliveries; older ones are forgotten)",
            list.max_kept
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `doku sim resend ID`: one more attempt now; its outcome on stdout.
pub(crate) async fn resend(args: ResendArgs) -> Result<ExitCode, String> {
    match crate::sim_pay::resend(&args.base_url, args.id).await {
        Ok(delivery) => {
            let report = Report::of(&delivery);
            println!("{}", report.line());
            Ok(ExitCode::from(if report.ok() { 0 } else { 1 }))
        }
        Err(refused @ PayError::Refused(_)) => {
            eprintln!("error: {}", refused.message());
            Ok(ExitCode::from(1))
        }
        Err(unreachable) => Err(unreachable.message()),
    }
}

/// The column titles of [`table`].
const COLUMNS: [&str; 10] = [
    "ID",
    "LAST ATTEMPT",
    "KIND",
    "MERCHANT",
    "REFERENCE",
    "ANSWER",
    "TRIES",
    "OUTCOME",
    "NEXT RETRY",
    "URL",
];

/// The deliveries as an aligned table, one line each (every value escaped), or a line saying
/// there are none.
pub(crate) fn table(deliveries: &[Delivery]) -> String {
    if deliveries.is_empty() {
        return "no notification delivered yet\n".to_owned();
    }
    let rows: Vec<[String; 10]> = deliveries.iter().map(row).collect();
    let mut widths = COLUMNS.map(|c| c.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let mut line = |cells: &[String]| {
        let mut out = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                let _ = write!(out, "{cell:<width$}  ");
            }
        }
        text.push_str(out.trim_end());
        text.push('\n');
    };
    line(&COLUMNS.map(str::to_owned));
    for row in &rows {
        line(row);
    }
    text
}

/// One delivery's cells.
fn row(delivery: &Delivery) -> [String; 10] {
    let last = delivery.last_attempt();
    let answer = match last {
        None => "-".to_owned(),
        Some(a) => match (a.status, &a.error) {
            (Some(status), _) => format!("HTTP {status} in {} ms", a.latency_ms),
            (None, Some(error)) => format!("{error} ({} ms)", a.latency_ms),
            (None, None) => format!("no answer ({} ms)", a.latency_ms),
        },
    };
    let kind = serde_json::to_value(delivery.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let cell = |text: &str| escape(text, false);
    [
        delivery.id.to_string(),
        cell(last.map_or(delivery.created_at.as_str(), |a| a.at.as_str())),
        cell(&kind),
        cell(&delivery.client_id),
        cell(&delivery.reference),
        cell(&answer),
        delivery.attempt_count.to_string(),
        cell(delivery.outcome.as_str()),
        cell(delivery.next_retry_at.as_deref().unwrap_or("-")),
        cell(&delivery.url),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(json: serde_json::Value) -> Delivery {
        serde_json::from_value(json).unwrap()
    }

    fn failed() -> Delivery {
        delivery(serde_json::json!({
            "id": 7, "client_id": "BRN-1", "kind": "checkout", "reference": "INV-\u{1b}[2J",
            "url": "http://127.0.0.1:9/p", "created_at": "2026-01-01T00:00:00Z",
            "outcome": "retrying", "attempt_count": 1, "next_retry_at": "2026-01-01T00:30:00Z",
            "attempts": [{"attempt": 1, "resend": false, "at": "2026-01-01T00:00:01Z",
                "request_id": "r", "status": 500, "error": null, "acknowledged": false,
                "latency_ms": 2, "next_retry_at": "2026-01-01T00:30:00Z"}]
        }))
    }

    #[test]
    fn the_table_aligns_escapes_and_shows_the_receivers_answer() {
        let table = table(&[failed()]);
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("ID  LAST ATTEMPT"), "{table}");
        assert!(lines[1].contains("HTTP 500 in 2 ms"), "{table}");
        assert!(lines[1].contains("retrying"), "{table}");
        assert!(!table.contains('\u{1b}'), "escaped: {table}");
        assert_eq!(
            lines[0].find("URL"),
            lines[1].find("http://"),
            "aligned: {table}"
        );
    }

    #[test]
    fn a_report_fails_without_a_url_or_an_acknowledgement() {
        let none = Report::new(
            None,
            None,
            None,
            Some("no Notification URL is configured"),
            20,
        );
        assert!(!none.ok());
        assert!(
            none.line().contains("no Notification URL"),
            "{}",
            none.line()
        );
        let failed = Report::of(&failed());
        assert!(!failed.ok());
        assert!(failed.line().contains("HTTP 500"), "{}", failed.line());
        assert!(
            failed.line().contains("doku sim resend 7"),
            "{}",
            failed.line()
        );
        let unwaited = Report::new(Some("http://127.0.0.1:9/p"), Some(3), None, None, 0);
        assert!(unwaited.ok());
    }
}
