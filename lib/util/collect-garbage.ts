import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;


/**
 * A full garbage collection, between the phases of a large synthesis: each phase (parsing, the
 * cdktf synthesis, each environment's generated files) leaves its garbage behind, and collecting
 * it before the next keeps peak memory near what is live instead of the sum of the phases. Uses
 * V8's gc function (exposed at run time); a no-op where it cannot be had.
 */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = () => undefined;
    }
  }
  gc();
}
