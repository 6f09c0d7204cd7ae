/**
 * What the product generates, checked against the upstream schemas vendored in vendor/upstream/
 * (`npm run vendor`): the External Secrets CRDs for every SecretStore and ExternalSecret (as the
 * Terraform stacks apply them and as the GitOps YAML writes them), and the External Secrets
 * chart's values schema for the controller's Helm values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadDeclarationFile } from '../lib/declaration/load';
import { planGcpEnvironment, type GcpEnvironmentPlan } from '../lib/plan/gcp-plan';
import { renderGitOps } from '../lib/kubernetes/gitops-yaml';
import type { KubernetesObject } from '../lib/kubernetes/objects';
import {
  EXTERNAL_SECRETS_VALUES_YAML,
  EXTERNAL_SECRET_CRD,
  SECRET_STORE_CRD,
  externalSecretsDefaultValues,
  helmValuesErrors,
  loadCrd,
  validateExternalSecretsObject,
} from './support/schemas';

const model = loadDeclarationFile(join(__dirname, '..', 'secrets.yaml'));
const environments = model.environments.filter((e) => e.gcp !== undefined);
const plans: ReadonlyMap<string, GcpEnvironmentPlan> = new Map(environments.map((env) => [env.name, planGcpEnvironment(model, env)]));
const planOf = (name: string): GcpEnvironmentPlan => plans.get(name)!;

const isExternalSecretsObject = (o: { apiVersion?: unknown }) => typeof o.apiVersion === 'string' && o.apiVersion.startsWith('external-secrets.io/');

/** Value at a dotted path, or undefined. */
function at(value: unknown, path: string): unknown {
  let v = value;
  for (const seg of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

/** A generated object of a kind, deep-copied so that a test may change it. */
function sample(kind: string): Record<string, unknown> & KubernetesObject {
  for (const plan of plans.values()) {
    const found = plan.objects.find((o) => o.kind === kind);
    if (found) return structuredClone(found) as Record<string, unknown> & KubernetesObject;
  }
  throw new Error(`no generated ${kind}`);
}

function set(obj: unknown, path: string, value: unknown): void {
  const segs = path.split('.');
  const parent = at(obj, segs.slice(0, -1).join('.')) as Record<string, unknown>;
  parent[segs[segs.length - 1]] = value;
}

it('the example declaration has Google Cloud environments to check', () => {
  expect(environments.map((e) => e.name).length).toBeGreaterThan(0);
});

describe.each(environments.map((e) => e.name))('environment %s', (envName) => {
  it('every external-secrets.io object validates against the served CRD version', () => {
    const checked: Record<string, number> = {};
    for (const o of planOf(envName).objects) {
      if (!isExternalSecretsObject(o)) continue;
      const errors = validateExternalSecretsObject(o);
      expect({ object: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, errors }).toEqual({
        object: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
        errors: [],
      });
      checked[o.kind] = (checked[o.kind] ?? 0) + 1;
    }
    // Not vacuous: both kinds were generated and checked.
    expect(checked.SecretStore).toBeGreaterThanOrEqual(1);
    expect(checked.ExternalSecret).toBeGreaterThanOrEqual(1);
  });

  it('the controller Helm values validate against the chart', () => {
    expect(helmValuesErrors(planOf(envName).controller!.values)).toEqual([]);
  });

  it('the controller Helm values turn on probes and metrics services', () => {
    const values = planOf(envName).controller!.values;
    expect(at(values, 'livenessProbe.enabled')).toBe(true);
    expect(at(values, 'readinessProbe.enabled')).toBe(true);
    expect(at(values, 'metrics.service.enabled')).toBe(true);
    for (const component of ['webhook', 'certController']) {
      expect({ component, liveness: at(values, `${component}.livenessProbe.enabled`) }).toEqual({ component, liveness: true });
      expect({ component, readiness: at(values, `${component}.readinessProbe.enabled`) }).toEqual({ component, readiness: true });
      expect({ component, metrics: at(values, `${component}.metrics.service.enabled`) }).toEqual({ component, metrics: true });
    }
  });

  it('every component requests resources, and the webhook runs two replicas with a disruption budget that keeps one', () => {
    const values = planOf(envName).controller!.values;
    for (const path of ['resources', 'webhook.resources', 'certController.resources']) {
      const requests = at(values, `${path}.requests`) as Record<string, string>;
      expect([path, Object.keys(requests ?? {}).sort()]).toEqual([path, ['cpu', 'memory']]);
      expect([path, at(values, `${path}.limits`)]).toEqual([path, undefined]);
    }
    expect(at(values, 'webhook.replicaCount')).toBe(2);
    expect(at(values, 'webhook.podDisruptionBudget')).toEqual({ enabled: true, minAvailable: 1 });
    // Keys the chart has (values.yaml), so none is silently ignored.
    const defaults = externalSecretsDefaultValues() as Record<string, any>;
    expect(defaults.webhook.replicaCount).toBe(1);
    expect(defaults.webhook.podDisruptionBudget.enabled).toBe(false);
  });

  it('the GitOps YAML is the plan, and its external-secrets.io objects validate', () => {
    const objects = planOf(envName).objects;
    const files = renderGitOps(objects);
    const objectFiles = Object.keys(files).filter((p) => p !== 'kustomization.yaml' && !p.endsWith('/kustomization.yaml'));
    const matched = new Set<KubernetesObject>();
    let validated = 0;
    for (const path of objectFiles) {
      const parsed = parse(files[path]) as KubernetesObject;
      const candidates = objects.filter(
        (o) => o.kind === parsed.kind && o.metadata.name === parsed.metadata?.name && o.metadata.namespace === parsed.metadata?.namespace,
      );
      expect({ path, matches: candidates.length }).toEqual({ path, matches: 1 });
      expect(parsed).toStrictEqual(candidates[0]);
      matched.add(candidates[0]);
      if (isExternalSecretsObject(parsed)) {
        expect({ path, errors: validateExternalSecretsObject(parsed) }).toEqual({ path, errors: [] });
        validated += 1;
      }
    }
    // Every object has exactly one file, and the kustomization lists exactly those files.
    expect(matched.size).toBe(objects.length);
    expect(objectFiles).toHaveLength(objects.length);
    const kustomization = parse(files['kustomization.yaml']) as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual([...objectFiles].sort());
    expect(validated).toBe(objects.filter(isExternalSecretsObject).length);
    expect(validated).toBeGreaterThanOrEqual(2);
  });
});

describe('the vendored upstream schemas', () => {
  it('serve external-secrets.io/v1 for both kinds the product generates', () => {
    expect(loadCrd(SECRET_STORE_CRD)).toMatchObject({ kind: 'SecretStore', apiVersion: 'external-secrets.io/v1' });
    expect(loadCrd(EXTERNAL_SECRET_CRD)).toMatchObject({ kind: 'ExternalSecret', apiVersion: 'external-secrets.io/v1' });
  });

  it('ship the probes and metrics services off, so the product changes those defaults', () => {
    const defaults: unknown = parse(readFileSync(EXTERNAL_SECRETS_VALUES_YAML, 'utf8'));
    expect(at(defaults, 'livenessProbe.enabled')).toBe(false);
    expect(at(defaults, 'readinessProbe.enabled')).toBe(false);
    expect(at(defaults, 'metrics.service.enabled')).toBe(false);
  });
});

describe('the validators reject what the upstream schemas reject', () => {
  it('a generated ExternalSecret and SecretStore are valid before being broken', () => {
    expect(validateExternalSecretsObject(sample('ExternalSecret'))).toEqual([]);
    expect(validateExternalSecretsObject(sample('SecretStore'))).toEqual([]);
  });

  it('an ExternalSecret with an unknown creationPolicy', () => {
    const es = sample('ExternalSecret');
    set(es, 'spec.target.creationPolicy', 'Sometimes');
    expect(validateExternalSecretsObject(es)).toEqual([expect.stringContaining('/spec/target/creationPolicy must be one of')]);
  });

  it('a SecretStore with a misspelt gcpsm field (projectId for projectID)', () => {
    // The CRD declares no additionalProperties: false; the API server still drops or (strict field
    // validation) refuses undeclared fields, which the validator reproduces.
    const store = sample('SecretStore');
    const gcpsm = at(store, 'spec.provider.gcpsm') as Record<string, unknown>;
    gcpsm.projectId = gcpsm.projectID;
    delete gcpsm.projectID;
    expect(validateExternalSecretsObject(store)).toEqual(['/spec/provider/gcpsm must NOT have the unknown field "projectId"']);
  });

  it('a SecretStore with a service account name of the wrong type', () => {
    const store = sample('SecretStore');
    set(store, 'spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef.name', 5);
    expect(validateExternalSecretsObject(store)).toEqual(['/spec/provider/gcpsm/auth/workloadIdentity/serviceAccountRef/name must be string']);
  });

  it('an object with an apiVersion that is no longer served', () => {
    const es = { ...sample('ExternalSecret'), apiVersion: 'external-secrets.io/v1beta1' };
    expect(validateExternalSecretsObject(es)).toEqual([expect.stringContaining('/apiVersion must be "external-secrets.io/v1"')]);
  });

  it('a kind without a vendored CRD throws', () => {
    expect(() => validateExternalSecretsObject({ ...sample('SecretStore'), kind: 'ClusterSecretStore' })).toThrow(/no vendored external-secrets.io CRD/);
  });

  it('Helm values with an unknown path', () => {
    expect(helmValuesErrors({ livenessProbe: { enabeld: true } })).toEqual([expect.stringContaining('/livenessProbe/enabeld is not a value of the chart')]);
  });

  it('Helm values with a type error', () => {
    expect(helmValuesErrors({ replicaCount: 'two' })).toEqual(['/replicaCount must be integer']);
  });

  it('Helm values under a free-form mapping of the chart are accepted', () => {
    expect(helmValuesErrors({ podAnnotations: { 'example.com/any': 'x' }, metrics: { service: { annotations: { a: 'b' } } } })).toEqual([]);
  });
});
