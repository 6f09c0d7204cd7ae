import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseDeclaration } from '../lib/declaration/load';
import { EXAMPLE, synthExampleWith } from './support/synth';

const synthWith = synthExampleWith;

const shard2 = (d: any) => (d.environments.evaluation.sharding = { shards: 2 });

describe('sharding from review', () => {
  test("a service's shard applies only where the environment declares sharding", () => {
    const r = synthWith((d) => (d.services['service-a'].shard = 'payments'));
    expect(Object.keys(r.stacks).some((s) => s.includes('payments'))).toBe(false);
    expect(Object.keys(r.stacks)).toContain('evaluation-gcp-manifests');
  });

  test('shard names that would collide with stack names are refused', () => {
    const d = parse(readFileSync(EXAMPLE, 'utf8'));
    shard2(d);
    d.services['service-a'].shard = 'team-manifests';
    expect(() => parseDeclaration(d)).toThrow(/services\.service-a\.shard: "team-manifests": a shard name may not be or end with manifests/);
  });

  test('a sharded environment with the AKS add-on identity and a cross-shard from passes the rule pack', () => {
    synthWith((d) => {
      d.environments.production.sharding = { shards: 2 };
      Object.assign(d.environments.production.azure, { identity: 'aksAddonIdentity' });
      d.services['demo-batch'].shard = 'batch';
    });
  });

  test('with movedBlocks, objects move from every earlier address in a chain: objects, then identity objects, then their own block', () => {
    const r = synthWith((d) => (d.environments.evaluation.movedBlocks = true));
    const moved = r.stacks['evaluation-azure-manifests'].moved;
    expect(moved).toEqual(
      expect.arrayContaining([
        {
          from: 'kubernetes_manifest.aks_my-aks-key-vault-eval_objects["ServiceAccount/demo/demo-secrets"]',
          to: 'kubernetes_manifest.aks_my-aks-key-vault-eval_identity_objects["ServiceAccount/demo/demo-secrets"]',
        },
        {
          from: 'kubernetes_manifest.aks_my-aks-key-vault-eval_identity_objects["ServiceAccount/demo/demo-secrets"]',
          to: 'kubernetes_manifest.aks_my-aks-key-vault-eval_ServiceAccount__demo__demo-secrets',
        },
        { from: 'kubernetes_manifest.aks_my-aks-key-vault-eval_namespaces["Namespace/demo"]', to: 'kubernetes_manifest.aks_my-aks-key-vault-eval_Namespace__demo' },
      ]),
    );
    // Environments that do not ask for them carry none.
    expect(r.stacks['production-azure-manifests'].moved).toBeUndefined();
  });
});

test("a shard's manifests wait for the shards whose secrets its services read with from", () => {
  const r = synthWith((d) => {
    shard2(d);
    d.services['service-a'].shard = 'owner';
    d.services['service-b'].shard = 'reader';
  });
  const manifest = JSON.parse(readFileSync(join(r.root, 'cdktf.out', 'manifest.json'), 'utf8'));
  expect(manifest.stacks['evaluation-gcp-reader-manifests'].dependencies.sort()).toEqual(['evaluation-gcp-manifests', 'evaluation-gcp-owner', 'evaluation-gcp-reader']);
});
