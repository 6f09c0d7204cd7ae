/**
 * `npm run identities -- <environment>`: writes generated/<environment>/azure/identities.env from
 * the `client_ids` output of the applied <environment>-azure stack (for pipelines where the apply
 * ran on another machine than the one that commits the GitOps files). Needs `terraform` and access
 * to the stack's state.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = process.argv[2];
if (!env || !/^[a-z]([a-z0-9-]{0,28}[a-z0-9])?$/.test(env)) {
  process.stderr.write('usage: npm run identities -- <environment>\n');
  process.exit(2);
}
const stack = join('cdktf.out', 'stacks', `${env}-azure`);
let ids: Record<string, string>;
try {
  ids = JSON.parse(execFileSync('terraform', [`-chdir=${stack}`, 'output', '-json', 'client_ids'], { encoding: 'utf8' }));
} catch (e) {
  process.stderr.write(`cannot read the client_ids output of ${stack} (synthesize, init and apply it first): ${(e as Error).message.split('\n')[0]}\n`);
  process.exit(2);
}
const dir = join('generated', env, 'azure');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'identities.env'), Object.keys(ids).sort().map((s) => `${s}=${ids[s]}\n`).join(''));
process.stdout.write(`wrote ${join(dir, 'identities.env')} (${Object.keys(ids).length} identities)\n`);
