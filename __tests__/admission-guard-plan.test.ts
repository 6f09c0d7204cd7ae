/// <reference path="./setup.ts" />
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadDeclarationFile, parseDeclaration } from '../lib/declaration/load';
import type { Model } from '../lib/declaration/model';
import { planAzureEnvironment } from '../lib/plan/azure-plan';
import { planGcpEnvironment } from '../lib/plan/gcp-plan';
import type { KubernetesObject } from '../lib/kubernetes/objects';
import { AdmissionSimulator } from './support/cel-admission';
import { problemsOf } from './support/fixtures';
import { validateGeneratedObject } from './support/schemas';
import { EXAMPLE, exampleOutput, gitopsObjects } from './support/synth';

const VAULT_PER_SERVICE = join(__dirname, '..', 'examples', 'declarations', 'aks-vault-per-service.yaml');

/** Every object of each environment and cloud of a model, as the plans render them. */
function planned(model: Model): [string, KubernetesObject[]][] {
  return model.environments.flatMap((env) => [
    ...(env.gcp ? [[`${env.name} gcp`, [...planGcpEnvironment(model, env).objects]] as [string, KubernetesObject[]]] : []),
    ...(env.azure ? [[`${env.name} azure`, [...planAzureEnvironment(model, env).objects]] as [string, KubernetesObject[]]] : []),
  ]);
}

const guarded = (objects: readonly KubernetesObject[]) => objects.filter((o) => o.kind === 'SecretStore' || o.kind === 'ExternalSecret');

describe("the guard admits the product's own objects, everywhere it renders", () => {
  test.each([
    ['the example', EXAMPLE],
    ['a vault per service (stores for other services\' vaults, sourceRef entries)', VAULT_PER_SERVICE],
  ])('%s', (_name, file) => {
    for (const [where, objects] of planned(loadDeclarationFile(file))) {
      const stores = guarded(objects);
      if (stores.length === 0) continue;
      const cluster = new AdmissionSimulator(objects);
      for (const o of stores) {
        const outcome = cluster.admit({ operation: 'CREATE', object: o });
        expect({ where, object: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, denials: outcome.denials, applied: outcome.applied.length }).toEqual({
          where,
          object: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
          denials: [],
          applied: 1,
        });
      }
    }
  });

  test("and refuses a service's store authenticating as its neighbour's service account", () => {
    const objects = planned(loadDeclarationFile(EXAMPLE)).find(([w]) => w === 'production gcp')![1];
    const store = objects.find((o) => o.kind === 'SecretStore' && o.metadata.namespace === 'service-a') as any;
    const hostile = { ...store, spec: { provider: { gcpsm: { ...store.spec.provider.gcpsm, auth: { workloadIdentity: { serviceAccountRef: { name: 'service-b-secrets' } } } } } } };
    const outcome = new AdmissionSimulator(objects).admit({ operation: 'CREATE', object: hostile });
    expect(outcome.allowed).toBe(false);
    expect(outcome.denials).toEqual([expect.stringMatching(/service account service-b-secrets is not allowed in namespace service-a; allowed: service-a-secrets/)]);
  });
});

describe('where the guard is rendered', () => {
  test('GKE, and AKS with External Secrets: per cluster, in both deploy modes; not with the CSI driver', () => {
    const model = loadDeclarationFile(EXAMPLE);
    const kinds = (objects: KubernetesObject[]) => objects.filter((o) => o.apiVersion === 'admissionregistration.k8s.io/v1').length;
    const by = Object.fromEntries(planned(model).map(([w, o]) => [w, kinds(o)]));
    // evaluation azure delivers with External Secrets, production azure with the CSI driver.
    expect(by['evaluation gcp']).toBeGreaterThan(0);
    expect(by['production gcp']).toBeGreaterThan(0);
    expect(by['evaluation azure']).toBeGreaterThan(0);
    expect(by['production azure']).toBe(0);

    const out = exampleOutput();
    expect(out.code).toBe(0);
    const yaml = gitopsObjects(out.generated, 'evaluation', 'gcp');
    expect(Object.keys(yaml).filter((k) => k.startsWith('ValidatingAdmissionPolicy')).length).toBe(by['evaluation gcp']);
    const terraform = Object.values<any>(out.stacks['evaluation-gcp-manifests'].resource.kubernetes_manifest).filter((r) => r.manifest.apiVersion === 'admissionregistration.k8s.io/v1');
    // One copy per GKE cluster of the environment (admin, fixed-ip-jobs).
    expect(terraform.length).toBe(2 * by['evaluation gcp']);
    for (const o of Object.values<any>(yaml)) if (['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ConfigMap'].includes(o.kind)) expect(validateGeneratedObject(o)).toEqual([]);
  });

  test('audit mode, ClusterSecretStores by name, and off', () => {
    const decl = parse(readFileSync(EXAMPLE, 'utf8'));
    decl.environments.evaluation.admissionGuard = { validationActions: ['Audit', 'Warn'], clusterSecretStores: ['platform-shared'] };
    decl.environments.production.admissionGuard = { enabled: false };
    const model = parseDeclaration(decl);
    const [[, evaluation], , [, production]] = planned(model);
    const bindings = evaluation.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding') as any[];
    expect(bindings.length).toBeGreaterThan(2);
    for (const b of bindings) expect(b.spec.validationActions).toEqual(['Audit', 'Warn']);
    const css = (name: string) => ({ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name }, spec: { provider: { fake: { data: [] } } } });
    const cluster = new AdmissionSimulator(evaluation);
    expect(cluster.admit({ operation: 'CREATE', object: css('platform-shared') }).warnings).toEqual([]);
    const other = cluster.admit({ operation: 'CREATE', object: css('anything-else') });
    expect(other.allowed).toBe(true);
    expect(other.warnings).toEqual([expect.stringMatching(/anything-else/)]);
    expect(production.filter((o) => o.apiVersion === 'admissionregistration.k8s.io/v1')).toEqual([]);
  });

  test('Deny and Warn together are refused in the declaration', () => {
    const decl = parse(readFileSync(EXAMPLE, 'utf8'));
    decl.environments.evaluation.admissionGuard = { validationActions: ['Deny', 'Warn'] };
    expect(problemsOf(decl)).toEqual([
      expect.objectContaining({ path: ['environments', 'evaluation', 'admissionGuard', 'validationActions'], rule: expect.stringMatching(/^Deny and Warn together are refused by Kubernetes/) }),
    ]);
  });
});
