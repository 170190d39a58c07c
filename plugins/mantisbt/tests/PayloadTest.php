<?php
declare(strict_types=1);

# Tests for the HelpdeskConnector MantisBT plugin. Plain PHP, no phpunit:
#   php plugins/mantisbt/tests/PayloadTest.php
# The last line is "N passed, N failed"; the exit status is 1 when anything failed.

use HelpdeskConnector\Payload;
use HelpdeskConnector\Sender;
use HelpdeskConnector\Signer;

const PLUGIN_DIR = __DIR__ . '/../HelpdeskConnector';
require PLUGIN_DIR . '/core/Payload.php';
require PLUGIN_DIR . '/core/Signer.php';
require PLUGIN_DIR . '/core/Sender.php';

$passed = 0;
$failed = 0;

function check(string $name, bool $ok, string $detail = ''): void
{
    global $passed, $failed;
    if ($ok) {
        $passed++;
        echo "ok   $name\n";
    } else {
        $failed++;
        echo "FAIL $name" . ($detail !== '' ? "\n     $detail" : '') . "\n";
    }
}

function same(string $name, mixed $expected, mixed $actual): void
{
    check($name, $expected === $actual, 'expected ' . var_export($expected, true) . ', got ' . var_export($actual, true));
}

function section(string $title): void
{
    echo "\n# $title\n";
}

/** A raw issue as the plugin's MantisData produces it. */
function sample_issue(): array
{
    return [
        'id' => 123,
        'project' => ['id' => 1, 'name' => 'EMIAS'],
        'category' => 'General',
        'summary' => 'Не открывается карта / map fails',
        'description' => "Line 1\nLine 2 \"quoted\"",
        'steps_to_reproduce' => '',
        'additional_information' => 'see https://example.org/a/b',
        'status' => ['id' => 10, 'name' => 'new'],
        'priority' => ['id' => '30', 'name' => 'normal'],
        'severity' => ['id' => 50, 'name' => 'minor'],
        'reporter' => ['id' => 5, 'name' => 'ivanov'],
        'handler' => null,
        'custom_fields' => [['id' => 1, 'name' => 'Impact', 'value' => 'Minor'], ['id' => '3', 'name' => 'Region', 'value' => null]],
        'attachments' => [['id' => 3, 'filename' => 'err.png', 'size' => '1234', 'content_type' => 'image/png']],
        'created_at' => 1795341600,
        'updated_at' => 1795345200,
    ];
}

function decode(string $json): array
{
    return json_decode($json, true, 512, JSON_THROW_ON_ERROR);
}

/** Start `php -S` with the recording router; returns [process, base URL, record file]. */
function start_server(): array
{
    $probe = stream_socket_server('tcp://127.0.0.1:0');
    $port = (int) substr(strrchr(stream_socket_get_name($probe, false), ':'), 1);
    fclose($probe);
    $record = tempnam(sys_get_temp_dir(), 'hdc-record-');
    $env = array_merge(getenv(), ['HDC_RECORD' => $record]);
    $process = proc_open(
        [PHP_BINARY, '-S', "127.0.0.1:$port", __DIR__ . '/router.php'],
        [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
        $pipes,
        __DIR__,
        $env
    );
    $deadline = microtime(true) + 5;
    while (microtime(true) < $deadline) {
        $socket = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 0.2);
        if ($socket !== false) {
            fclose($socket);
            break;
        }
        usleep(50000);
    }
    return [$process, "http://127.0.0.1:$port", $record];
}

