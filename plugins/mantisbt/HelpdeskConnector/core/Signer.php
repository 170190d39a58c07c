<?php
declare(strict_types=1);

namespace HelpdeskConnector;

/**
 * HMAC-SHA256 signature of the raw request body, sent as `X-Signature: sha256=<hex>`.
 */
final class Signer
{
    public const PREFIX = 'sha256=';

    public static function sign(string $body, string $secret): string
    {
        return self::PREFIX . hash_hmac('sha256', $body, $secret);
    }

    /** Constant-time check of a received signature (used by tests; the connector verifies in Python). */
    public static function verify(string $body, string $secret, string $signature): bool
    {
        return hash_equals(self::sign($body, $secret), strtolower(trim($signature)));
    }
}
