// Where the binaries that setup built live: $PNO_TOOLS_DIR/bin, by default the repo's .tools/bin.
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const toolsDir = process.env.PNO_TOOLS_DIR ?? fileURLToPath(new URL('../.tools', import.meta.url));

export function toolPath(name: string): string {
  const path = `${toolsDir}/bin/${name}`;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `${name} not found at ${path}: run ./ops test (it builds the local servers) or scripts/tools/ensure-*.sh`,
    );
  }
  return path;
}
