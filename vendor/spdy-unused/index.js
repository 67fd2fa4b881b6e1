'use strict';
// restify calls spdy.createServer only when it is given a `spdy` option; Postwatch never gives one.
// Failing loudly keeps it that way if that ever changes.
exports.createServer = function createServer() {
  throw new Error('spdy (HTTP/2 via SPDY) is not installed in Postwatch: restify must be created without the spdy option.');
};
