// A DOKU Checkout integration in Node.js (20+, no packages), run against doku-sim.
//
// Creates a Checkout for a customer whose phone is written with its "+62" prefix, offering BCA
// and Mandiri VA, has the simulator pay it by the second one (Mandiri VA), receives and verifies the HTTP notification on its own `http`
// server, then calls Check Status.
//
// Environment: DOKU_BASE_URL, DOKU_MERCHANT_ID, DOKU_MERCHANT_KEY, NOTIFY_PORT, NOTIFY_PATH.
// Prints one line per check: "PASS <check>" or "FAIL <check>: <why>"; exits 1 if any failed.
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const baseUrl = process.env.DOKU_BASE_URL.replace(/\/$/, "");
const clientId = process.env.DOKU_MERCHANT_ID;
const secretKey = process.env.DOKU_MERCHANT_KEY;
const notifyPort = Number(process.env.NOTIFY_PORT);
const notifyPath = process.env.NOTIFY_PATH ?? "/payments/notifications";

let failures = 0;
function report(check, ok, why = "") {
  if (ok) {
    console.log(`PASS ${check}`);
  } else {
    failures += 1;
    console.log(`FAIL ${check}: ${why}`);
  }
}

// How DOKU integrations usually write it: ISO 8601 without the milliseconds.
const timestamp = () => new Date().toISOString().split(".")[0] + "Z";
const digest = (body) => createHash("sha256").update(body).digest("base64");

function signature(id, requestId, ts, target, body) {
  let component = `Client-Id:${id}\nRequest-Id:${requestId}\nRequest-Timestamp:${ts}\nRequest-Target:${target}`;
  if (body !== undefined) component += `\nDigest:${digest(body)}`;
  return "HMACSHA256=" + createHmac("sha256", secretKey).update(component).digest("base64");
}

async function call(method, target, body, signed = true) {
  const headers = body === undefined ? {} : { "Content-Type": "application/json" };
  if (signed) {
    const requestId = randomUUID();
    const ts = timestamp();
    Object.assign(headers, {
      "Client-Id": clientId,
      "Request-Id": requestId,
      "Request-Timestamp": ts,
      Signature: signature(clientId, requestId, ts, target, body),
    });
  }
  try {
    const res = await fetch(baseUrl + target, { method, headers, body, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    try {
      return [res.status, JSON.parse(text)];
    } catch {
      return [res.status, text];
    }
  } catch (e) {
    return [0, `no answer: ${e}`];
  }
}

function equalSignatures(a, b) {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// The notification receiver: collects the raw body, verifies, answers.
let deliver;
const notification = new Promise((resolve) => (deliver = resolve));
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks); // the exact bytes; never JSON.stringify(JSON.parse(raw))
    const path = new URL(req.url, "http://127.0.0.1").pathname;
    const names = ["Client-Id", "Request-Id", "Request-Timestamp", "Signature"];
    const headers = Object.fromEntries(names.map((n) => [n, req.headers[n.toLowerCase()]]));
    const verified = names.every((n) => headers[n]) &&
      equalSignatures(signature(headers["Client-Id"], headers["Request-Id"], headers["Request-Timestamp"], path, raw),
                      headers.Signature);
    res.writeHead(verified ? 200 : 400, { "Content-Length": 0 }).end();
    deliver({ path, headers, verified, raw });
  });
});
await new Promise((resolve, reject) => server.once("error", reject).listen(notifyPort, "127.0.0.1", resolve));

const rest = ["pay", "notification_received", "notification_headers", "notification_signature",
  "notification_body", "notification_channel", "notification_va", "check_status"];
try {
  const invoice = `INV-NODE-${randomUUID().slice(0, 8)}`;
  const order = {
    order: { amount: 20000, invoice_number: invoice, currency: "IDR",
             line_items: [{ id: "SKU-1", name: "Kopi Toraja 250 g", quantity: 2, price: 10000 }] },
    payment: { payment_due_date: 60, payment_method_types: ["VIRTUAL_ACCOUNT_BCA", "VIRTUAL_ACCOUNT_BANK_MANDIRI"] },
    customer: { name: "Siti Rahma", email: "siti@example.com", phone: "+6281234567890", country: "ID" },
  };
  const [status, answer] = await call("POST", "/checkout/v1/payment", JSON.stringify(order));
  const url = answer?.response?.payment?.url;
  report("checkout", status === 200 && url, `HTTP ${status}: ${JSON.stringify(answer)}`);
  if (!url) {
    rest.forEach((c) => report(c, false, "not run: the Checkout was not created"));
  } else {
    const pay = { invoice_number: invoice, status: "SUCCESS", method: "VIRTUAL_ACCOUNT_BANK_MANDIRI" };
    const [payStatus, payAnswer] = await call("POST", "/doku-sim/v1/pay", JSON.stringify(pay), false);
    report("pay", payStatus === 200, `HTTP ${payStatus}: ${JSON.stringify(payAnswer)}`);

    const note = await Promise.race([notification, new Promise((r) => setTimeout(r, 15_000, null))]);
    report("notification_received", note && note.path === notifyPath,
      note ? `arrived on ${note.path}` : "none within 15 s");
    if (!note) {
      rest.slice(2, 7).forEach((c) => report(c, false, "not run: no notification"));
    } else {
      const missing = Object.keys(note.headers).filter((n) => !note.headers[n]);
      report("notification_headers", missing.length === 0, `missing ${missing}`);
      report("notification_signature", note.verified, "Signature does not match the body");
      let body = {};
      try {
        body = JSON.parse(note.raw.toString("utf8"));
        report("notification_body",
          body.order?.invoice_number === invoice && body.transaction?.status === "SUCCESS",
          `order.invoice_number=${body.order?.invoice_number}, transaction.status=${body.transaction?.status}`);
      } catch (e) {
        report("notification_body", false, `not JSON: ${e}`);
      }
      report("notification_channel", body.channel?.id === pay.method,
        `channel.id=${body.channel?.id}, paid with ${pay.method}`);
      report("notification_va", Boolean(body.virtual_account_info?.virtual_account_number),
        "no virtual_account_info.virtual_account_number");
    }

    const target = `/orders/v1/status/${encodeURIComponent(invoice)}`;
    const [checkStatus, checked] = await call("GET", target);
    report("check_status", checkStatus === 200 && checked?.transaction?.status === "SUCCESS",
      `GET ${target}: HTTP ${checkStatus}: ${JSON.stringify(checked)}`);
  }
} finally {
  server.close();
  server.closeAllConnections?.();
}
process.exit(failures ? 1 : 0);
