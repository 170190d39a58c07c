<?php
# Router for `php -S`: records each request as one JSON line in $HDC_RECORD, then answers.
#   /fail -> 500, /redirect -> 302 to /webhooks/mantis, anything else -> 200 {"ok":true}

$path = (string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$headers = [];
foreach (getallheaders() as $name => $value) {
    $headers[strtolower($name)] = $value;
}
$record = [
    'method' => $_SERVER['REQUEST_METHOD'],
    'path' => $path,
    'headers' => $headers,
    'body_base64' => base64_encode((string) file_get_contents('php://input')),
];
file_put_contents((string) getenv('HDC_RECORD'), json_encode($record) . "\n", FILE_APPEND | LOCK_EX);

if ($path === '/fail') {
    http_response_code(500);
    echo '{"error":"boom"}';
} elseif ($path === '/redirect') {
    header('Location: /webhooks/mantis', true, 302);
} else {
    header('Content-Type: application/json');
    echo '{"ok":true}';
}
return true;
