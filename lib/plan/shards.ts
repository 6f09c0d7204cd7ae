/**
 * Splitting an environment's plan into shards: each shard gets the secrets its services own, the
 * grants on those secrets (a grant lives with its secret, whoever reads it), and its services'
 * manifests; what every shard needs (controllers, identities, namespaces, monitoring) stays in
 * the base. Plain data, no cdktf.
 */
import type { KubernetesObject } from '../kubernetes/objects';
import { SERVICE_LABEL } from '../kubernetes/objects';
import type { GcpEnvironmentPlan } from './gcp-plan';
import type { AzureEnvironmentPlan } from './azure-plan';

export interface Shard<P> {
  readonly name: string;
  readonly plan: P;
}

function serviceOf(o: KubernetesObject): string | undefined {
  return o.metadata.labels?.[SERVICE_LABEL];
}

function pick<T>(record: Readonly<Record<string, T>>, keep: (v: T) => boolean): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => keep(v)));
}

/** The shards of a GCP plan (sorted by name) and the base that every shard relies on. */
export function splitGcpPlan(plan: GcpEnvironmentPlan, shardOf: Readonly<Record<string, string>>): { base: GcpEnvironmentPlan; shards: Shard<GcpEnvironmentPlan>[] } {
  const names = [...new Set(Object.values(shardOf))].sort();
  const owner = (secretId: string) => shardOf[plan.secrets[secretId]?.service];
  const base: GcpEnvironmentPlan = { ...plan, secrets: {}, grants: {}, objects: plan.objects.filter((o) => !serviceOf(o)) };
  const shards = names.map((name) => ({
    name,
    plan: {
      ...plan,
      secrets: pick(plan.secrets, (s) => shardOf[s.service] === name),
      grants: pick(plan.grants, (g) => owner(g.secretId) === name),
      objects: plan.objects.filter((o) => serviceOf(o) !== undefined && shardOf[serviceOf(o)!] === name),
    },
  }));
  return { base, shards };
}

/** The shards of an Azure plan (sorted by name) and the base that every shard relies on. */
export function splitAzurePlan(plan: AzureEnvironmentPlan, shardOf: Readonly<Record<string, string>>): { base: AzureEnvironmentPlan; shards: Shard<AzureEnvironmentPlan>[] } {
  const names = [...new Set(Object.values(shardOf))].sort();
  const owner = (name: string) => shardOf[plan.secrets[name]?.service];
  const base: AzureEnvironmentPlan = { ...plan, secrets: {}, roleAssignments: {}, objects: plan.objects.filter((o) => !serviceOf(o)) };
  const shards = names.map((name) => ({
    name,
    plan: {
      ...plan,
      secrets: pick(plan.secrets, (s) => shardOf[s.service] === name),
      roleAssignments: pick(plan.roleAssignments, (a) => owner(a.secretName) === name),
      identities: pick(plan.identities, (i) => shardOf[i.service] === name),
      objects: plan.objects.filter((o) => serviceOf(o) !== undefined && shardOf[serviceOf(o)!] === name),
    },
  }));
  return { base, shards };
}
