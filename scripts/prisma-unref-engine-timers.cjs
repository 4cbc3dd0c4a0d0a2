// Preloaded into the Prisma CLI by scripts/prisma.mjs.
//
// On PostgreSQL the WASM schema engine leaves a 10-second timer pending after
// `migrate deploy` has finished (a lock-wait guard, by its stack), and Node
// waits for it before exiting: every migration took 10 s more than its work.
// A guard timer must not keep the process alive, so timers the engine creates
// (their stack passes through prisma/build) are unref'd. Sockets still keep
// the process alive while the engine really works.
"use strict";
const originalSetTimeout = global.setTimeout;
global.setTimeout = function setTimeoutUnrefForEngine(callback, delay, ...args) {
  const timer = originalSetTimeout.call(this, callback, delay, ...args);
  if (delay >= 1000 && /[\\/]prisma[\\/]build[\\/]/.test(new Error().stack ?? "")) timer.unref();
  return timer;
};
