import { rmSync } from 'node:fs';

export default function globalTeardown(): void {
  const root = process.env.SECRET_WIRING_EXAMPLE_OUTPUT;
  if (root) rmSync(root, { recursive: true, force: true });
}
