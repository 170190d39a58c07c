<?php
declare(strict_types=1);

namespace HelpdeskConnector;

/**
 * Sends one HTTP POST with short timeouts. Never throws, never prints: post() returns true on a 2xx
 * answer and false otherwise (see lastError()). Redirects are not followed.
 */
final class Sender
{
    private float $timeout;
    private string $transport;
    private string $lastError = '';
    private int $lastStatus = 0;

    /**
     * @param float       $timeout   seconds, used both to connect and for the whole request
     * @param string|null $transport 'curl', 'stream', or null to use curl when the extension is loaded
     */
    public function __construct(float $timeout = 3.0, ?string $transport = null)
    {
        $this->timeout = max(0.1, $timeout);
        $this->transport = $transport ?? (function_exists('curl_init') ? 'curl' : 'stream');
    }

    public static function isValidUrl(string $url): bool
    {
        $scheme = strtolower((string) parse_url($url, PHP_URL_SCHEME));

        return filter_var($url, FILTER_VALIDATE_URL) !== false && in_array($scheme, ['http', 'https'], true);
    }

    /** @param array<string, string> $headers */
    public function post(string $url, string $body, array $headers): bool
    {
        $this->lastError = '';
        $this->lastStatus = 0;
        if (!self::isValidUrl($url)) {
            $this->lastError = 'not an http(s) URL';
            return false;
        }
        $lines = [];
        foreach ($headers as $name => $value) {
            $lines[] = $name . ': ' . str_replace(["\r", "\n"], '', (string) $value);
        }

        set_error_handler(function (int $errno, string $message): bool {
            $this->lastError = $message;
            return true;
        });
        try {
            $this->lastStatus = $this->transport === 'curl'
                ? $this->viaCurl($url, $body, $lines)
                : $this->viaStream($url, $body, $lines);
        } catch (\Throwable $e) {
            $this->lastError = get_class($e) . ': ' . $e->getMessage();
        } finally {
            restore_error_handler();
        }

        if ($this->lastStatus >= 200 && $this->lastStatus < 300) {
            return true;
        }
        if ($this->lastStatus !== 0) {
            $this->lastError = 'HTTP ' . $this->lastStatus;
        }

        return false;
    }

    public function lastError(): string
    {
        return $this->lastError;
    }

    public function lastStatus(): int
    {
        return $this->lastStatus;
    }

    public function transport(): string
    {
        return $this->transport;
    }

    /** @param list<string> $lines */
    private function viaCurl(string $url, string $body, array $lines): int
    {
        $ms = (int) ceil($this->timeout * 1000);
        $ch = curl_init();
        curl_setopt_array($ch, [
            CURLOPT_URL => $url,
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => array_merge($lines, ['Expect:']),  // no 100-continue wait
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_CONNECTTIMEOUT_MS => $ms,
            CURLOPT_TIMEOUT_MS => $ms,
            CURLOPT_NOSIGNAL => true,
        ]);
        $ok = curl_exec($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        if ($ok === false) {
            $this->lastError = 'curl: ' . curl_error($ch);
            $status = 0;
        }
        unset($ch);  // PHP 8 frees the handle; curl_close() is a no-op

        return $status;
    }

    /**
     * PHP streams fallback. The context timeout bounds the connect and each read; the body of the
     * answer is never read, only its status line.
     *
     * @param list<string> $lines
     */
    private function viaStream(string $url, string $body, array $lines): int
    {
        $context = stream_context_create([
            'http' => [
                'method' => 'POST',
                'header' => implode("\r\n", array_merge($lines, ['Connection: close'])),
                'content' => $body,
                'timeout' => $this->timeout,
                'ignore_errors' => true,
                'follow_location' => 0,
                'protocol_version' => 1.1,
            ],
        ]);
        $stream = fopen($url, 'rb', false, $context);
        if ($stream === false) {
            $this->lastError = 'stream: ' . ($this->lastError !== '' ? $this->lastError : 'cannot connect');
            return 0;
        }
        $meta = stream_get_meta_data($stream);
        fclose($stream);
        $status = 0;
        foreach ($meta['wrapper_data'] ?? [] as $header) {
            if (preg_match('#^HTTP/\S+\s+(\d{3})#', (string) $header, $m)) {
                $status = (int) $m[1];
            }
        }

        return $status;
    }
}
