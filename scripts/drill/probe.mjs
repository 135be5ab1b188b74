// Preloaded into each API instance (`node --expose-gc --import probe.mjs server.js`) so the
// drill can read the instance's own heap, which no route exposes, over the IPC channel.
if (process.send) {
  process.on('message', (message) => {
    if (message?.type !== 'memory') return;

    // Two passes: the first can leave objects with finalizers for the second to collect.
    if (message.gc && typeof globalThis.gc === 'function') {
      globalThis.gc();
      globalThis.gc();
    }
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    process.send({ type: 'memory', id: message.id, rss, heapUsed, heapTotal, external });
  });
  // The listener above refs the channel; unref it so a SIGTERM shutdown can still exit.
  process.channel?.unref();
}
