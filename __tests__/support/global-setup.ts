import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../stacks/synthesize';
import { exampleWithBothModes } from './example';

/** Synthesizes the repository example (both manifest modes) once for every test file that only reads it. */
export default function globalSetup(): void {
  const root = mkdtempSync(join(tmpdir(), 'example-output-'));
  writeFileSync(join(root, 'secrets.yaml'), exampleWithBothModes());
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = synthesize({ declarationFile: 'secrets.yaml', root, log: (l) => stdout.push(l), error: (l) => stderr.push(l) });
  writeFileSync(join(root, 'result.json'), JSON.stringify({ code, stdout, stderr }));
  process.env.SECRET_WIRING_EXAMPLE_OUTPUT = root;
}
