<?php
// A DOKU Checkout integration in plain PHP (curl, no Composer), run against doku-sim.
//
// Creates a Checkout with the body DOKU's WooCommerce plugin sends (line item id and sku and the
// customer id as JSON integers), starts notify.php under `php -S` as the Notification URL, has
// the simulator pay the order by BCA VA, checks what notify.php received, then calls Check Status.
//
// Environment: DOKU_BASE_URL, DOKU_MERCHANT_ID, DOKU_MERCHANT_KEY, NOTIFY_PORT, NOTIFY_PATH.
// Prints one line per check: "PASS <check>" or "FAIL <check>: <why>"; exits 1 if any failed.
$baseUrl = rtrim(getenv('DOKU_BASE_URL'), '/');
$clientId = getenv('DOKU_MERCHANT_ID');
$secretKey = getenv('DOKU_MERCHANT_KEY');
$notifyPort = (int) getenv('NOTIFY_PORT');
$notifyPath = getenv('NOTIFY_PATH') ?: '/payments/notifications';

$failures = 0;
function report(string $check, bool $ok, string $why = ''): void
{
    global $failures;
    if ($ok) {
        echo "PASS $check\n";
    } else {
        $failures++;
        echo "FAIL $check: $why\n";
    }
}

function sign(string $clientId, string $requestId, string $timestamp, string $target, ?string $body, string $key): string
{
    $component = "Client-Id:$clientId\nRequest-Id:$requestId\nRequest-Timestamp:$timestamp\nRequest-Target:$target";
    if ($body !== null) {
        $component .= "\nDigest:" . base64_encode(hash('sha256', $body, true));
    }
    return 'HMACSHA256=' . base64_encode(hash_hmac('sha256', $component, $key, true));
}

/** @return array{0:int,1:mixed} the HTTP status and the decoded JSON answer (or the raw text) */
function call(string $method, string $target, ?string $body, bool $signed = true): array
{
    global $baseUrl, $clientId, $secretKey;
    $headers = [];
    if ($body !== null) {
        $headers[] = 'Content-Type: application/json';
    }
    if ($signed) {
        $requestId = bin2hex(random_bytes(16));
        $timestamp = gmdate('Y-m-d\TH:i:s\Z');
        $headers[] = "Client-Id: $clientId";
        $headers[] = "Request-Id: $requestId";
        $headers[] = "Request-Timestamp: $timestamp";
        $headers[] = 'Signature: ' . sign($clientId, $requestId, $timestamp, $target, $body, $secretKey);
    }
    $ch = curl_init($baseUrl . $target);
    curl_setopt_array($ch, [
        CURLOPT_CUSTOMREQUEST => $method,
        CURLOPT_HTTPHEADER => $headers,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_CONNECTTIMEOUT => 5,
        CURLOPT_TIMEOUT => 10,
    ]);
    if ($body !== null) {
        curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
    }
    $raw = curl_exec($ch);
    $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    $error = curl_error($ch);
    curl_close($ch);
    if ($raw === false) {
        return [0, "no answer: $error"];
    }
    $json = json_decode($raw, true);
    return [$status, $json ?? $raw];
}

