/**
 * What one environment's plans will create and how often its controllers will call the clouds:
 * the figures its budgets are made of. Counted from the plans themselves, so the budget cannot
 * disagree with what deploys. Plain data, no cdktf.
 */
import { durationSeconds, type EnvironmentModel, type Model } from '../declaration/model';
import type { KubernetesObject } from '../kubernetes/objects';
import type { AzureEnvironmentPlan } from '../plan/azure-plan';
import type { GcpEnvironmentPlan } from '../plan/gcp-plan';
import { splitAzurePlan, splitGcpPlan } from '../plan/shards';

/** Reads a stack's refresh makes. */
export interface StackReads {
  readonly stack: string;
  readonly reads: number;
  /** Remote secrets the stack owns. */
  readonly secrets: number;
}

export interface AzureUsage {
  readonly subscriptionId: string;
  readonly reservedRoleAssignments: number;
  /** Every role assignment the environment creates: per secret, per vault, the deployer's. */
  readonly roleAssignments: number;
  /** Federated credentials of each managed identity (one per cluster); 0 without workload identity. */
  readonly federatedPerIdentity: number;
  /** Requests the controllers make of each vault, per 10 seconds. */
  readonly vaultRequests: readonly { readonly vault: string; readonly per10s: number }[];
  /** Azure Resource Manager reads of each stack's refresh. */
  readonly stacks: readonly StackReads[];
}

export interface GcpUsage {
  readonly project: string;
  /** The secret with the most principals in its IAM policy. */
  readonly mostMembers?: { readonly secretId: string; readonly members: number };
  /** External Secrets access requests per minute (keys x clusters / refresh interval). */
  readonly accessPerMinute: number;
  /** Secret Manager reads of each stack's refresh (secrets and their IAM policies). */
  readonly stacks: readonly StackReads[];
}

export interface EnvironmentUsage {
  readonly environment: string;
  readonly gcp?: GcpUsage;
  readonly azure?: AzureUsage;
}

const spec = (o: KubernetesObject) => (o as { spec?: any }).spec;

/** Shard of each service of one platform in a sharded environment. */
function shardsOf(model: Model, env: EnvironmentModel, platform: 'gcp' | 'azure'): Record<string, string> | undefined {
  if (!env.shards) return undefined;
  return Object.fromEntries(Object.entries(env.shards).filter(([s]) => model.services.find((x) => x.name === s)?.platform === platform));
}

/** External Secrets reads per second of every ExternalSecret entry (each read once per refresh, in every cluster). */
function externalSecretReads(objects: readonly KubernetesObject[], clusters: number, storeOf: (o: KubernetesObject, entry: any) => string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of objects) {
    if (o.kind !== 'ExternalSecret') continue;
    const seconds = durationSeconds(String(spec(o)?.refreshInterval ?? '1h'));
    if (!(seconds > 0)) continue;
    for (const d of spec(o)?.data ?? []) {
      const target = storeOf(o, d) ?? '';
      out.set(target, (out.get(target) ?? 0) + clusters / seconds);
    }
  }
  return out;
}

export function gcpUsage(model: Model, env: EnvironmentModel, plan: GcpEnvironmentPlan): GcpUsage {
  const members = new Map<string, number>();
  for (const g of Object.values(plan.grants)) members.set(g.secretId, (members.get(g.secretId) ?? 0) + 1);
  let mostMembers: GcpUsage['mostMembers'];
  for (const [secretId, n] of members) if (!mostMembers || n > mostMembers.members) mostMembers = { secretId, members: n };
  const perSecond = [...externalSecretReads(plan.objects, plan.clusters.length, () => plan.project).values()].reduce((a, b) => a + b, 0);
  const prefix = `${env.name}-gcp`;
  const shardOf = shardsOf(model, env, 'gcp');
  const split = shardOf ? splitGcpPlan(plan, shardOf) : undefined;
  const parts = split ? [{ stack: prefix, plan: split.base }, ...split.shards.map((s) => ({ stack: `${prefix}-${s.name}`, plan: s.plan }))] : [{ stack: prefix, plan }];
  return {
    project: plan.project,
    mostMembers,
    accessPerMinute: perSecond * 60,
    // Each secret's metadata and its IAM policy (one read per accessor member resource).
    stacks: parts.map((p) => ({ stack: p.stack, secrets: Object.keys(p.plan.secrets).length, reads: Object.keys(p.plan.secrets).length + Object.keys(p.plan.grants).length })),
  };
}

