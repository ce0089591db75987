// A DOKU Checkout integration in Java 17: java.net.http for the calls, the JDK's HttpServer for
// the Notification URL, javax.crypto.Mac for the signatures, Jackson data binding for the bodies.
//
// The notification is bound to DTO classes, as Java shops do it, and the handler reads
// notification.virtual_account_info.virtual_account_number directly: a notification without that
// block fails with a NullPointerException, which is what such an integration would do in
// production.
//
// Environment: DOKU_BASE_URL, DOKU_MERCHANT_ID, DOKU_MERCHANT_KEY, NOTIFY_PORT, NOTIFY_PATH.
// Prints one line per check: "PASS <check>" or "FAIL <check>: <why>"; exits 1 if any failed.
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public final class DokuFlow {
    // --- DTOs: the parts of DOKU's bodies this shop reads; DOKU adds fields, so unknown ones are ignored.

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Notification {
        public Order order;
        public Transaction transaction;
        public Channel channel;
        public VirtualAccountInfo virtual_account_info;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class StatusAnswer {
        public Order order;
        public Transaction transaction;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Order {
        public String invoice_number;
        public java.math.BigDecimal amount; // 150000 or 150000.00: never a double
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Transaction {
        public String status;
        public String date;
        public String original_request_id;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Channel {
        public String id;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class VirtualAccountInfo {
        public String virtual_account_number;
    }

    /** What the receiver saw. */
    record Received(String path, Map<String, String> headers, boolean verified, byte[] raw) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] HEADERS = {"Client-Id", "Request-Id", "Request-Timestamp", "Signature"};
    private static final List<String> CHECKS = List.of("checkout", "pay", "notification_received",
            "notification_headers", "notification_signature", "notification_body", "notification_channel",
            "notification_va", "check_status");

    private static String baseUrl, clientId, secretKey, notifyPath;
    private static int failures;
    private static final List<String> reported = new ArrayList<>();

    static void report(String check, boolean ok, String why) {
        reported.add(check);
        if (ok) {
            System.out.println("PASS " + check);
        } else {
            failures++;
            System.out.println("FAIL " + check + ": " + why);
        }
    }

    static String timestamp() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(); // 2026-12-07T10:00:00Z
    }

    static String sign(String id, String requestId, String ts, String target, byte[] body) throws Exception {
        String component = "Client-Id:" + id + "\nRequest-Id:" + requestId + "\nRequest-Timestamp:" + ts
                + "\nRequest-Target:" + target;
        if (body != null) {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            component += "\nDigest:" + Base64.getEncoder().encodeToString(digest);
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "HMACSHA256=" + Base64.getEncoder().encodeToString(mac.doFinal(component.getBytes(StandardCharsets.UTF_8)));
    }

    static HttpResponse<String> call(HttpClient http, String method, String target, byte[] body, boolean signed)
            throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(baseUrl + target)).timeout(Duration.ofSeconds(10));
        if (body != null) {
            req.header("Content-Type", "application/json");
            req.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            req.method(method, HttpRequest.BodyPublishers.noBody());
        }
        if (signed) {
            String requestId = UUID.randomUUID().toString();
            String ts = timestamp();
            req.header("Client-Id", clientId).header("Request-Id", requestId).header("Request-Timestamp", ts)
                    .header("Signature", sign(clientId, requestId, ts, target, body));
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void receive(HttpExchange exchange, BlockingQueue<Received> queue) {
        try (exchange) {
            byte[] raw = exchange.getRequestBody().readAllBytes(); // verify these bytes, not a re-serialisation
            String path = exchange.getRequestURI().getRawPath();
            Map<String, String> found = new LinkedHashMap<>();
            for (String name : HEADERS) {
                found.put(name, exchange.getRequestHeaders().getFirst(name));
            }
            boolean verified = false;
            if (!found.containsValue(null)) {
                String expected = sign(found.get("Client-Id"), found.get("Request-Id"),
                        found.get("Request-Timestamp"), path, raw);
                verified = MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                        found.get("Signature").getBytes(StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(verified ? 200 : 400, -1);
            queue.offer(new Received(path, found, verified, raw));
        } catch (Exception e) {
            System.err.println("receiver: " + e);
        }
    }

    public static void main(String[] args) throws Exception {
        baseUrl = System.getenv("DOKU_BASE_URL").replaceAll("/$", "");
        clientId = System.getenv("DOKU_MERCHANT_ID");
        secretKey = System.getenv("DOKU_MERCHANT_KEY");
        notifyPath = System.getenv().getOrDefault("NOTIFY_PATH", "/payments/notifications");
        int notifyPort = Integer.parseInt(System.getenv("NOTIFY_PORT"));

        BlockingQueue<Received> queue = new ArrayBlockingQueue<>(16);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", notifyPort), 16);
        server.createContext("/", exchange -> receive(exchange, queue));
        server.start();
        try {
            run(queue);
        } catch (Exception e) {
            for (String check : CHECKS) {
                if (!reported.contains(check)) {
                    report(check, false, "not run: " + e);
                }
            }
        } finally {
            server.stop(0);
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    static void run(BlockingQueue<Received> queue) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        String invoice = "INV-JAVA-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> order = Map.of(
                "order", Map.of("amount", 250000, "invoice_number", invoice, "currency", "IDR"),
                "payment", Map.of("payment_due_date", 60, "payment_method_types", List.of("VIRTUAL_ACCOUNT_BCA")),
                "customer", Map.of("name", "Dewi Lestari", "email", "dewi@example.com", "phone", "6281234567890"));
        HttpResponse<String> created = call(http, "POST", "/checkout/v1/payment", JSON.writeValueAsBytes(order), true);
        String url = created.statusCode() == 200
                ? JSON.readTree(created.body()).path("response").path("payment").path("url").asText(null) : null;
        report("checkout", url != null, "HTTP " + created.statusCode() + ": " + created.body());
        if (url == null) {
            throw new IllegalStateException("the Checkout was not created");
        }

        byte[] pay = JSON.writeValueAsBytes(Map.of("invoice_number", invoice, "status", "SUCCESS",
                "method", "VIRTUAL_ACCOUNT_BCA"));
        HttpResponse<String> paid = call(http, "POST", "/doku-sim/v1/pay", pay, false);
        report("pay", paid.statusCode() == 200, "HTTP " + paid.statusCode() + ": " + paid.body());

        Received note = queue.poll(15, TimeUnit.SECONDS);
        report("notification_received", note != null && note.path().equals(notifyPath),
                note == null ? "none within 15 s" : "arrived on " + note.path());
        if (note != null) {
            List<String> missing = new ArrayList<>();
            note.headers().forEach((name, value) -> { if (value == null) missing.add(name); });
            report("notification_headers", missing.isEmpty(), "missing " + missing);
            report("notification_signature", note.verified(), "Signature does not match the body");
            Notification n = JSON.readValue(note.raw(), Notification.class);
            report("notification_body", n.order != null && invoice.equals(n.order.invoice_number)
                    && n.transaction != null && "SUCCESS".equals(n.transaction.status),
                    "order.invoice_number=" + (n.order == null ? null : n.order.invoice_number)
                    + ", transaction.status=" + (n.transaction == null ? null : n.transaction.status));
            String channel = n.channel == null ? null : n.channel.id;
            report("notification_channel", "VIRTUAL_ACCOUNT_BCA".equals(channel),
                    "channel.id=" + channel + ", paid with VIRTUAL_ACCOUNT_BCA");
            try {
                String va = n.virtual_account_info.virtual_account_number; // the DTO way: no null check
                report("notification_va", va != null && !va.isEmpty(), "virtual_account_number is empty");
            } catch (NullPointerException e) {
                report("notification_va", false, "NullPointerException: the notification has no virtual_account_info");
            }
        } else {
            for (String check : List.of("notification_headers", "notification_signature", "notification_body",
                    "notification_channel", "notification_va")) {
                report(check, false, "not run: no notification");
            }
        }

        String target = "/orders/v1/status/" + URLEncoder.encode(invoice, StandardCharsets.UTF_8).replace("+", "%20");
        HttpResponse<String> checked = call(http, "GET", target, null, true);
        String status = null;
        if (checked.statusCode() == 200) {
            StatusAnswer answer = JSON.readValue(checked.body(), StatusAnswer.class);
            status = answer.transaction.status;
        }
        report("check_status", "SUCCESS".equals(status),
                "GET " + target + ": HTTP " + checked.statusCode() + ": " + checked.body());
    }
}
