<?php
declare(strict_types=1);

# Tests for the configuration pages, run with stubbed Mantis page functions:
#   php plugins/mantisbt/tests/PagesTest.php
# The last line is "N passed, N failed"; the exit status is 1 when anything failed.

require __DIR__ . '/mantis_stubs.php';
require __DIR__ . '/../HelpdeskConnector/HelpdeskConnector.php';

const PAGES = __DIR__ . '/../HelpdeskConnector/pages';
const ERROR_INVALID_FIELD_VALUE = 29;
const ADMINISTRATOR = 90;

$passed = 0;
$failed = 0;

function check(string $name, bool $ok, string $detail = ''): void
{
    global $passed, $failed;
    $ok ? $passed++ : $failed++;
    echo ($ok ? 'ok   ' : 'FAIL ') . $name . (!$ok && $detail !== '' ? "\n     $detail" : '') . "\n";
}

/** Mantis stops the request on an error; the stub error handler throws this instead. */
final class MantisStop extends Exception
{
}

$PAGE = ['calls' => [], 'post' => [], 'redirect' => null, 'error_parameters' => [], 'config_set' => []];

function page_call(string $name): void { $GLOBALS['PAGE']['calls'][] = $name; }
function auth_reauthenticate() { page_call('auth_reauthenticate'); }
function access_ensure_global_level($p_level) { page_call("access_ensure_global_level:$p_level"); }
function form_security_validate($p_form_name) { page_call("form_security_validate:$p_form_name"); return true; }
function form_security_purge($p_form_name) { page_call("form_security_purge:$p_form_name"); }
function form_security_field($p_form_name) { return '<input type="hidden" name="' . $p_form_name . '_token" value="TOKEN" />'; }
function layout_page_header($p_title = '') { page_call('layout_page_header'); }
function layout_page_begin($p_page = null) { page_call('layout_page_begin'); }
function layout_page_end() { page_call('layout_page_end'); }
function print_manage_menu($p_page = '') { page_call("print_manage_menu:$p_page"); }
function plugin_page($p_page, $p_redirect = false) { return "plugin.php?page=HelpdeskConnector/$p_page"; }
function string_attribute($p_string) { return htmlspecialchars((string) $p_string, ENT_QUOTES); }
function string_html_specialchars($p_string) { return htmlspecialchars((string) $p_string, ENT_QUOTES); }
function gpc_get_string($p_name, $p_default = null) { return (string) ($GLOBALS['PAGE']['post'][$p_name] ?? $p_default); }
function gpc_get_int($p_name, $p_default = null) { return (int) ($GLOBALS['PAGE']['post'][$p_name] ?? $p_default); }
function gpc_get_bool($p_name, $p_default = false) { return (bool) ($GLOBALS['PAGE']['post'][$p_name] ?? $p_default); }
function error_parameters(...$p_args) { $GLOBALS['PAGE']['error_parameters'] = $p_args; }
function print_header_redirect($p_url) { $GLOBALS['PAGE']['redirect'] = $p_url; }

function plugin_config_set($p_option, $p_value)
{
    $GLOBALS['MANTIS']['plugin_config'][$p_option] = $p_value;
    $GLOBALS['PAGE']['config_set'][] = $p_option;
}

$GLOBALS['MANTIS']['config']['manage_plugin_threshold'] = ADMINISTRATOR;
set_error_handler(static function (int $errno, string $message): bool {
    if ($errno === E_USER_ERROR) {
        throw new MantisStop($message);
    }
    return false;
});

function render_config(): string
{
    $GLOBALS['PAGE']['calls'] = [];
    ob_start();
    include PAGES . '/config.php';
    return (string) ob_get_clean();
}

/** Submit the form; returns null or the Mantis error code that stopped the request. */
function submit(array $post): ?string
{
    $GLOBALS['PAGE'] = ['calls' => [], 'post' => $post, 'redirect' => null, 'error_parameters' => [], 'config_set' => []];
    try {
        include PAGES . '/config_update.php';
    } catch (MantisStop $e) {
        return $e->getMessage();
    }
    return null;
}

