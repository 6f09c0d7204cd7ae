import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseDeclaration } from '../lib/declaration/load';
import { hashShard } from '../lib/declaration/model';
import { EXAMPLE, type SynthResult, synthExampleWith } from './support/synth';

const synthWith = synthExampleWith;

/** Which stack holds each secret, grant and manifest of an environment: address -> stack. */
function placement(r: SynthResult, env: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [stack, json] of Object.entries<any>(r.stacks)) {
    if (!stack.startsWith(`${env}-`)) continue;
    for (const [type, byName] of Object.entries<any>(json.resource ?? {})) {
      for (const name of Object.keys(byName)) out[`${type}.${name}`] = stack;
    }
  }
  return out;
}

const shard2 = (d: any) => (d.environments.evaluation.sharding = { shards: 2 });

describe('sharded environments', () => {
  const sharded = synthWith(shard2);

  test('stacks: a base per cloud, a stack per shard, and manifests for each, deployed in order', () => {
    const manifest = JSON.parse(readFileSync(join(sharded.root, 'cdktf.out', 'manifest.json'), 'utf8'));
    const deps = Object.fromEntries(Object.entries<any>(manifest.stacks).filter(([n]) => n.startsWith('evaluation-')).map(([n, s]) => [n, s.dependencies]));
    const gcpShard = `evaluation-gcp-${hashShard('service-a', 2)}`;
    expect(deps[gcpShard]).toEqual(['evaluation-gcp']);
    expect(deps[`${gcpShard}-manifests`]).toEqual(['evaluation-gcp-manifests', gcpShard]);
    expect(deps['evaluation-gcp-manifests']).toEqual(['evaluation-gcp']);
    // The base holds what every shard needs: the controllers, no secret.
    expect(Object.keys(sharded.stacks['evaluation-gcp'].resource)).toEqual(['helm_release']);
    expect(sharded.stacks['evaluation-azure'].resource.azurerm_key_vault_secret).toBeUndefined();
    expect(Object.keys(sharded.stacks['evaluation-azure'].resource)).toEqual(expect.arrayContaining(['azurerm_key_vault', 'azurerm_user_assigned_identity', 'azurerm_federated_identity_credential']));
  });

  test('a shard holds the secrets its services own and every grant on them, whoever reads', () => {
    const where = placement(sharded, 'evaluation');
    const a = `evaluation-gcp-${hashShard('service-a', 2)}`;
    expect(where['google_secret_manager_secret.secrets_service-a_FOO_PASSWORD']).toBe(a);
    // service-b's read of service-a's secret lives with the secret.
    expect(where['google_secret_manager_secret_iam_member.secret_accessors_service-b__service-a_FOO_PASSWORD']).toBe(a);
    expect(where['google_secret_manager_secret.secrets_service-b_BAR_PASSWORD']).toBe(`evaluation-gcp-${hashShard('service-b', 2)}`);
  });

  test('the same grants and secrets as without shards, at the same addresses; the access report is identical', () => {
    const plain = synthWith(() => undefined);
    const flat = (r: SynthResult) => Object.keys(placement(r, 'evaluation')).filter((a) => !a.startsWith('kubernetes_manifest')).sort();
    expect(flat(sharded)).toEqual(flat(plain));
    expect(sharded.generated['evaluation/access.json']).toBe(plain.generated['evaluation/access.json']);
  });

  test('adding or removing a service never moves another service’s resources to another stack', () => {
    const before = placement(sharded, 'evaluation');
    const added = placement(
      synthWith((d) => {
        shard2(d);
        d.services['service-c'] = { secrets: { 'secret-c': { BAZ: {} } } };
        d.services['service-d'] = { secrets: { 'secret-d': { QUX: {} } } };
      }),
      'evaluation',
    );
    const removed = placement(
      synthWith((d) => {
        shard2(d);
        delete d.services['demo-batch'];
      }),
      'evaluation',
    );
    for (const [address, stack] of Object.entries(before)) {
      expect([address, added[address]]).toEqual([address, stack]);
      if (!address.includes('demo-batch')) expect([address, removed[address]]).toEqual([address, stack]);
    }
  });

  test('a service may name its shard', () => {
    const where = placement(
      synthWith((d) => {
        shard2(d);
        d.services['service-a'].shard = 'payments';
      }),
      'evaluation',
    );
    expect(where['google_secret_manager_secret.secrets_service-a_FOO_PASSWORD']).toBe('evaluation-gcp-payments');
    expect(where['kubernetes_manifest.admin_ExternalSecret__service-a__secret-a']).toBe('evaluation-gcp-payments-manifests');
  });

  test('the rule is stable: a service keeps its shard whatever else is declared', () => {
    for (const s of ['a', 'service-a', 'payments', 'x'.repeat(40)]) expect(hashShard(s, 8)).toBe(hashShard(s, 8));
    const spread = new Set(Array.from({ length: 200 }, (_, i) => hashShard(`svc-${i}`, 8)));
    expect(spread.size).toBe(8);
  });

  test('a shard over its size bound is refused, naming the shard and the fix', () => {
    const d = parse(readFileSync(EXAMPLE, 'utf8'));
    d.environments.evaluation.sharding = { shards: 1, maxSecretsPerShard: 3 };
    expect(() => parseDeclaration(d)).toThrow(/environments\.evaluation\.sharding: \d+: shard shard-0 would own \d+ remote secrets, more than maxSecretsPerShard \(3\): raise shards/);
  });
});

