/**
 * Checks a ZeroMQ endpoint string before it reaches libzmq, so the user gets a message that says what
 * is wrong rather than libzmq's "Invalid argument". Pure.
 *
 * Accepted: `tcp://HOST:PORT` (HOST a name, an IPv4 address, `[IPv6]` or `*` for all interfaces when
 * binding; PORT 1..65535, or `*` / `0` for an OS-chosen port when binding), `ipc://PATH` and
 * `inproc://NAME` (same process only).
 * Returns an error text, or undefined when the endpoint is usable.
 */
export function checkEndpoint(endpoint: string, mode: 'bind' | 'connect'): string | undefined {
  if (endpoint.startsWith('ipc://')) {
    return endpoint.length > 'ipc://'.length ? undefined : `"${endpoint}": ipc:// needs a path, e.g. ipc:///tmp/evpilot-events`;
  }
  if (endpoint.startsWith('inproc://')) {
    // Same-process only (tests, a simulator in the runtime's process); both sides must share the zmq context.
    return endpoint.length > 'inproc://'.length ? undefined : `"${endpoint}": inproc:// needs a name`;
  }
  const m = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s[\]]+):([^:/\s]+)$/.exec(endpoint);
  if (!m) {
    return `"${endpoint}" is not a ZeroMQ endpoint: expected tcp://HOST:PORT (e.g. tcp://127.0.0.1:5555) or ipc://PATH`;
  }
  const host = m[1]!;
  const port = m[2]!;
  if (port === '*' || port === '0') {
    return mode === 'bind' ? undefined : `"${endpoint}": a subscriber or connecting publisher needs a definite port`;
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return `"${endpoint}": port "${port}" is not 1..65535`;
  if (host === '*' && mode === 'connect') return `"${endpoint}": cannot connect to "*"; name a host such as 127.0.0.1`;
  return undefined;
}
