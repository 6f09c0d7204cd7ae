/**
 * `npm run identities -- <environment>`: writes the client ids Azure assigned into the GitOps files
 * (generated/<environment>/azure/identities.env, or one per cluster with the AKS add-on identity),
 * from the outputs of the applied <environment>-azure stack: `client_ids` (a managed identity per
 * service) or `addon_client_ids` (the add-on identity of each cluster). Commit them with the rest of
 * generated/. Needs `terraform` and access to the stack's state; changes no Terraform resource.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = process.argv[2];
if (!env || !/^[a-z]([a-z0-9-]{0,28}[a-z0-9])?$/.test(env)) {
  process.stderr.write('usage: secret-wiring identities <environment>\n');
  process.exit(2);
}
const stack = join('cdktf.out', 'stacks', `${env}-azure`);
const terraform = process.env.TERRAFORM ?? 'terraform';
let outputs: Record<string, { value: unknown }>;
try {
  outputs = JSON.parse(execFileSync(terraform, [`-chdir=${stack}`, 'output', '-json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
} catch (e) {
  process.stderr.write(`cannot read the outputs of ${stack} (synthesize, init and apply it first): ${(e as Error).message.split('\n')[0]}\n`);
  process.exit(2);
}
const dir = join('generated', env, 'azure');
const write = (file: string, lines: string[]): void => {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, lines.join(''));
  process.stdout.write(`wrote ${file} (${lines.length} ${lines.length === 1 ? 'identity' : 'identities'})\n`);
};
const services = outputs.client_ids?.value as Record<string, string> | undefined;
const clusters = outputs.addon_client_ids?.value as Record<string, string> | undefined;
if (services) {
  write(join(dir, 'identities.env'), Object.keys(services).sort().map((s) => `${s}=${services[s]}\n`));
} else if (clusters) {
  for (const c of Object.keys(clusters).sort()) write(join(dir, c, 'identities.env'), [`aks-addon=${clusters[c]}\n`]);
} else {
  process.stderr.write(`${stack} has no client_ids or addon_client_ids output: its manifests need no client id\n`);
  process.exit(2);
}