echo "# config page\n";
$MANTIS['plugin_config'] = ['url' => 'https://c.example.org/webhooks/mantis?a=1&b="x"', 'secret' => 'TOP-SECRET', 'timeout' => 3];
$html = render_config();
$calls = $PAGE['calls'];
check('checks the access level first', ($calls[0] ?? '') === 'auth_reauthenticate' && ($calls[1] ?? '') === 'access_ensure_global_level:90', implode(', ', $calls));
check('uses the Mantis layout', in_array('layout_page_header', $calls, true) && in_array('layout_page_begin', $calls, true)
    && in_array('print_manage_menu:manage_plugin_page.php', $calls, true) && end($calls) === 'layout_page_end');
check('form posts to config_update', str_contains($html, 'action="plugin.php?page=HelpdeskConnector/config_update"'));
check('form carries the security token', str_contains($html, 'name="plugin_HelpdeskConnector_config_token"'));
check('URL is shown, escaped', str_contains($html, 'value="https://c.example.org/webhooks/mantis?a=1&amp;b=&quot;x&quot;"'), $html);
check('secret is never shown', !str_contains($html, 'TOP-SECRET'));
check('says a secret is set and offers to remove it', str_contains($html, 'plugin_HelpdeskConnector_secret_is_set') && str_contains($html, 'name="clear_secret"'));
check('timeout field', str_contains($html, 'name="timeout"') && str_contains($html, 'value="3"'));

echo "\n# config_update\n";
$error = submit(['url' => ' https://new.example.org/webhooks/mantis ', 'secret' => '', 'timeout' => '5']);
check('saves without error', $error === null, (string) $error);
check('validates the token, then the access level', array_slice($PAGE['calls'], 0, 3) === [
    'form_security_validate:plugin_HelpdeskConnector_config', 'auth_reauthenticate', 'access_ensure_global_level:90',
], implode(', ', $PAGE['calls']));
check('URL trimmed and stored', $MANTIS['plugin_config']['url'] === 'https://new.example.org/webhooks/mantis');
check('timeout stored', $MANTIS['plugin_config']['timeout'] === 5);
check('empty secret field keeps the stored secret', $MANTIS['plugin_config']['secret'] === 'TOP-SECRET' && !in_array('secret', $PAGE['config_set'], true));
check('purges the token and redirects to the config page', in_array('form_security_purge:plugin_HelpdeskConnector_config', $PAGE['calls'], true)
    && $PAGE['redirect'] === 'plugin.php?page=HelpdeskConnector/config');

submit(['url' => 'https://new.example.org/webhooks/mantis', 'secret' => ' new-secret ', 'timeout' => '5']);
check('new secret stored (trimmed)', $MANTIS['plugin_config']['secret'] === 'new-secret');
check('unchanged values are not written again', $PAGE['config_set'] === ['secret'], implode(', ', $PAGE['config_set']));
submit(['url' => 'https://new.example.org/webhooks/mantis', 'secret' => 'ignored', 'clear_secret' => '1', 'timeout' => '5']);
check('clear_secret removes the secret', $MANTIS['plugin_config']['secret'] === '');
submit(['url' => '', 'timeout' => '3']);
check('empty URL allowed (stops sending)', $MANTIS['plugin_config']['url'] === '');

$before = $MANTIS['plugin_config'];
$error = submit(['url' => 'file:///etc/passwd', 'timeout' => '3']);
check('non-http URL rejected with ERROR_INVALID_FIELD_VALUE', $error === '29' && $PAGE['error_parameters'] === ['plugin_HelpdeskConnector_url'], (string) $error);
$error = submit(['url' => 'https://ok.example.org/', 'timeout' => '0']);
check('timeout below 1 rejected', $error === '29' && $PAGE['error_parameters'] === ['plugin_HelpdeskConnector_timeout']);
$error = submit(['url' => 'https://ok.example.org/', 'timeout' => '31']);
check('timeout above 30 rejected', $error === '29');
check('nothing stored on a rejected form', $MANTIS['plugin_config'] === $before);

echo "\n$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
