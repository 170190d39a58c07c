<?php
# The few MantisBT functions and classes the plugin calls, backed by the global $MANTIS array, so the
# plugin's hooks can run end to end without a Mantis installation. Behaviour follows MantisBT 2.x.

const NO_USER = 0;
const VS_PUBLIC = 10;
const VS_PRIVATE = 50;
const LOG_PLUGIN = 256;
const ERROR = E_USER_ERROR;

$MANTIS = [
    'plugin_config' => [],
    'config' => [
        'path' => 'https://mantis.example.org/',
        'status_enum_string' => '10:new,20:feedback,30:acknowledged,40:confirmed,50:assigned,80:resolved,90:closed',
        'priority_enum_string' => '10:none,20:low,30:normal,40:high,50:urgent,60:immediate',
        'severity_enum_string' => '10:feature,20:trivial,30:text,40:tweak,50:minor,60:major,70:crash,80:block',
        'access_levels_enum_string' => '10:viewer,25:reporter,40:updater,55:developer,70:manager,90:administrator',
    ],
    'access' => [5 => 25, 7 => 55],   // user id => access level in every project
    'current_user' => 5,
    'users' => [5 => 'ivanov', 7 => 'petrov'],
    'projects' => [1 => 'EMIAS'],
    'categories' => [1 => 'General'],
    'cf_linked' => [1 => [1, 2, 3]],
    'cf_names' => [1 => 'Impact', 2 => 'Secret field', 3 => 'Region'],
    'cf_values' => [],          // [bug id][field id] => value
    'cf_unreadable' => [2],     // field ids the current user may not read
    'attachments' => [],        // [bug id] => rows as file_get_visible_attachments() returns them
    'bugs' => [],               // [bug id] => BugData
    'notes' => [],              // [note id] => BugnoteData
    'stored' => [],             // [bug id] => BugData as the database holds it, if not 'bugs'
    'cache_cleared' => [],
    'log' => [],
    'fail_category' => false,   // make category_get_row() raise a Mantis error
    'print_in_username' => false,
];

abstract class MantisPlugin
{
    public $basename;
    public $name;
    public $description;
    public $page;
    public $version;
    public $requires;
    public $author;

    final public function __construct($p_basename)
    {
        $this->basename = $p_basename;
        $this->register();
    }

    abstract public function register();
}

class BugData
{
    public $id = 0;
    public $project_id = 1;
    public $reporter_id = 0;
    public $handler_id = 0;
    public $priority = 30;
    public $severity = 50;
    public $status = 10;
    public $category_id = 1;
    public $date_submitted = 0;
    public $last_updated = 0;
    public $summary = '';
    public $description = '';
    public $steps_to_reproduce = '';
    public $additional_information = '';
}

class BugnoteData
{
    public $id;
    public $bug_id;
    public $reporter_id;
    public $note;
    public $view_state = VS_PUBLIC;
    public $date_submitted;
}

class MantisEnum
{
    public static function getLabel($p_enum_string, $p_value)
    {
        foreach (explode(',', $p_enum_string) as $t_pair) {
            [$t_value, $t_label] = explode(':', $t_pair, 2);
            if ((int) $t_value === (int) $p_value) {
                return $t_label;
            }
        }
        return '@' . (int) $p_value . '@';
    }
}

function plugin_lang_get($p_name) { return 'plugin_HelpdeskConnector_' . $p_name; }
function plugin_config_get($p_option) { return $GLOBALS['MANTIS']['plugin_config'][$p_option] ?? null; }
function config_get($p_option, $p_default = null, $p_user = null, $p_project = null) { return $GLOBALS['MANTIS']['config'][$p_option] ?? $p_default; }
function config_get_global($p_option, $p_default = null) { return config_get($p_option, $p_default); }
function auth_is_user_authenticated() { return $GLOBALS['MANTIS']['current_user'] !== NO_USER; }
function auth_get_current_user_id() { return $GLOBALS['MANTIS']['current_user']; }
function log_event($p_level, $p_msg) { $GLOBALS['MANTIS']['log'][] = $p_msg; }
function access_get_project_level($p_project_id = null, $p_user_id = null) { return $GLOBALS['MANTIS']['access'][$p_user_id] ?? 10; }

function user_get_username($p_user_id)
{
    if ($GLOBALS['MANTIS']['print_in_username']) {
        echo 'LEAKED OUTPUT';
    }
    return $GLOBALS['MANTIS']['users'][$p_user_id] ?? 'user' . $p_user_id;
}

function project_get_name($p_project_id, $p_trigger_errors = true) { return $GLOBALS['MANTIS']['projects'][$p_project_id]; }

function category_get_row($p_category_id, $p_error_if_not_exists = true)
{
    if ($GLOBALS['MANTIS']['fail_category']) {
        $GLOBALS['g_error_parameters'] = ['x'];
        trigger_error('1100', ERROR);   # what Mantis does; its handler would print an error page and exit
    }
    $t_name = $GLOBALS['MANTIS']['categories'][$p_category_id] ?? null;
    return $t_name === null ? false : ['id' => $p_category_id, 'name' => $t_name];
}

function custom_field_get_linked_ids($p_project_id) { return $GLOBALS['MANTIS']['cf_linked'][$p_project_id] ?? []; }
function custom_field_get_field($p_field_id, $p_field_name) { return $GLOBALS['MANTIS']['cf_names'][$p_field_id]; }

function custom_field_get_value($p_field_id, $p_bug_id)
{
    if (in_array($p_field_id, $GLOBALS['MANTIS']['cf_unreadable'], true)) {
        return false;
    }
    return $GLOBALS['MANTIS']['cf_values'][$p_bug_id][$p_field_id] ?? null;
}

function file_get_visible_attachments($p_bug_id) { return $GLOBALS['MANTIS']['attachments'][$p_bug_id] ?? []; }
function bug_get($p_bug_id, $p_get_extended = false) { return $GLOBALS['MANTIS']['bugs'][$p_bug_id]; }
function bug_get_field($p_bug_id, $p_field_name) { return ($GLOBALS['MANTIS']['stored'][$p_bug_id] ?? bug_get($p_bug_id))->$p_field_name; }
function bug_clear_cache($p_bug_id = null) { $GLOBALS['MANTIS']['cache_cleared'][] = $p_bug_id; }
function bugnote_get($p_bugnote_id) { return $GLOBALS['MANTIS']['notes'][$p_bugnote_id]; }
