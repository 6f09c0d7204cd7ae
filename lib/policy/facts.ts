import { aksAddonIdentityRefs, identityPrincipalRef, readerPrincipalRef } from '../terraform/addresses';
import { formatPath } from '../declaration/problem';
import { derivedKeyVaultSecretName, derivedSecretId } from '../declaration/naming';
import { keyVaultOf, keyVaultSecretNameOf, remoteIdOf, remoteOf, type KeyModel, type Model } from '../declaration/model';
import type { GcpEnvironmentPlan } from '../plan/gcp-plan';
import type { AzureEnvironmentPlan } from '../plan/azure-plan';
import type { EnvironmentFacts, SecretOrigin } from './types';

const memo = new WeakMap<Model, Map<string, unknown>>();

/** Computes once per model and key (facts are asked for once per shard of an environment). */
function once<T>(model: Model, key: string, compute: () => T): T {
  let m = memo.get(model);
  if (!m) memo.set(model, (m = new Map()));
  if (!m.has(key)) m.set(key, compute());
  return m.get(key) as T;
}

/** `reader/secret` for every key read with `from` in an environment, secrets named by `nameOf`. */
function fromReads(model: Model, environment: string, nameOf: (owner: string, owned: KeyModel) => string): string[] {
  const reads: string[] = [];
  for (const s of model.services) {
    for (const sec of s.secrets) {
      for (const k of sec.keys) if (k.source.kind === 'from' && k.environments.includes(environment)) reads.push(`${s.name}/${remoteOf(model, s.name, k, nameOf).name}`);
    }
  }
  return reads;
}

function origins(
  model: Model,
  environment: string,
  platform: 'gcp' | 'azure',
  name: (service: string, key: string, remoteName?: string) => string,
  derived: (service: string, key: string) => string,
): Record<string, SecretOrigin> {
  const out: Record<string, SecretOrigin> = {};
  for (const s of model.services) {
    if (s.platform !== platform) continue;
    for (const sec of s.secrets) {
      for (const k of sec.keys) {
        if (k.source.kind !== 'own' || !k.environments.includes(environment)) continue;
        const n = name(s.name, k.key, k.source.remoteName);
        out[n] ??= { service: s.name, key: k.key, declaredAt: formatPath(k.path), remoteName: k.source.remoteName, derivedName: derived(s.name, k.key) };
      }
    }
  }
  return out;
}

/** The declaration's view of an environment on GCP, for the rule pack. */
export function gcpFacts(model: Model, plan: GcpEnvironmentPlan): EnvironmentFacts {
  const env = model.environments.find((e) => e.name === plan.environment)!;
  const prefix = env.gcp!.secretIdPrefix;
  const derived = (service: string, key: string) => derivedSecretId(prefix, service, key);
  const secrets = once(model, `gcp/${plan.environment}/origins`, () => origins(model, plan.environment, 'gcp', (s, k, r) => r ?? derived(s, k), derived));
  // `from` reads, as reader/secret id pairs.
  const reads = once(model, `gcp/${plan.environment}/reads`, () => fromReads(model, plan.environment, (o, k) => remoteIdOf(env.gcp!, o, k)));
  return {
    environment: plan.environment,
    cloud: 'gcp',
    production: env.production,
    objects: plan.objects,
    secrets,
    members: Object.fromEntries(Object.values(plan.identities).map((i) => [i.service, i.member])),
    fromReads: reads,
    readers: Object.fromEntries(Object.entries(plan.grants).map(([k, g]) => [k, g.declaredAt])),
    projectNumber: plan.projectNumber,
    project: plan.project,
  };
}

/** The declaration's view of an environment on Azure, for the rule pack. */
export function azureFacts(model: Model, plan: AzureEnvironmentPlan, options: { shard?: boolean } = {}): EnvironmentFacts {
  const env = model.environments.find((e) => e.name === plan.environment)!;
  const secrets = once(model, `azure/${plan.environment}/origins`, () => origins(model, plan.environment, 'azure', (s, k, r) => r ?? derivedKeyVaultSecretName(s, k), derivedKeyVaultSecretName));
  const reads = once(model, `azure/${plan.environment}/reads`, () => fromReads(model, plan.environment, keyVaultSecretNameOf));
  const members: Record<string, string> =
    plan.identityMode === 'workloadIdentity'
      ? Object.fromEntries(
          model.services
            .filter((s) => s.platform === 'azure' && s.environments.includes(plan.environment))
            .map((s) => [s.name, options.shard ? readerPrincipalRef(s.name) : identityPrincipalRef(s.name)]),
        )
      : Object.fromEntries(plan.clusters.map((c) => [`aks-addon:${c.name}`, aksAddonIdentityRefs(c.name).objectId]));
  const keyVaults = once(model, `azure/${plan.environment}/vaults`, () => {
    const out: Record<string, string> = {};
    for (const s of model.services) {
      if (s.platform !== 'azure' || !s.environments.includes(plan.environment)) continue;
      for (const sec of s.secrets) {
        for (const k of sec.keys) if (k.source.kind === 'own' && k.environments.includes(plan.environment)) out[keyVaultSecretNameOf(s.name, k).toLowerCase()] = keyVaultOf(env, s.name);
      }
    }
    return out;
  });
  return {
    environment: plan.environment,
    cloud: 'azure',
    keyVaults,
    production: env.production,
    objects: plan.objects,
    secrets,
    members,
    fromReads: reads,
    readers: Object.fromEntries(Object.entries(plan.roleAssignments).map(([k, a]) => [k, a.declaredAt])),
  };
}

/** Facts of one shard: what the other shards of its environment provide, from the full plan. */
export function shardFacts(facts: EnvironmentFacts, full: GcpEnvironmentPlan | AzureEnvironmentPlan, shard: GcpEnvironmentPlan | AzureEnvironmentPlan): EnvironmentFacts {
  const here = new Set(Object.keys(shard.secrets));
  const secrets = Object.keys(full.secrets).filter((n) => !here.has(n));
  const readable: string[] = [];
  if ('grants' in full) {
    for (const g of Object.values(full.grants)) if (!here.has(g.secretId)) readable.push(`${g.secretId}\u0000${g.member}`);
  } else {
    for (const a of Object.values(full.roleAssignments)) {
      if (here.has(a.secretName)) continue;
      const member = a.principal.kind === 'identity' ? facts.members[a.principal.service] : facts.members[`aks-addon:${a.principal.cluster}`];
      readable.push(`${a.secretName}\u0000${member}`);
    }
    // A service's read access to its own vault covers every secret in it.
    for (const s of Object.values(full.secrets)) {
      if (!here.has(s.name) && full.vaultReaders[s.service] && full.vaults[s.service]?.name === s.vault) readable.push(`${s.name}\u0000${facts.members[s.service]}`);
    }
  }
  return { ...facts, elsewhere: { secrets, readable } };
}
