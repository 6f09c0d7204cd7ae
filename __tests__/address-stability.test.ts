import { Testing } from 'cdktf';
import { parseDeclaration } from '../lib/declaration/load';
import { planGcpEnvironment } from '../lib/plan/gcp-plan';
import { GcpEnvironmentStack } from '../stacks/gcp-environment-stack';
import { GcpManifestsStack } from '../stacks/gcp-manifests-stack';
import { baseDeclaration, declarationWith } from './support/fixtures';

/** Synthesized stacks of the evaluation environment. */
function synth(decl: unknown): Record<string, any> {
  const model = parseDeclaration(decl);
  const plan = planGcpEnvironment(model, model.environments.find((e) => e.name === 'evaluation')!);
  const app = Testing.app();
  return {
    cloud: JSON.parse(Testing.synth(new GcpEnvironmentStack(app, 'evaluation-gcp', plan))),
    manifests: JSON.parse(Testing.synth(new GcpManifestsStack(app, 'evaluation-gcp-manifests', plan))),
  };
}

/** Every resource block as "type.name" -> its content. */
function addresses(stacks: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const stack of Object.values(stacks)) {
    for (const [type, byName] of Object.entries<any>(stack.resource ?? {})) {
      for (const [name, r] of Object.entries<any>(byName)) {
        if (r.for_each) for (const [k, v] of Object.entries(r.for_each)) out[`${type}.${name}[${JSON.stringify(k)}]`] = v;
        else out[`${type}.${name}`] = { ...r, '//': undefined };
      }
    }
  }
  return out;
}

function reversed<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).reverse());
}

test('reordering every map and list of the declaration changes nothing', () => {
  const d: any = baseDeclaration();
  const r: any = { environments: reversed(d.environments), services: reversed(d.services) };
  for (const env of Object.values<any>(r.environments)) env.gcp.clusters = [...env.gcp.clusters].reverse();
  for (const s of Object.values<any>(r.services)) {
    s.secrets = reversed(s.secrets);
    for (const k of Object.keys(s.secrets)) s.secrets[k] = reversed(s.secrets[k]);
  }
  expect(JSON.stringify(synth(r))).toBe(JSON.stringify(synth(d)));
});

test('adding a service and a key leaves every other address and its content untouched', () => {
  const before = addresses(synth(baseDeclaration()));
  const after = addresses(
    synth(
      declarationWith((d) => {
        d.services['service-0'] = { secrets: { early: { AAA: {} } } };
        d.services['service-a'].secrets['secret-a'].AAA_FIRST = {};
      }),
    ),
  );
  const changed = Object.keys(before).filter((a) => JSON.stringify(after[a]) !== JSON.stringify(before[a]));
  // Only service-a's ExternalSecret changes content (it gains a key), in each cluster, at the same address.
  expect(changed).toEqual([
    'kubernetes_manifest.admin_ExternalSecret__service-a__secret-a',
    'kubernetes_manifest.jobs_ExternalSecret__service-a__secret-a',
  ]);
  const added = Object.keys(after).filter((a) => !(a in before));
  // The new secrets, their grants, and the new service's objects in both clusters, nothing else;
  // service-a's ExternalSecret changes content (it gains a key) and keeps its address.
  expect(added.filter((a) => a.startsWith('google_secret_manager_secret.'))).toEqual([
    'google_secret_manager_secret.secrets_service-0_AAA',
    'google_secret_manager_secret.secrets_service-a_AAA_FIRST',
  ]);
  expect(added.filter((a) => a.startsWith('google_secret_manager_secret_iam_member.'))).toEqual([
    'google_secret_manager_secret_iam_member.secret_accessors_service-0__service-0_AAA',
    'google_secret_manager_secret_iam_member.secret_accessors_service-a__service-a_AAA_FIRST',
  ]);
});

test('removing a service removes only its own addresses', () => {
  const before = addresses(synth(baseDeclaration()));
  const after = addresses(
    synth(
      declarationWith((d) => {
        delete d.services['service-b'];
      }),
    ),
  );
  const removed = Object.keys(before).filter((a) => !(a in after));
  expect(removed.every((a) => a.includes('service-b'))).toBe(true);
  for (const a of Object.keys(after)) expect(after[a]).toEqual(before[a]);
});
