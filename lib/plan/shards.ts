/**
 * Splitting an environment's plan into shards: each shard gets the secrets its services own (and
 * on Azure their own vaults), the grants on those secrets (a grant lives with its secret, whoever
 * reads it), and its services' manifests; what every shard needs (controllers, identities, namespaces, monitoring) stays in
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

/** Splits a record by the shard of each entry, in one pass, keeping key order. */
function groupBy<T>(record: Readonly<Record<string, T>>, shardOf: (v: T) => string | undefined): Map<string, Record<string, T>> {
  const out = new Map<string, Record<string, T>>();
  for (const [k, v] of Object.entries(record)) {
    const shard = shardOf(v);
    if (shard === undefined) continue;
    let group = out.get(shard);
    if (!group) out.set(shard, (group = {}));
    group[k] = v;
  }
  return out;
}

function groupObjects(objects: readonly KubernetesObject[], shardOf: Readonly<Record<string, string>>): Map<string, KubernetesObject[]> {
  const out = new Map<string, KubernetesObject[]>();
  for (const o of objects) {
    const service = serviceOf(o);
    if (service === undefined) continue;
    const shard = shardOf[service];
    let group = out.get(shard);
    if (!group) out.set(shard, (group = []));
    group.push(o);
  }
  return out;
}

/** The shards of a GCP plan (sorted by name) and the base that every shard relies on. */
export function splitGcpPlan(plan: GcpEnvironmentPlan, shardOf: Readonly<Record<string, string>>): { base: GcpEnvironmentPlan; shards: Shard<GcpEnvironmentPlan>[] } {
  const names = [...new Set(Object.values(shardOf))].sort();
  const owner = (secretId: string) => shardOf[plan.secrets[secretId]?.service];
  const base: GcpEnvironmentPlan = { ...plan, secrets: {}, grants: {}, objects: plan.objects.filter((o) => !serviceOf(o)) };
  const secrets = groupBy(plan.secrets, (s) => shardOf[s.service]);
  const grants = groupBy(plan.grants, (g) => owner(g.secretId));
  const objects = groupObjects(plan.objects, shardOf);
  const shards = names.map((name) => ({
    name,
    plan: { ...plan, secrets: secrets.get(name) ?? {}, grants: grants.get(name) ?? {}, objects: objects.get(name) ?? [] },
  }));
  return { base, shards };
}

/** The shards of an Azure plan (sorted by name) and the base that every shard relies on. */
export function splitAzurePlan(plan: AzureEnvironmentPlan, shardOf: Readonly<Record<string, string>>): { base: AzureEnvironmentPlan; shards: Shard<AzureEnvironmentPlan>[] } {
  const names = [...new Set(Object.values(shardOf))].sort();
  const owner = (name: string) => shardOf[plan.secrets[name]?.service];
  // A service's own vault (with its read access) lives in the shard of the service, with its secrets.
  const base: AzureEnvironmentPlan = { ...plan, secrets: {}, roleAssignments: {}, vaults: {}, vaultReaders: {}, objects: plan.objects.filter((o) => !serviceOf(o)) };
  const vaults = groupBy(plan.vaults, (v) => shardOf[v.service]);
  const vaultReaders = groupBy(plan.vaultReaders, (r) => shardOf[r.service]);
  const secrets = groupBy(plan.secrets, (s) => shardOf[s.service]);
  const assignments = groupBy(plan.roleAssignments, (a) => owner(a.secretName));
  const identities = groupBy(plan.identities, (i) => shardOf[i.service]);
  const objects = groupObjects(plan.objects, shardOf);
  const shards = names.map((name) => ({
    name,
    plan: {
      ...plan,
      secrets: secrets.get(name) ?? {},
      roleAssignments: assignments.get(name) ?? {},
      vaults: vaults.get(name) ?? {},
      vaultReaders: vaultReaders.get(name) ?? {},
      identities: identities.get(name) ?? {},
      objects: objects.get(name) ?? [],
    },
  }));
  return { base, shards };
}