export function azureUsage(model: Model, env: EnvironmentModel, plan: AzureEnvironmentPlan): AzureUsage {
  const az = env.azure!;
  const vaults = plan.layout === 'environmentVault' ? 1 : Object.keys(plan.vaults).length;
  const roleAssignments = Object.keys(plan.roleAssignments).length + Object.keys(plan.vaultReaders).length + vaults;
  // Requests per second of each vault: External Secrets' refreshes, or the CSI driver's rotation polls.
  const perSecond = new Map<string, number>();
  const add = (vault: string, n: number) => perSecond.set(vault, (perSecond.get(vault) ?? 0) + n);
  const clusters = plan.clusters.length;
  const stores = new Map(plan.objects.filter((o) => o.kind === 'SecretStore').map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, /^https:\/\/([^.]+)\./.exec(String(spec(o)?.provider?.azurekv?.vaultUrl ?? ''))?.[1] ?? '']));
  const storeOf = (o: KubernetesObject, d: any) => stores.get(`${o.metadata.namespace}/${d.sourceRef?.storeRef?.name ?? spec(o)?.secretStoreRef?.name}`);
  for (const [vault, n] of externalSecretReads(plan.objects, clusters, storeOf)) add(vault, n);
  const poll = durationSeconds(az.csiDriver.rotationPollInterval);
  if (plan.delivery === 'csi' && poll > 0) {
    const replicas = new Map(model.services.map((s) => [s.name, s.replicas]));
    for (const o of plan.objects) {
      if (o.kind !== 'SecretProviderClass') continue;
      const objects = (String(spec(o)?.parameters?.objects ?? '').match(/objectName:/g) ?? []).length;
      const service = o.metadata.labels?.['secret-wiring.dev/service'] ?? '';
      add(String(spec(o)?.parameters?.keyvaultName), (objects * (replicas.get(service) ?? 1) * clusters) / poll);
    }
  }
  const prefix = `${env.name}-azure`;
  const shardOf = shardsOf(model, env, 'azure');
  const split = shardOf ? splitAzurePlan(plan, shardOf) : undefined;
  const parts = split ? [{ stack: prefix, plan: split.base, base: true }, ...split.shards.map((s) => ({ stack: `${prefix}-${s.name}`, plan: s.plan, base: false }))] : [{ stack: prefix, plan, base: true }];
  const armReads = (p: AzureEnvironmentPlan, base: boolean) => {
    const ownVaults = p.layout === 'environmentVault' ? (base ? 2 : 1) : 2 * Object.keys(p.vaults).length;
    const readers = base ? 0 : new Set([...Object.values(p.roleAssignments).map((a) => a.service), ...Object.keys(p.vaultReaders)]).size;
    const identities = base ? Object.keys(p.identities).length + Object.keys(p.federatedCredentials).length : 0;
    return Object.keys(p.roleAssignments).length + Object.keys(p.vaultReaders).length + ownVaults + readers + identities;
  };
  return {
    subscriptionId: plan.subscriptionId,
    reservedRoleAssignments: az.reservedRoleAssignments,
    roleAssignments,
    federatedPerIdentity: plan.identityMode === 'workloadIdentity' ? clusters : 0,
    vaultRequests: [...perSecond].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([vault, n]) => ({ vault, per10s: n * 10 })),
    stacks: parts.map((p) => ({ stack: p.stack, secrets: Object.keys(p.plan.secrets).length, reads: armReads(p.plan, p.base) })),
  };
}

/** The usage of one environment, from its plans. */
export function environmentUsage(model: Model, env: EnvironmentModel, plans: { gcp?: GcpEnvironmentPlan; azure?: AzureEnvironmentPlan }): EnvironmentUsage {
  return {
    environment: env.name,
    ...(plans.gcp ? { gcp: gcpUsage(model, env, plans.gcp) } : {}),
    ...(plans.azure ? { azure: azureUsage(model, env, plans.azure) } : {}),
  };
}
