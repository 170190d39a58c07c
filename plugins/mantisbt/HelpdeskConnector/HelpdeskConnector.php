<?php
# HelpdeskConnector - sends MantisBT issue events to the helpdesk-connector as signed webhooks.
# Licensed under the MIT license.

require_once __DIR__ . '/core/Payload.php';
require_once __DIR__ . '/core/Signer.php';
require_once __DIR__ . '/core/Sender.php';
require_once __DIR__ . '/core/MantisData.php';

use HelpdeskConnector\MantisData;
use HelpdeskConnector\Payload;
use HelpdeskConnector\Sender;
use HelpdeskConnector\Signer;

/**
 * Hooks gather data through Mantis' APIs and send it; every failure is caught and logged so the
 * user's page is never broken, and nothing is printed.
 */
class HelpdeskConnectorPlugin extends MantisPlugin
{
    /** @var array<int, array<string, string>> custom field values before an update, by issue id */
    private array $customFieldsBefore = [];

    public function register()
    {
        $this->name = plugin_lang_get('title');
        $this->description = plugin_lang_get('description');
        $this->page = 'config';
        $this->version = '1.0.0';
        $this->requires = ['MantisCore' => '2.0.0'];
        $this->author = 'helpdesk-connector';
    }

    public function config()
    {
        return ['url' => '', 'secret' => '', 'timeout' => 3];
    }

    public function hooks()
    {
        return [
            'EVENT_REPORT_BUG' => 'on_report_bug',
            'EVENT_UPDATE_BUG_DATA' => 'on_update_bug_data',
            'EVENT_UPDATE_BUG' => 'on_update_bug',
            'EVENT_BUGNOTE_ADD' => 'on_bugnote_add',
        ];
    }

    /** EVENT_REPORT_BUG (BugData, bug id): web form and REST. */
    public function on_report_bug($p_event, $p_bug = null, $p_bug_id = null)
    {
        $this->guard('issue_reported', function () use ($p_bug, $p_bug_id) {
            $bug = is_object($p_bug) ? $p_bug : bug_get((int) $p_bug_id, true);
            $this->deliver('issue_reported', MantisData::issue($bug, $p_bug_id === null ? null : (int) $p_bug_id));
        });
    }

    /**
     * EVENT_UPDATE_BUG_DATA (chain: new BugData, old BugData), signalled before the new custom field
     * values are stored: remember the old ones. Always returns the BugData it was given.
     */
    public function on_update_bug_data($p_event, $p_updated_bug = null, $p_existing_bug = null)
    {
        $this->guard('issue_updated (before)', function () use ($p_existing_bug) {
            $bugId = (int) $p_existing_bug->id;
            $this->customFieldsBefore[$bugId] = MantisData::customFieldValues($bugId, (int) $p_existing_bug->project_id);
        });

        return $p_updated_bug;
    }

    /**
     * EVENT_UPDATE_BUG (old BugData, new BugData): web forms only; a REST PATCH fires no event.
     * BugData::update() stamps last_updated in the database, not on the object it passes here: the
     * stored time is sent, so the connector knows this change when polling finds it again.
     */
    public function on_update_bug($p_event, $p_old_bug = null, $p_new_bug = null)
    {
        $this->guard('issue_updated', function () use ($p_old_bug, $p_new_bug) {
            $bugId = (int) $p_new_bug->id;
            $issue = MantisData::issue($p_new_bug);
            $issue['updated_at'] = MantisData::lastUpdated($bugId, (int) $p_new_bug->last_updated);
            $after = [];
            foreach ($issue['custom_fields'] as $field) {
                $after[$field['name']] = $field['value'];
            }
            $changes = Payload::changes(
                MantisData::snapshot($p_old_bug, $this->customFieldsBefore[$bugId] ?? null),
                MantisData::snapshot($p_new_bug, $after)
            );
            unset($this->customFieldsBefore[$bugId]);
            $this->deliver('issue_updated', $issue, $changes);
        });
    }

    /** EVENT_BUGNOTE_ADD (bug id, note id, files): web and REST. */
    public function on_bugnote_add($p_event, $p_bug_id = null, $p_bugnote_id = null, $p_files = null)
    {
        $this->guard('note_added', function () use ($p_bug_id, $p_bugnote_id) {
            $issue = MantisData::issue(bug_get((int) $p_bug_id, true), (int) $p_bug_id);
            $this->deliver('note_added', $issue, [], MantisData::note((int) $p_bugnote_id));
        });
    }

    private function deliver(string $event, array $issue, array $changes = [], ?array $note = null): void
    {
        $deliveryId = Payload::uuid4();
        $body = Payload::encode(Payload::build(
            $event, $deliveryId, time(), (string) config_get_global('path'),
            MantisData::actor((int) $issue['project']['id']), $issue, $changes, $note
        ));
        $headers = Payload::headers($event, $deliveryId, Signer::sign($body, (string) plugin_config_get('secret')));
        $sender = new Sender($this->timeout());
        if ($sender->post((string) plugin_config_get('url'), $body, $headers)) {
            $this->log("$event issue {$issue['id']} delivered ($deliveryId)", false);
        } else {
            $this->log("$event issue {$issue['id']} not delivered ($deliveryId): " . $sender->lastError(), true);
        }
    }

    /** Sending needs both a URL and a secret. */
    private function enabled(): bool
    {
        return trim((string) plugin_config_get('url')) !== '' && (string) plugin_config_get('secret') !== '';
    }

    private function timeout(): float
    {
        return (float) min(30, max(1, (int) plugin_config_get('timeout')));
    }

    /**
     * Runs $work if the plugin is configured. Catches every exception; Mantis errors and PHP warnings
     * raised meanwhile become exceptions (Mantis' own handler would print an error page), notices and
     * deprecations are ignored; any output is discarded.
     */
    private function guard(string $what, callable $work): void
    {
        $level = ob_get_level();
        ob_start();
        set_error_handler(static function (int $errno, string $message, string $file = '', int $line = 0): bool {
            $fatal = E_WARNING | E_USER_WARNING | E_USER_ERROR | E_RECOVERABLE_ERROR;
            if (($errno & $fatal) && (error_reporting() & $errno)) {  // not silenced with @
                $GLOBALS['g_error_parameters'] = [];  // parameters of a Mantis error we swallowed
                throw new ErrorException($message, 0, $errno, $file, $line);
            }
            return true;
        });
        try {
            if ($this->enabled()) {
                $work();
            }
        } catch (Throwable $e) {
            $this->log("$what failed: " . get_class($e) . ': ' . $e->getMessage()
                . ' at ' . basename($e->getFile()) . ':' . $e->getLine(), true);
        } finally {
            restore_error_handler();
            while (ob_get_level() > $level) {
                ob_end_clean();
            }
        }
    }

    /** Failures go to the PHP error log; everything also to Mantis' log (LOG_PLUGIN). */
    private function log(string $message, bool $failure): void
    {
        try {
            if ($failure) {
                error_log('HelpdeskConnector: ' . $message);
            }
            if (function_exists('log_event') && defined('LOG_PLUGIN')) {
                log_event(LOG_PLUGIN, 'HelpdeskConnector: ' . $message);
            }
        } catch (Throwable $e) {
            # logging must not break the page either
        }
    }
}
