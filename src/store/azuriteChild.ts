import { startEmbeddedAzurite, type EmbeddedAzuriteOptions } from './embeddedAzurite.ts';

/** The child side of azuriteProcess.ts: start Azurite, report its endpoints, close when told. */
const options = JSON.parse(process.argv[2] ?? '{}') as EmbeddedAzuriteOptions;
const send = (message: unknown) => process.send?.(message);

startEmbeddedAzurite(options).then(
  (azurite) => {
    const { close, ...ready } = azurite;
    send({ ready });
    process.on('message', (message: { close?: boolean }) => {
      if (message.close) void close().then(() => process.exit(0));
    });
    // The parent went away without closing us: flush and leave.
    process.on('disconnect', () => void close().then(() => process.exit(0)));
  },
  (error: unknown) => {
    send({ error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
