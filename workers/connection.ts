// Connection options for a Temporal server: local dev server, self-hosted with mTLS, or Temporal Cloud.
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { TemporalSettings } from './config.ts';

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

export function connectionOptions(settings: TemporalSettings): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: settings.address };
  if (settings.apiKey) options.apiKey = settings.apiKey;
  if (settings.tls) {
    const { clientCertPath, clientKeyPath, serverCaPath, serverName } = settings.tls;
    options.tls = {
      ...(serverName ? { serverNameOverride: serverName } : {}),
      ...(serverCaPath ? { serverRootCACertificate: readFileSync(serverCaPath) } : {}),
      ...(clientCertPath && clientKeyPath
        ? { clientCertPair: { crt: readFileSync(clientCertPath), key: readFileSync(clientKeyPath) } }
        : {}),
    };
  }
  return options;
}