// The Notification URL: notify.php under PHP's built-in server.
$notifyOut = tempnam(sys_get_temp_dir(), 'doku-php-notes-');
$server = proc_open(
    [PHP_BINARY, '-S', "127.0.0.1:$notifyPort", __DIR__ . '/notify.php'],
    [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
    $pipes,
    __DIR__,
    array_merge(getenv(), ['NOTIFY_OUT' => $notifyOut])
);
$up = false;
for ($i = 0; $i < 100 && !$up; $i++) {
    $socket = @fsockopen('127.0.0.1', $notifyPort, $errno, $errstr, 0.1);
    if ($socket) {
        fclose($socket);
        $up = true;
    } else {
        usleep(50000);
    }
}
register_shutdown_function(function () use ($server, $notifyOut) {
    proc_terminate($server);
    proc_close($server);
    @unlink($notifyOut);
});

$rest = ['pay', 'notification_received', 'notification_headers', 'notification_signature',
    'notification_body', 'notification_channel', 'notification_va', 'check_status'];
if (!$up) {
    report('checkout', false, "php -S did not start on 127.0.0.1:$notifyPort");
    foreach ($rest as $check) {
        report($check, false, 'not run: no notification receiver');
    }
    exit(1);
}

$invoice = 'INV-PHP-' . bin2hex(random_bytes(4));
$order = [
    'order' => [
        'invoice_number' => $invoice,
        'amount' => 95000,
        'currency' => 'IDR',
        'auto_redirect' => false,
        'line_items' => [
            ['id' => 1042, 'name' => 'Batik Tulis Solo', 'quantity' => 1, 'price' => 75000, 'sku' => 880101],
            ['id' => 1043, 'name' => 'Ongkos Kirim', 'quantity' => 1, 'price' => 20000, 'sku' => 880102],
        ],
    ],
    'payment' => ['payment_due_date' => 60, 'payment_method_types' => ['VIRTUAL_ACCOUNT_BCA']],
    'customer' => ['id' => 17, 'name' => 'Agus Santoso', 'email' => 'agus@example.com',
        'phone' => '6281234567890', 'country' => 'ID'],
    'additional_info' => ['integration' => ['name' => 'doku-rs-php-integration', 'version' => '1.0.0']],
];
[$status, $answer] = call('POST', '/checkout/v1/payment', json_encode($order));
$url = $answer['response']['payment']['url'] ?? null;
report('checkout', $status === 200 && $url !== null, "HTTP $status: " . json_encode($answer));
if ($url === null) {
    foreach ($rest as $check) {
        report($check, false, 'not run: the Checkout was not created');
    }
    exit(1);
}

$pay = json_encode(['invoice_number' => $invoice, 'status' => 'SUCCESS', 'method' => 'VIRTUAL_ACCOUNT_BCA']);
[$status, $answer] = call('POST', '/doku-sim/v1/pay', $pay, false);
report('pay', $status === 200, "HTTP $status: " . json_encode($answer));

$note = null;
for ($i = 0; $i < 150 && $note === null; $i++) {
    clearstatcache();
    $line = strtok((string) @file_get_contents($notifyOut), "\n");
    if ($line !== false) {
        $note = json_decode($line, true);
    } else {
        usleep(100000);
    }
}
report('notification_received', $note !== null && $note['path'] === $notifyPath,
    $note === null ? 'none within 15 s' : "arrived on {$note['path']}");
if ($note === null) {
    foreach (array_slice($rest, 2, 5) as $check) {
        report($check, false, 'not run: no notification');
    }
} else {
    $missing = array_keys(array_filter($note['headers'], fn ($v) => $v === null));
    report('notification_headers', !$missing, 'getallheaders() has no ' . implode(', ', $missing)
        . ' (names received: ' . implode(', ', $note['received_names']) . ')');
    report('notification_signature', $note['verified'],
        $missing ? 'not verifiable without the headers' : 'Signature does not match the body');
    $body = json_decode(base64_decode($note['raw']), true) ?? [];
    $gotInvoice = $body['order']['invoice_number'] ?? null;
    $gotStatus = $body['transaction']['status'] ?? null;
    report('notification_body', $gotInvoice === $invoice && $gotStatus === 'SUCCESS',
        "order.invoice_number=$gotInvoice, transaction.status=$gotStatus");
    $channel = $body['channel']['id'] ?? null;
    report('notification_channel', $channel === 'VIRTUAL_ACCOUNT_BCA', "channel.id=$channel, paid with VIRTUAL_ACCOUNT_BCA");
    report('notification_va', !empty($body['virtual_account_info']['virtual_account_number']),
        'no virtual_account_info.virtual_account_number');
}

$target = '/orders/v1/status/' . rawurlencode($invoice);
[$status, $answer] = call('GET', $target, null);
report('check_status', $status === 200 && ($answer['transaction']['status'] ?? null) === 'SUCCESS',
    "GET $target: HTTP $status: " . json_encode($answer));
exit($failures ? 1 : 0);
