import fc from 'fast-check';
import { Testing } from 'cdktf';
import { parseDeclaration } from '../lib/declaration/load';
import { planGcpEnvironment } from '../lib/plan/gcp-plan';
import { planAzureEnvironment } from '../lib/plan/azure-plan';
import { GcpEnvironmentStack } from '../stacks/gcp-environment-stack';
import { GcpManifestsStack } from '../stacks/gcp-manifests-stack';
import { AzureEnvironmentStack } from '../stacks/azure-environment-stack';
import { AzureManifestsStack } from '../stacks/azure-manifests-stack';

const GUID = '00000000-0000-0000-0000-000000000000';

/** Every for_each instance (and plain resource) of the stacks of one environment, by address. */
function addresses(decl: unknown): Record<string, string> {
  const model = parseDeclaration(decl);
  const env = model.environments[0];
  const app = Testing.app();
  const stacks = [];
  if (env.gcp) {
    const plan = planGcpEnvironment(model, env);
    stacks.push(new GcpEnvironmentStack(app, 'g', plan), new GcpManifestsStack(app, 'gm', plan));
  }
  if (env.azure) {
    const plan = planAzureEnvironment(model, env);
    stacks.push(new AzureEnvironmentStack(app, 'a', plan), new AzureManifestsStack(app, 'am', plan));
  }
  const out: Record<string, string> = {};
  for (const stack of stacks) {
    const json = JSON.parse(Testing.synth(stack));
    for (const [type, byName] of Object.entries<any>(json.resource ?? {})) {
      for (const [name, r] of Object.entries<any>(byName)) {
        if (r.for_each) for (const [k, v] of Object.entries(r.for_each)) out[`${stack.node.id}:${type}.${name}[${JSON.stringify(k)}]`] = JSON.stringify(v);
        else out[`${stack.node.id}:${type}.${name}`] = JSON.stringify({ ...r, '//': undefined });
      }
    }
  }
  return out;
}

const name = fc.stringMatching(/^[a-z][a-z0-9]{1,6}$/);
const keyName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/);

/** A service: its Kubernetes Secrets and their keys (owned secrets only). */
const serviceArb = fc.dictionary(name, fc.uniqueArray(keyName, { minLength: 1, maxLength: 3 }), { minKeys: 1, maxKeys: 2 });

/** Declarations of 1-5 services on one platform, some reading another's key with from. */
const declarationArb = fc
  .record({
    platform: fc.constantFrom('gcp', 'azure'),
    services: fc.dictionary(name.map((n) => `svc-${n}`), serviceArb, { minKeys: 1, maxKeys: 5 }),
    froms: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
  })
  .map(({ platform, services, froms }) => {
    const names = Object.keys(services);
    const decl: any = {
      environments: {
        prod: platform === 'gcp'
          ? { gcp: { project: 'demo-project', projectNumber: '111111111111', clusters: [{ name: 'one', location: 'asia-northeast1' }, { name: 'two', location: 'asia-northeast1' }] } }
          : { azure: { tenantId: GUID, subscriptionId: GUID, location: 'japaneast', resourceGroup: 'rg', keyVault: { name: 'vault-prop' }, clusters: [{ name: 'one' }], delivery: 'externalSecrets' } },
      },
      services: {},
    };
    for (const n of names) {
      decl.services[n] = { platform, secrets: {} };
      for (const [secret, keys] of Object.entries(services[n])) decl.services[n].secrets[secret] = Object.fromEntries(keys.map((k) => [k, {}]));
    }
    // Cross-service reads, each into a Kubernetes Secret of its own.
    froms.forEach(([a, b], i) => {
      const reader = names[a % names.length];
      const owner = names[b % names.length];
      if (reader === owner) return;
      const [secret, keys] = Object.entries<any>(decl.services[owner].secrets)[0];
      decl.services[reader].secrets[`shared${i}`] = { [`FROM_${Object.keys(keys)[0]}`]: { from: `${owner}/${secret}/${Object.keys(keys)[0]}` } };
    });
    return decl;
  });

const reorder = (o: any): any =>
  Array.isArray(o) ? o : o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).reverse().map(([k, v]) => [k, reorder(v)])) : o;

describe('addresses are stable under additions, removals and reorderings (property-based)', () => {
  test('reordering every map gives identical output', () => {
    fc.assert(
      fc.property(declarationArb, (decl) => {
        expect(addresses(reorder(decl))).toEqual(addresses(decl));
      }),
      { numRuns: 6, seed: 42 },
    );
  });

  test('adding a service leaves every other address and its content untouched', () => {
    fc.assert(
      fc.property(declarationArb, serviceArb, (decl, extra) => {
        const before = addresses(decl);
        const more = JSON.parse(JSON.stringify(decl));
        const platform = Object.values<any>(decl.services)[0].platform;
        more.services['zz-new'] = { platform, secrets: Object.fromEntries(Object.entries(extra).map(([s, keys]) => [s, Object.fromEntries(keys.map((k) => [k, {}]))])) };
        const after = addresses(more);
        for (const [address, content] of Object.entries(before)) {
          // The identities file lists every identity by design; everything else must stay as it was.
          if (address.includes('zz-new') || address.includes('local_file.gitops_identities')) continue;
          expect([address, after[address]]).toEqual([address, content]);
        }
      }),
      { numRuns: 6, seed: 7 },
    );
  });

  test('removing a service nobody reads removes only its own addresses', () => {
    fc.assert(
      fc.property(declarationArb, fc.nat(), (decl, pick) => {
        const names = Object.keys(decl.services);
        const read = new Set(JSON.stringify(decl).match(/"from":"([^/]+)\//g)?.map((m) => m.slice(8, -1)) ?? []);
        const removable = names.filter((n) => !read.has(n));
        fc.pre(removable.length > 0 && names.length > 1);
        const gone = removable[pick % removable.length];
        const less = JSON.parse(JSON.stringify(decl));
        delete less.services[gone];
        for (const other of Object.values<any>(less.services)) {
          for (const [s, keys] of Object.entries<any>(other.secrets)) if (Object.values<any>(keys).some((k) => k.from?.startsWith(`${gone}/`))) delete other.secrets[s];
        }
        const before = addresses(decl);
        const after = addresses(less);
        for (const [address, content] of Object.entries(after)) {
          if (address.includes('local_file.gitops_identities')) continue;
          expect([address, content]).toEqual([address, before[address]]);
        }
        for (const address of Object.keys(before).filter((a) => !(a in after))) expect(address).toContain(gone);
      }),
      { numRuns: 6, seed: 3 },
    );
  });
});

