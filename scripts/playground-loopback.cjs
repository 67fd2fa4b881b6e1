/*
 * Preload for Microsoft 365 Agents Playground (`node --require scripts/playground-loopback.cjs ...`):
 * keeps it on this machine.
 *
 * - Every server it opens listens on 127.0.0.1 (it listens on all interfaces by default); a
 *   loopback host it asks for itself is kept.
 * - Every DNS lookup of a name other than loopback fails at once and is reported on stderr, so it
 *   cannot reach out (telemetry is also turned off with --disable-telemetry).
 */
'use strict';
const net = require('node:net');
const dns = require('node:dns');

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function loopbackListen(...args) {
  const first = args[0];
  if (first !== null && typeof first === 'object' && first.path === undefined && first.fd === undefined && first._handle === undefined && first.handle === undefined) {
    // listen(options[, callback])
    args[0] = { ...first, host: LOOPBACK.has(first.host) ? first.host : '127.0.0.1' };
  } else if (first === undefined || typeof first === 'function' || typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    // listen([port][, host][, backlog][, callback])
    if (first === undefined || typeof first === 'function') args.unshift(0);
    if (typeof args[1] === 'string') {
      if (!LOOPBACK.has(args[1])) args[1] = '127.0.0.1';
    } else {
      args.splice(1, 0, '127.0.0.1');
    }
  }
  return listen.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function loopbackLookup(hostname, ...rest) {
  if (LOOPBACK.has(hostname)) return lookup.call(this, hostname, ...rest);
  process.stderr.write(`[playground-loopback] refused to resolve ${hostname}\n`);
  const callback = rest[rest.length - 1];
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
  process.nextTick(() => callback(error));
  return {};
};