/** Requests recorded by the router since the file was last truncated. */
function recorded(string $record): array
{
    $requests = [];
    foreach (file($record, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [] as $line) {
        $request = decode($line);
        $request['body'] = base64_decode($request['body_base64']);
        $requests[] = $request;
    }
    file_put_contents($record, '');
    return $requests;
}

function transports(): array
{
    return function_exists('curl_init') ? ['curl', 'stream'] : ['stream'];
}

# ---------------------------------------------------------------------------------------------------
section('payload: issue_reported');

$sentAt = 1795341600;   // 2026-11-22T10:00:00Z
$json = Payload::encode(Payload::build(
    'issue_reported', 'd1b7c2a4-0000-4000-8000-000000000001', $sentAt, 'https://mantis.example.org/',
    ['id' => 5, 'name' => 'ivanov'], sample_issue(), ['status' => ['old' => 'x', 'new' => 'y']], ['id' => 1, 'text' => 'ignored']
));
$p = decode($json);
same('top-level keys in order', ['event', 'delivery_id', 'sent_at', 'mantis_url', 'actor', 'issue', 'changes', 'note'], array_keys($p));
same('event', 'issue_reported', $p['event']);
same('delivery_id', 'd1b7c2a4-0000-4000-8000-000000000001', $p['delivery_id']);
same('sent_at is ISO 8601 UTC', '2026-11-22T10:00:00+00:00', $p['sent_at']);
same('mantis_url', 'https://mantis.example.org/', $p['mantis_url']);
same('actor', ['id' => 5, 'name' => 'ivanov'], $p['actor']);
check('changes is an empty JSON object', str_contains($json, '"changes":{}'), $json);
same('note is null', null, $p['note']);
same('issue keys in order', [
    'id', 'project', 'category', 'summary', 'description', 'steps_to_reproduce', 'additional_information',
    'status', 'priority', 'severity', 'reporter', 'handler', 'custom_fields', 'attachments', 'created_at', 'updated_at',
], array_keys($p['issue']));
same('issue id', 123, $p['issue']['id']);
same('project', ['id' => 1, 'name' => 'EMIAS'], $p['issue']['project']);
same('category', 'General', $p['issue']['category']);
same('priority id cast to int', ['id' => 30, 'name' => 'normal'], $p['issue']['priority']);
same('status', ['id' => 10, 'name' => 'new'], $p['issue']['status']);
same('severity', ['id' => 50, 'name' => 'minor'], $p['issue']['severity']);
same('reporter', ['id' => 5, 'name' => 'ivanov'], $p['issue']['reporter']);
$withLevel = sample_issue();
$withLevel['reporter']['access_level'] = ['id' => '55', 'name' => 'developer'];
same('reporter with their access level in the project (§2.7: a request L1 registered)',
    ['id' => 5, 'name' => 'ivanov', 'access_level' => ['id' => 55, 'name' => 'developer']],
    Payload::issue($withLevel)['reporter']);
same('handler null', null, $p['issue']['handler']);
same('custom fields, unset value is ""', [
    ['field' => ['id' => 1, 'name' => 'Impact'], 'value' => 'Minor'],
    ['field' => ['id' => 3, 'name' => 'Region'], 'value' => ''],
], $p['issue']['custom_fields']);
same('attachments', [['id' => 3, 'filename' => 'err.png', 'size' => 1234, 'content_type' => 'image/png']], $p['issue']['attachments']);
same('created_at', '2026-11-22T10:00:00+00:00', $p['issue']['created_at']);
same('updated_at', '2026-11-22T11:00:00+00:00', $p['issue']['updated_at']);
check('unicode is not escaped', str_contains($json, 'Не открывается'), $json);
check('slashes are not escaped', str_contains($json, '"https://mantis.example.org/"') && !str_contains($json, '\/'));
same('text round-trips', "Line 1\nLine 2 \"quoted\"", $p['issue']['description']);

$empty = sample_issue();
$empty['custom_fields'] = [];
$empty['attachments'] = [];
$emptyJson = Payload::encode(Payload::build('issue_reported', 'x', $sentAt, '', null, $empty));
check('empty lists stay JSON arrays', str_contains($emptyJson, '"custom_fields":[]') && str_contains($emptyJson, '"attachments":[]'), $emptyJson);
check('actor null when nobody is logged in', str_contains($emptyJson, '"actor":null'));
$bad = sample_issue();
$bad['summary'] = "broken \xC3 utf-8";
check('invalid UTF-8 does not abort encoding', str_contains(Payload::encode(Payload::build('issue_reported', 'x', $sentAt, '', null, $bad)), "broken \u{FFFD} utf-8"));

# ---------------------------------------------------------------------------------------------------
section('payload: issue_updated');

$before = ['status' => 'new', 'priority' => 'normal', 'handler' => null, 'custom_fields' => ['Impact' => 'Minor', 'Region' => 'Moscow', '0' => '']];
$after = ['status' => 'assigned', 'priority' => 'normal', 'handler' => 'petrov', 'custom_fields' => ['Impact' => 'Major', 'Region' => 'Moscow', '0' => 'x', 'New' => '']];
$changes = Payload::changes($before, $after);
same('only what changed', [
    'status' => ['old' => 'new', 'new' => 'assigned'],
    'handler' => ['old' => null, 'new' => 'petrov'],
    'custom_fields' => ['Impact' => ['old' => 'Minor', 'new' => 'Major'], '0' => ['old' => '', 'new' => 'x']],
], $changes);
$json = Payload::encode(Payload::build('issue_updated', 'u', $sentAt, '', ['id' => 7, 'name' => 'petrov'], sample_issue(), $changes));
$p = decode($json);
same('event', 'issue_updated', $p['event']);
same('changes.status', ['old' => 'new', 'new' => 'assigned'], $p['changes']['status']);
check('custom_fields changes are a JSON object even for numeric names', str_contains($json, '"custom_fields":{"Impact":'), $json);
same('note is null', null, $p['note']);
same('unknown old custom field values are null', ['Impact' => ['old' => null, 'new' => 'Major']],
    Payload::changes(['status' => 'new', 'custom_fields' => null], ['status' => 'new', 'custom_fields' => ['Impact' => 'Major']])['custom_fields']);
check('no changes gives {}', str_contains(Payload::encode(Payload::build('issue_updated', 'u', $sentAt, '', null, sample_issue(), Payload::changes($before, $before))), '"changes":{}'));
same('handler unassigned', ['handler' => ['old' => 'petrov', 'new' => null]], Payload::changes(['handler' => 'petrov'], ['handler' => null]));
same('severity (the Russian UI\'s «Влияние») is compared too', ['severity' => ['old' => 'minor', 'new' => 'major']], Payload::changes(['severity' => 'minor'], ['severity' => 'major']));
$json = Payload::encode(Payload::build('issue_updated', 'u', $sentAt, '', ['id' => 7, 'name' => 'petrov', 'access_level' => ['id' => 55, 'name' => 'developer', 'extra' => 1]], sample_issue(), $changes));
same('actor access level kept as a ref', ['id' => 7, 'name' => 'petrov', 'access_level' => ['id' => 55, 'name' => 'developer']], decode($json)['actor']);

# ---------------------------------------------------------------------------------------------------
section('payload: note_added');

$note = ['id' => 9, 'text' => 'Проверьте, пожалуйста', 'reporter' => ['id' => 5, 'name' => 'ivanov'], 'view_state' => 'private', 'created_at' => $sentAt];
$json = Payload::encode(Payload::build('note_added', 'n', $sentAt, '', ['id' => 5, 'name' => 'ivanov'], sample_issue(), ['status' => []], $note));
$p = decode($json);
same('event', 'note_added', $p['event']);
same('note', ['id' => 9, 'text' => 'Проверьте, пожалуйста', 'reporter' => ['id' => 5, 'name' => 'ivanov'], 'view_state' => 'private', 'created_at' => '2026-11-22T10:00:00+00:00'], $p['note']);
check('changes is {} for notes', str_contains($json, '"changes":{}'));
same('anything but private is public', 'public', Payload::note(['view_state' => 'x'] + $note)['view_state']);

$threw = false;
try {
    Payload::build('issue_deleted', 'x', $sentAt, '', null, sample_issue());
} catch (InvalidArgumentException $e) {
    $threw = true;
}
check('unknown event is rejected', $threw);

$ids = [Payload::uuid4(), Payload::uuid4()];
check('delivery id is a UUID v4', (bool) preg_match('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $ids[0]), $ids[0]);
check('delivery ids differ', $ids[0] !== $ids[1]);
same('headers', [
    'Content-Type' => 'application/json',
    'X-Signature' => 'sha256=abc',
    'X-Delivery-Id' => 'id-1',
    'X-Mantis-Event' => 'note_added',
    'User-Agent' => 'HelpdeskConnector-MantisBT/1.0',
], Payload::headers('note_added', 'id-1', 'sha256=abc'));

# ---------------------------------------------------------------------------------------------------
section('signature');

$body = '{"event":"issue_reported","x":"ю"}';
$signature = Signer::sign($body, 's3cret');
same('sha256=<hex of hash_hmac>', 'sha256=' . hash_hmac('sha256', $body, 's3cret'), $signature);
check('lowercase hex, 64 digits', (bool) preg_match('/^sha256=[0-9a-f]{64}$/', $signature), $signature);
check('verify accepts it', Signer::verify($body, 's3cret', $signature));
check('verify rejects another secret', !Signer::verify($body, 'other', $signature));
check('verify rejects another body', !Signer::verify($body . ' ', 's3cret', $signature));

# ---------------------------------------------------------------------------------------------------
section('sender: failures never throw and respect the timeout');

echo 'transports: ' . implode(', ', transports()) . "\n";
foreach (transports() as $transport) {
    $sender = new Sender(2.0, $transport);
    $start = microtime(true);
    try {
        $result = $sender->post('http://127.0.0.1:9/webhooks/mantis', '{}', ['Content-Type' => 'application/json']);
        $threw = false;
    } catch (Throwable $e) {
        $result = null;
        $threw = true;
    }
    $elapsed = microtime(true) - $start;
    check("$transport: closed port returns false", $result === false && !$threw, 'error: ' . $sender->lastError());
    check("$transport: closed port within the timeout", $elapsed < 2.0, sprintf('%.2f s', $elapsed));
    check("$transport: closed port error is reported", $sender->lastError() !== '', $sender->lastError());

    $blackhole = stream_socket_server('tcp://127.0.0.1:0');   // accepts connections, never answers
    $address = stream_socket_get_name($blackhole, false);
    $sender = new Sender(1.0, $transport);
    $start = microtime(true);
    $result = $sender->post("http://$address/webhooks/mantis", '{}', []);
    $elapsed = microtime(true) - $start;
    fclose($blackhole);
    check("$transport: silent server returns false", $result === false, $sender->lastError());
    check("$transport: silent server gives up after about the timeout", $elapsed > 0.8 && $elapsed < 2.5, sprintf('%.2f s', $elapsed));

    check("$transport: file:// URL refused", (new Sender(1.0, $transport))->post('file:///etc/passwd', '', []) === false);
}
check('isValidUrl accepts https', Sender::isValidUrl('https://connector.example.org/webhooks/mantis'));
check('isValidUrl rejects ftp and garbage', !Sender::isValidUrl('ftp://x/y') && !Sender::isValidUrl('connector/webhooks'));

# ---------------------------------------------------------------------------------------------------
section('sender: delivery to a local server');

[$server, $base, $record] = start_server();
try {
    foreach (transports() as $transport) {
        $deliveryId = Payload::uuid4();
        $body = Payload::encode(Payload::build('issue_reported', $deliveryId, time(), 'https://mantis.example.org/', ['id' => 5, 'name' => 'ivanov'], sample_issue()));
        $headers = Payload::headers('issue_reported', $deliveryId, Signer::sign($body, 's3cret'));
        $sender = new Sender(3.0, $transport);
        check("$transport: 200 answer returns true", $sender->post("$base/webhooks/mantis", $body, $headers), $sender->lastError());
        $requests = recorded($record);
        check("$transport: exactly one request arrived", count($requests) === 1, (string) count($requests));
        $request = $requests[0] ?? ['method' => '', 'path' => '', 'headers' => [], 'body' => ''];
        same("$transport: method", 'POST', $request['method']);
        same("$transport: path", '/webhooks/mantis', $request['path']);
        same("$transport: body arrived byte for byte", $body, $request['body']);
        same("$transport: Content-Type", 'application/json', $request['headers']['content-type'] ?? null);
        same("$transport: X-Signature", Signer::sign($body, 's3cret'), $request['headers']['x-signature'] ?? null);
        same("$transport: X-Delivery-Id", $deliveryId, $request['headers']['x-delivery-id'] ?? null);
        same("$transport: X-Mantis-Event", 'issue_reported', $request['headers']['x-mantis-event'] ?? null);
        same("$transport: User-Agent", 'HelpdeskConnector-MantisBT/1.0', $request['headers']['user-agent'] ?? null);
        check("$transport: receiver can verify the signature", Signer::verify($request['body'], 's3cret', (string) ($request['headers']['x-signature'] ?? '')));

        $sender = new Sender(3.0, $transport);
        check("$transport: 500 answer returns false", $sender->post("$base/fail", $body, $headers) === false);
        same("$transport: 500 reported", 'HTTP 500', $sender->lastError());
        check("$transport: redirect is not followed", $sender->post("$base/redirect", $body, $headers) === false
            && count(recorded($record)) === 2, $sender->lastError());
    }

    # -----------------------------------------------------------------------------------------------
    section('plugin hooks with stubbed Mantis APIs');

    require __DIR__ . '/mantis_stubs.php';
    require PLUGIN_DIR . '/HelpdeskConnector.php';
    $errorLog = tempnam(sys_get_temp_dir(), 'hdc-errors-');
    ini_set('error_log', $errorLog);

    $MANTIS['plugin_config'] = ['url' => "$base/webhooks/mantis", 'secret' => 's3cret', 'timeout' => 2];
    $plugin = new HelpdeskConnectorPlugin('HelpdeskConnector');
    same('register: version', '1.0.0', $plugin->version);
    same('register: requires', ['MantisCore' => '2.0.0'], $plugin->requires);
    same('register: config page', 'config', $plugin->page);
    same('config defaults', ['url' => '', 'secret' => '', 'timeout' => 3], $plugin->config());
    check('hooks the three events', array_intersect(['EVENT_REPORT_BUG', 'EVENT_UPDATE_BUG', 'EVENT_BUGNOTE_ADD'], array_keys($plugin->hooks())) === ['EVENT_REPORT_BUG', 'EVENT_UPDATE_BUG', 'EVENT_BUGNOTE_ADD']);

    $bug = new BugData();
    $bug->id = 123;
    $bug->reporter_id = 5;
    $bug->summary = 'Карта не открывается';
    $bug->description = 'desc';
    $bug->date_submitted = 1795341600;
    $bug->last_updated = '1795341600';   // Mantis rows may carry numbers as strings
    $MANTIS['bugs'][123] = $bug;
    $MANTIS['cf_values'][123] = [1 => 'Minor'];
    $MANTIS['attachments'][123] = [['id' => 3, 'display_name' => 'err.png', 'size' => 1234, 'file_type' => 'image/png', 'user_id' => 5]];

    ob_start();
    $plugin->on_report_bug('EVENT_REPORT_BUG', $bug, 123);
    same('report: no output', '', ob_get_clean());
    $requests = recorded($record);
    check('report: one delivery', count($requests) === 1, (string) count($requests));
    $p = decode($requests[0]['body'] ?? '{}');
    same('report: event header', 'issue_reported', $requests[0]['headers']['x-mantis-event'] ?? null);
    same('report: signed with the configured secret', Signer::sign($requests[0]['body'] ?? '', 's3cret'), $requests[0]['headers']['x-signature'] ?? null);
    same('report: delivery id matches header', $requests[0]['headers']['x-delivery-id'] ?? null, $p['delivery_id'] ?? null);
    same('report: actor with their access level in the project', ['id' => 5, 'name' => 'ivanov', 'access_level' => ['id' => 25, 'name' => 'reporter']], $p['actor'] ?? null);
    same('report: reporter with their access level in the project', ['id' => 5, 'name' => 'ivanov', 'access_level' => ['id' => 25, 'name' => 'reporter']], $p['issue']['reporter'] ?? null);
    same('report: mantis_url', 'https://mantis.example.org/', $p['mantis_url'] ?? null);
    same('report: status from status_enum_string', ['id' => 10, 'name' => 'new'], $p['issue']['status'] ?? null);
    same('report: category', 'General', $p['issue']['category'] ?? null);
    same('report: custom fields readable by the user, unset as ""', [
        ['field' => ['id' => 1, 'name' => 'Impact'], 'value' => 'Minor'],
        ['field' => ['id' => 3, 'name' => 'Region'], 'value' => ''],
    ], $p['issue']['custom_fields'] ?? null);
    same('report: attachments', [['id' => 3, 'filename' => 'err.png', 'size' => 1234, 'content_type' => 'image/png']], $p['issue']['attachments'] ?? null);
    same('report: updated_at', '2026-11-22T10:00:00+00:00', $p['issue']['updated_at'] ?? null);

    # Update through bug_update.php: EVENT_UPDATE_BUG_DATA (old values still stored), then the custom
    # fields are written, then EVENT_UPDATE_BUG.
    $new = clone $bug;
    $new->status = 50;
    $new->handler_id = 7;
    $new->last_updated = 1795341600;   // BugData::update() stamps the database, not this object
    $stored = clone $new;
    $stored->last_updated = 1795345200;
    $MANTIS['stored'][123] = $stored;
    $returned = $plugin->on_update_bug_data('EVENT_UPDATE_BUG_DATA', $new, $bug);
    check('update: chain hook returns the new BugData unchanged', $returned === $new);
    $MANTIS['cf_values'][123] = [1 => 'Major', 3 => 'Moscow'];
    $plugin->on_update_bug('EVENT_UPDATE_BUG', $bug, $new);
    $requests = recorded($record);
    $p = decode($requests[0]['body'] ?? '{}');
    same('update: event', 'issue_updated', $p['event'] ?? null);
    same('update: changes with old custom field values', [
        'status' => ['old' => 'new', 'new' => 'assigned'],
        'handler' => ['old' => null, 'new' => 'petrov'],
        'custom_fields' => ['Impact' => ['old' => 'Minor', 'new' => 'Major'], 'Region' => ['old' => '', 'new' => 'Moscow']],
    ], $p['changes'] ?? null);
    same('update: issue shows the new handler', ['id' => 7, 'name' => 'petrov'], $p['issue']['handler'] ?? null);
    same('update: updated_at is the stored time, not the stale one on the BugData', '2026-11-22T11:00:00+00:00', $p['issue']['updated_at'] ?? null);
    check('update: the bug cache is cleared before reading it', in_array(123, $MANTIS['cache_cleared'], true));

    $newer = clone $new;
    $newer->priority = 40;
    $newer->severity = 20;
    $plugin->on_update_bug('EVENT_UPDATE_BUG', $new, $newer);   // without the _DATA snapshot
    $p = decode(recorded($record)[0]['body'] ?? '{}');
    same('update without snapshot: old custom values are null', [
        'priority' => ['old' => 'normal', 'new' => 'high'],
        'severity' => ['old' => 'minor', 'new' => 'trivial'],
        'custom_fields' => ['Impact' => ['old' => null, 'new' => 'Major'], 'Region' => ['old' => null, 'new' => 'Moscow']],
    ], $p['changes'] ?? null);

    $noteData = new BugnoteData();
    $noteData->id = 9;
    $noteData->bug_id = 123;
    $noteData->reporter_id = 7;
    $noteData->note = 'Взял в работу';
    $noteData->view_state = VS_PRIVATE;
    $noteData->date_submitted = 1795345200;
    $MANTIS['notes'][9] = $noteData;
    $MANTIS['current_user'] = 7;
    $plugin->on_bugnote_add('EVENT_BUGNOTE_ADD', 123, 9, []);
    $p = decode(recorded($record)[0]['body'] ?? '{}');
    same('note: event', 'note_added', $p['event'] ?? null);
    same('note: note object', ['id' => 9, 'text' => 'Взял в работу', 'reporter' => ['id' => 7, 'name' => 'petrov'], 'view_state' => 'private', 'created_at' => '2026-11-22T11:00:00+00:00'], $p['note'] ?? null);
    same('note: actor is the current user', ['id' => 7, 'name' => 'petrov', 'access_level' => ['id' => 55, 'name' => 'developer']], $p['actor'] ?? null);
    same('note: changes {}', [], $p['changes'] ?? null);

    section('plugin hooks never break the page');

    $MANTIS['print_in_username'] = true;   // a Mantis API that prints something
    ob_start();
    $plugin->on_report_bug('EVENT_REPORT_BUG', $bug, 123);
    same('output from Mantis APIs inside a hook is discarded', '', ob_get_clean());
    check('... and the delivery still happens', count(recorded($record)) === 1);
    $MANTIS['print_in_username'] = false;

    set_error_handler(static function (): bool {
        $GLOBALS['outer_handler_called'] = true;
        return true;
    });
    $MANTIS['fail_category'] = true;
    ob_start();
    $threw = false;
    try {
        $plugin->on_bugnote_add('EVENT_BUGNOTE_ADD', 123, 9, []);
    } catch (Throwable $e) {
        $threw = true;
    }
    same('Mantis error inside a hook: no output', '', ob_get_clean());
    check('Mantis error inside a hook: nothing thrown', !$threw);
    check('Mantis error inside a hook: nothing sent', recorded($record) === []);
    check('Mantis error inside a hook: logged to the PHP error log', str_contains((string) file_get_contents($errorLog), 'HelpdeskConnector: note_added failed'), (string) file_get_contents($errorLog));
    same('Mantis error parameters cleared', [], $GLOBALS['g_error_parameters'] ?? null);
    $GLOBALS['outer_handler_called'] = false;
    trigger_error('after the hook', E_USER_NOTICE);
    check('the previous error handler is restored', $GLOBALS['outer_handler_called']);
    restore_error_handler();
    $MANTIS['fail_category'] = false;

    $MANTIS['plugin_config']['url'] = 'http://127.0.0.1:9/webhooks/mantis';
    ob_start();
    $start = microtime(true);
    $plugin->on_report_bug('EVENT_REPORT_BUG', $bug, 123);
    $elapsed = microtime(true) - $start;
    same('unreachable connector: no output', '', ob_get_clean());
    check('unreachable connector: returns within the timeout', $elapsed < 2.0, sprintf('%.2f s', $elapsed));
    check('unreachable connector: logged', str_contains((string) file_get_contents($errorLog), 'issue_reported issue 123 not delivered'));

    $MANTIS['plugin_config']['url'] = '';
    $plugin->on_report_bug('EVENT_REPORT_BUG', $bug, 123);
    $MANTIS['plugin_config'] = ['url' => "$base/webhooks/mantis", 'secret' => '', 'timeout' => 2];
    $plugin->on_report_bug('EVENT_REPORT_BUG', $bug, 123);
    check('nothing sent without a URL or without a secret', recorded($record) === []);
    check('bad hook arguments are caught too', (function () use ($plugin): bool {
        $GLOBALS['MANTIS']['plugin_config']['secret'] = 's3cret';
        $plugin->on_update_bug('EVENT_UPDATE_BUG', null, null);
        return recorded($GLOBALS['record']) === [];
    })());
    @unlink($errorLog);
} finally {
    proc_terminate($server);
    proc_close($server);
    @unlink($record);
}

echo "\n$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
