<?php
declare(strict_types=1);

namespace HelpdeskConnector;

/**
 * Builds the webhook body and headers from plain arrays. No Mantis calls here.
 *
 * Input arrays use the output field names; timestamps may be Unix ints (converted to ISO 8601 UTC).
 */
final class Payload
{
    public const EVENTS = ['issue_reported', 'issue_updated', 'note_added'];
    public const USER_AGENT = 'HelpdeskConnector-MantisBT/1.0';

    private const JSON_FLAGS = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES
        | JSON_INVALID_UTF8_SUBSTITUTE | JSON_THROW_ON_ERROR;

    /**
     * @param array|null $actor   ['id' => int, 'name' => string, 'access_level'? => ['id' => int,
     *                            'name' => string]] or null when nobody is logged in
     * @param array      $issue   see issue()
     * @param array      $changes from changes(); only used for issue_updated
     * @param array|null $note    see note(); only used for note_added
     */
    public static function build(
        string $event,
        string $deliveryId,
        int $sentAt,
        string $mantisUrl,
        ?array $actor,
        array $issue,
        array $changes = [],
        ?array $note = null
    ): array {
        if (!in_array($event, self::EVENTS, true)) {
            throw new \InvalidArgumentException("unknown event '$event'");
        }
        $changes = $event === 'issue_updated' ? $changes : [];
        if (isset($changes['custom_fields'])) {
            $changes['custom_fields'] = (object) $changes['custom_fields'];
        }

        return [
            'event' => $event,
            'delivery_id' => $deliveryId,
            'sent_at' => self::isoUtc($sentAt),
            'mantis_url' => $mantisUrl,
            'actor' => self::actor($actor),
            'issue' => self::issue($issue),
            'changes' => (object) $changes,
            'note' => $event === 'note_added' && $note !== null ? self::note($note) : null,
        ];
    }

    public static function encode(array $payload): string
    {
        return json_encode($payload, self::JSON_FLAGS);
    }

    /** @return array<string, string> the HTTP headers of one delivery */
    public static function headers(string $event, string $deliveryId, string $signature): array
    {
        return [
            'Content-Type' => 'application/json',
            'X-Signature' => $signature,
            'X-Delivery-Id' => $deliveryId,
            'X-Mantis-Event' => $event,
            'User-Agent' => self::USER_AGENT,
        ];
    }

    public static function issue(array $in): array
    {
        $customFields = [];
        foreach ($in['custom_fields'] ?? [] as $cf) {
            $customFields[] = [
                'field' => ['id' => (int) $cf['id'], 'name' => (string) $cf['name']],
                'value' => (string) ($cf['value'] ?? ''),
            ];
        }
        $attachments = [];
        foreach ($in['attachments'] ?? [] as $file) {
            $attachments[] = [
                'id' => (int) $file['id'],
                'filename' => (string) $file['filename'],
                'size' => (int) $file['size'],
                'content_type' => (string) ($file['content_type'] ?? ''),
            ];
        }

        return [
            'id' => (int) $in['id'],
            'project' => self::ref($in['project']),
            'category' => (string) ($in['category'] ?? ''),
            'summary' => (string) ($in['summary'] ?? ''),
            'description' => (string) ($in['description'] ?? ''),
            'steps_to_reproduce' => (string) ($in['steps_to_reproduce'] ?? ''),
            'additional_information' => (string) ($in['additional_information'] ?? ''),
            'status' => self::ref($in['status']),
            'priority' => self::ref($in['priority']),
            'severity' => self::ref($in['severity']),
            'reporter' => self::actor($in['reporter']),
            'handler' => self::ref($in['handler'] ?? null),
            'custom_fields' => $customFields,
            'attachments' => $attachments,
            'created_at' => self::isoUtc($in['created_at']),
            'updated_at' => self::isoUtc($in['updated_at']),
        ];
    }

    public static function note(array $in): array
    {
        return [
            'id' => (int) $in['id'],
            'text' => (string) $in['text'],
            'reporter' => self::ref($in['reporter']),
            'view_state' => $in['view_state'] === 'private' ? 'private' : 'public',
            'created_at' => self::isoUtc($in['created_at']),
        ];
    }

    /**
     * What changed between two snapshots of an issue.
     *
     * A snapshot is ['status' => name, 'priority' => name, 'severity' => name, 'handler' => name|null,
     * 'custom_fields' => [name => value]]. Before-snapshot 'custom_fields' => null means the old values
     * are unknown: then every field is reported with 'old' => null.
     */
    public static function changes(array $before, array $after): array
    {
        $changes = [];
        foreach (['status', 'priority', 'severity', 'handler'] as $key) {
            $old = $before[$key] ?? null;
            $new = $after[$key] ?? null;
            if ($old !== $new) {
                $changes[$key] = ['old' => $old, 'new' => $new];
            }
        }

        $oldFields = $before['custom_fields'] ?? null;
        $fieldChanges = [];
        foreach ($after['custom_fields'] ?? [] as $name => $value) {
            $new = (string) $value;
            $old = $oldFields === null ? null : (string) ($oldFields[$name] ?? '');
            if ($old !== $new) {
                $fieldChanges[(string) $name] = ['old' => $old, 'new' => $new];
            }
        }
        if ($fieldChanges !== []) {
            $changes['custom_fields'] = $fieldChanges;
        }

        return $changes;
    }

    public static function isoUtc(int|string $time): string
    {
        if (is_int($time) || ctype_digit($time)) {
            return gmdate('Y-m-d\TH:i:sP', (int) $time);
        }

        return $time;
    }

    /** A random (version 4) UUID. */
    public static function uuid4(): string
    {
        $bytes = random_bytes(16);
        $bytes[6] = chr((ord($bytes[6]) & 0x0f) | 0x40);
        $bytes[8] = chr((ord($bytes[8]) & 0x3f) | 0x80);

        return vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($bytes), 4));
    }

    /** A user as a ref, with their access level in the project when known (the actor, the reporter). */
    private static function actor(?array $actor): ?array
    {
        $ref = self::ref($actor);
        if ($ref !== null && isset($actor['access_level']) && is_array($actor['access_level'])) {
            $ref['access_level'] = self::ref($actor['access_level']);
        }

        return $ref;
    }

    private static function ref(?array $ref): ?array
    {
        return $ref === null ? null : ['id' => (int) $ref['id'], 'name' => (string) $ref['name']];
    }
}
