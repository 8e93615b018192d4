// `npm run codec-server`: serves the payload codec to the Temporal Web UI and the `temporal` CLI for
// whoever holds the payload key (PNO_PAYLOAD_KEY or _FILE, PNO_PAYLOAD_RETIRED_KEYS_FILE), e.g. on
// an operator's machine. PNO_CODEC_ADDRESS (default 127.0.0.1:8234), PNO_CODEC_ALLOW_ORIGINS
// (the UI's origins, comma-separated), PNO_CODEC_TOKEN (then requests need `Authorization: Bearer …`).
import { payloadCodec } from './codec/data-converter.ts';
import { startCodecServer } from './codec/server.ts';
import { ConfigError, isListenAddress, readWorkerConfig } from './config.ts';

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(2);
};

let keys;
try {
  keys = readWorkerConfig(process.env).payloadKeys;
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  fail(err.message);
}
if (!keys) fail('PNO_PAYLOAD_KEY or PNO_PAYLOAD_KEY_FILE: the codec server needs the payload key');
const address = process.env.PNO_CODEC_ADDRESS?.trim() || '127.0.0.1:8234';
if (!isListenAddress(address)) fail(`PNO_CODEC_ADDRESS: must be host:port (got ${JSON.stringify(address)})`);
const at = address.lastIndexOf(':');
const host = address.slice(0, at).replace(/^\[|\]$/g, '');
// Whoever reaches it can read every sealed payload: beyond loopback only with a token.
if (!['127.0.0.1', 'localhost', '::1'].includes(host) && !process.env.PNO_CODEC_TOKEN)
  fail(`PNO_CODEC_ADDRESS: ${address} is reachable beyond this machine; set PNO_CODEC_TOKEN too`);
const server = await startCodecServer({
  codec: payloadCodec(keys!),
  host,
  port: Number(address.slice(at + 1)),
  allowOrigins: (process.env.PNO_CODEC_ALLOW_ORIGINS ?? 'http://localhost:8233')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean),
  ...(process.env.PNO_CODEC_TOKEN ? { token: process.env.PNO_CODEC_TOKEN } : {}),
});
process.stdout.write(`codec server for key ${keys!.current.id} at ${server.url}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close());
