<?php
declare(strict_types=1);

namespace HelpdeskConnector;

/**
 * Reads issues, notes and users through MantisBT's APIs into the plain arrays Payload expects.
 * The only class here that calls Mantis; it runs inside the plugin's error guard.
 */
final class MantisData
{
    /**
     * The logged-in user with their access level in the issue's project (so the connector can tell
     * support staff from applicants), or null (e.g. a script running without a user).
     */
    public static function actor(int $projectId): ?array
    {
        if (!auth_is_user_authenticated()) {
            return null;
        }

        return self::member((int) auth_get_current_user_id(), $projectId);
    }

    /**
     * A user with their access level in the project (['id', 'name', 'access_level' => ['id',
     * 'name']]), or null for "no user": the actor, and the reporter — a request L1 registered
     * is checked against what L1 records (Sevastopol §2.7), not the applicant's form.
     */
    public static function member(int $userId, int $projectId): ?array
    {
        $user = self::user($userId);
        if ($user === null) {
            return null;
        }
        $level = (int) access_get_project_level($projectId, $userId);
        $user['access_level'] = [
            'id' => $level,
            'name' => (string) \MantisEnum::getLabel((string) config_get('access_levels_enum_string'), $level),
        ];

        return $user;
    }

    /** ['id', 'name' => username] or null for "no user"; the username is what the REST API calls `name`. */
    public static function user(int $userId): ?array
    {
        return $userId === NO_USER ? null : ['id' => $userId, 'name' => (string) user_get_username($userId)];
    }

    /** @param object $bug a BugData */
    public static function issue(object $bug, ?int $bugId = null): array
    {
        $id = $bugId ?? (int) $bug->id;
        $projectId = (int) $bug->project_id;
        $category = category_get_row((int) $bug->category_id, false);

        return [
            'id' => $id,
            'project' => ['id' => $projectId, 'name' => (string) project_get_name($projectId, false)],
            'category' => is_array($category) ? (string) $category['name'] : '',
            'summary' => $bug->summary,
            'description' => $bug->description,
            'steps_to_reproduce' => $bug->steps_to_reproduce,
            'additional_information' => $bug->additional_information,
            'status' => self::enum('status', (int) $bug->status, $projectId),
            'priority' => self::enum('priority', (int) $bug->priority, $projectId),
            'severity' => self::enum('severity', (int) $bug->severity, $projectId),
            'reporter' => self::member((int) $bug->reporter_id, $projectId),
            'handler' => self::user((int) $bug->handler_id),
            'custom_fields' => self::customFields($id, $projectId),
            'attachments' => self::attachments($id),
            'created_at' => (int) $bug->date_submitted,
            'updated_at' => (int) $bug->last_updated,
        ];
    }

    /** When the issue was last updated as the database has it now (never before $known). */
    public static function lastUpdated(int $bugId, int $known): int
    {
        bug_clear_cache($bugId);

        return max($known, (int) bug_get_field($bugId, 'last_updated'));
    }

    /** The fields Payload::changes() compares. $customFields: from customFieldValues(), null if unknown. */
    public static function snapshot(object $bug, ?array $customFields): array
    {
        $projectId = (int) $bug->project_id;
        $handler = self::user((int) $bug->handler_id);

        return [
            'status' => self::enum('status', (int) $bug->status, $projectId)['name'],
            'priority' => self::enum('priority', (int) $bug->priority, $projectId)['name'],
            'severity' => self::enum('severity', (int) $bug->severity, $projectId)['name'],
            'handler' => $handler === null ? null : $handler['name'],
            'custom_fields' => $customFields,
        ];
    }

    /**
     * Fields linked to the project that the current user may read; unset values are ''.
     *
     * @return list<array{id: int, name: string, value: string}>
     */
    public static function customFields(int $bugId, int $projectId): array
    {
        $fields = [];
        foreach (custom_field_get_linked_ids($projectId) as $fieldId) {
            $value = custom_field_get_value((int) $fieldId, $bugId);
            if ($value === false) {
                continue;  // no read access for the current user
            }
            $fields[] = [
                'id' => (int) $fieldId,
                'name' => (string) custom_field_get_field((int) $fieldId, 'name'),
                'value' => (string) $value,
            ];
        }

        return $fields;
    }

    /** @return array<string, string> field name => value */
    public static function customFieldValues(int $bugId, int $projectId): array
    {
        $values = [];
        foreach (self::customFields($bugId, $projectId) as $field) {
            $values[$field['name']] = $field['value'];
        }

        return $values;
    }

    /** Attachments the current user can see. */
    public static function attachments(int $bugId): array
    {
        $files = [];
        foreach (file_get_visible_attachments($bugId) as $file) {
            $files[] = [
                'id' => (int) $file['id'],
                'filename' => (string) $file['display_name'],
                'size' => (int) $file['size'],
                'content_type' => (string) $file['file_type'],
            ];
        }

        return $files;
    }

    public static function note(int $noteId): array
    {
        $note = bugnote_get($noteId);

        return [
            'id' => $noteId,
            'text' => (string) $note->note,
            'reporter' => self::user((int) $note->reporter_id),
            'view_state' => (int) $note->view_state === VS_PRIVATE ? 'private' : 'public',
            'created_at' => (int) $note->date_submitted,
        ];
    }

    /** ['id' => value, 'name' => label from <enum>_enum_string]; labels are the untranslated names. */
    private static function enum(string $enum, int $value, int $projectId): array
    {
        $enumString = (string) config_get($enum . '_enum_string', null, null, $projectId);

        return ['id' => $value, 'name' => (string) \MantisEnum::getLabel($enumString, $value)];
    }
}
