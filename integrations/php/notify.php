<?php
// DOKU HTTP notification receiver, written as PHP shops write it, run with the built-in server:
//   DOKU_MERCHANT_KEY=… NOTIFY_OUT=/tmp/notes.jsonl php -S 127.0.0.1:PORT notify.php
// Reads DOKU's four headers from getallheaders() by their exact names (DOKU spells them
// Client-Id, Request-Id, Request-Timestamp, Signature), recomputes the Signature over the raw
// body, answers 200 when it matches (400 otherwise), and appends what it saw to NOTIFY_OUT for
// flow.php to check.
$secretKey = getenv('DOKU_MERCHANT_KEY');
$headers = getallheaders();
$clientId = $headers['Client-Id'] ?? null;
$requestId = $headers['Request-Id'] ?? null;
$timestamp = $headers['Request-Timestamp'] ?? null;
$signature = $headers['Signature'] ?? null;
$raw = file_get_contents('php://input'); // the exact bytes: never json_encode(json_decode(...))
$target = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);

$verified = false;
if ($clientId !== null && $requestId !== null && $timestamp !== null && $signature !== null) {
    $digest = base64_encode(hash('sha256', $raw, true));
    $component = "Client-Id:$clientId\nRequest-Id:$requestId\nRequest-Timestamp:$timestamp\n"
        . "Request-Target:$target\nDigest:$digest";
    $expected = 'HMACSHA256=' . base64_encode(hash_hmac('sha256', $component, $secretKey, true));
    $verified = hash_equals($expected, $signature);
}
http_response_code($verified ? 200 : 400);
header('Content-Type: application/json');
echo $verified ? '{"status":"OK"}' : '{"status":"INVALID_SIGNATURE"}';

$record = [
    'path' => $target,
    'headers' => ['Client-Id' => $clientId, 'Request-Id' => $requestId,
        'Request-Timestamp' => $timestamp, 'Signature' => $signature],
    'received_names' => array_keys($headers),
    'verified' => $verified,
    'raw' => base64_encode($raw),
];
file_put_contents(getenv('NOTIFY_OUT'), json_encode($record) . "\n", FILE_APPEND | LOCK_EX);
