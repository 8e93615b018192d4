// Keeps test output readable: the SDK logs warnings and errors only (vitest setup file).
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process by an earlier file.
}
