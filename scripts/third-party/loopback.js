// Preload for Node servers that bind every interface (e.g. server-everything's streamableHttp mode):
//   NODE_OPTIONS="--require /path/to/loopback.js" node server.js
// Forces every TCP listen() onto 127.0.0.1, whatever host (or none) the server asked for, so a test
// run never exposes a service beyond loopback. Unix-socket paths and inherited handles are untouched.
'use strict';
const net = require('net');

const HOST = '127.0.0.1';
const original = net.Server.prototype.listen;

function isPort(v) {
  return typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v));
}

net.Server.prototype.listen = function patchedListen(...args) {
  const first = args[0];
  if (first === undefined || typeof first === 'function') {
    // listen() / listen(cb): a random port on all interfaces -> a random port on loopback.
    args.unshift(0, HOST);
  } else if (isPort(first)) {
    // listen(port[, host][, backlog][, cb])
    if (typeof args[1] === 'string') args[1] = HOST;
    else args.splice(1, 0, HOST);
  } else if (first && typeof first === 'object' && !first._handle && first.fd === undefined
             && first.path === undefined && !(first instanceof net.Server)) {
    // listen({ port, host, ... }[, cb])
    args[0] = Object.assign({}, first, { host: HOST });
  }
  return original.apply(this, args);
};
