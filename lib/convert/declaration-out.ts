/**
 * Converted keys written as the product's declaration: a fragment (`services:`, and
 * `environments:` where the input names a project or a vault) to paste, or merged into an existing
 * declaration. No cdktf here.
 */
import type { ConvertedKey, Finding } from './findings';

type Json = Record<string, any>;

export interface FragmentOptions {
  /** Name of the environment the input's project or vault belongs to. */
  readonly environment: string;
}

function keyEntry(k: ConvertedKey): Json {
  // The remote secrets exist (the old controller read them): adopted, never created again.
  return {
    remoteName: k.remoteName,
    ...(k.platform === 'azure' ? { adopt: true } : {}),
    ...(k.version !== undefined ? { version: k.version } : {}),
    ...(k.property !== undefined ? { property: k.property } : {}),
  };
}

const same = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);

/** Where each remote secret is owned already: platform/remote name -> service/secret/key. */
function owners(declaration: Json): Map<string, { service: string; ref: string }> {
  const out = new Map<string, { service: string; ref: string }>();
  for (const [service, svc] of Object.entries<Json>(declaration.services ?? {})) {
    for (const [secret, keys] of Object.entries<Json>(svc?.secrets ?? {})) {
      for (const [key, k] of Object.entries<Json>(keys ?? {})) {
        if (k && typeof k.remoteName === 'string' && k.from === undefined) {
          const id = `${svc.platform ?? 'gcp'}/${k.remoteName}`;
          if (!out.has(id)) out.set(id, { service, ref: `${service}/${secret}/${key}` });
        }
      }
    }
  }
  return out;
}

/**
 * Adds converted keys to a declaration's services (in place); conflicts become errors. A remote
 * secret another service owns already is read with `from`: one owner, a grant per reader.
 */
export function addKeys(declaration: Json, keys: readonly ConvertedKey[], findings: Finding[], keyEnvironments?: (service: string) => string[] | undefined): void {
  declaration.services ??= {};
  const owned = owners(declaration);
  for (const k of keys) {
    const report = (message: string) => findings.push({ file: k.from.file, at: k.from.at, level: 'error', message });
    const svc = (declaration.services[k.service] ??= {
      ...(k.namespace !== k.service ? { namespace: k.namespace } : {}),
      ...(k.platform === 'azure' ? { platform: 'azure' } : {}),
      ...(k.serviceAccount !== undefined && k.serviceAccount !== `${k.service}-secrets` ? { serviceAccount: k.serviceAccount } : {}),
      ...(k.googleServiceAccount !== undefined || k.grantExists
        ? { existing: { ...(k.googleServiceAccount !== undefined ? { googleServiceAccount: k.googleServiceAccount } : {}), ...(k.grantExists ? { accessGrants: true } : {}) } }
        : {}),
      secrets: {},
    });
    const declaredGsa = svc.existing?.googleServiceAccount;
    if (k.googleServiceAccount !== undefined && declaredGsa !== undefined && declaredGsa !== k.googleServiceAccount) {
      report(`service ${k.service} uses the existing Google service account ${declaredGsa}, the input grants ${k.googleServiceAccount}: one service has one identity`);
      continue;
    }
    if (k.googleServiceAccount !== undefined && declaredGsa === undefined && Object.keys(svc.secrets ?? {}).length > 0 && !svc.existing) {
      report(`service ${k.service} is declared already without an existing Google service account; the input grants ${k.googleServiceAccount}: declare existing.googleServiceAccount on it to adopt that account`);
      continue;
    }
    if (k.serviceAccount !== undefined && (svc.serviceAccount ?? `${k.service}-secrets`) !== k.serviceAccount) {
      report(`service ${k.service} authenticates as service account ${svc.serviceAccount ?? `${k.service}-secrets`}, the input grants ${k.serviceAccount}: name another service, or align serviceAccount`);
      continue;
    }
    const platform = svc.platform ?? 'gcp';
    if (platform !== k.platform) {
      report(`${k.secret}: service ${k.service} runs on ${platform}, this manifest reads ${k.platform === 'gcp' ? 'Secret Manager' : 'Key Vault'}: name another service with --service`);
      continue;
    }
    if ((svc.namespace ?? k.service) !== k.namespace) {
      report(`${k.secret}: service ${k.service} is in namespace ${svc.namespace ?? k.service}, this manifest in ${k.namespace}: name another service with --service`);
      continue;
    }
    svc.secrets ??= {};
    const secret = (svc.secrets[k.secret] ??= {});
    const owner = owned.get(`${k.platform}/${k.remoteName}`);
    const envs = keyEnvironments?.(k.service);
    const entry =
      owner && owner.service !== k.service
        ? { from: owner.ref, ...(k.version !== undefined ? { version: k.version } : {}), ...(k.property !== undefined ? { property: k.property } : {}), ...(envs ? { environments: envs } : {}) }
        : { ...keyEntry(k), ...(envs ? { environments: envs } : {}) };
    if (!owner) owned.set(`${k.platform}/${k.remoteName}`, { service: k.service, ref: `${k.service}/${k.secret}/${k.key}` });
    if (secret[k.key] !== undefined && !same(secret[k.key], entry)) {
      report(`${k.secret}: key ${k.key} of service ${k.service} is declared already, reading ${JSON.stringify(secret[k.key])}; this manifest reads ${JSON.stringify(entry)}`);
      continue;
    }
    secret[k.key] = entry;
  }
}

/** A key granted to a Google service account needs identity googleServiceAccount; one granted to the workload itself, workloadIdentity. */
function identityClash(k: ConvertedKey, identity: string): string | undefined {
  if (!k.grantExists) return undefined;
  const wants = k.googleServiceAccount !== undefined ? 'googleServiceAccount' : 'workloadIdentity';
  if (wants === identity) return undefined;
  return `${k.remoteName} is granted to ${k.googleServiceAccount !== undefined ? `the Google service account ${k.googleServiceAccount}` : `the Kubernetes service account ${k.namespace}/${k.serviceAccount} itself`}, and the environment's services use ${identity === 'googleServiceAccount' ? 'Google service accounts (identity googleServiceAccount)' : 'workload identity (identity workloadIdentity)'}: one environment uses one pattern; convert the grants of each pattern into an environment of its own, or move them to one pattern first`;
}

/**
 * The declaration fragment of converted keys: their services, and the environment whose project
 * or vault the input names (a fragment to complete: project number and clusters are not in it).
 */
export function declarationFragment(keys: readonly ConvertedKey[], o: FragmentOptions, findings: Finding[]): Json {
  const out: Json = {};
  const env: Json = {};
  const kept: ConvertedKey[] = [];
  for (const k of keys) {
    if (k.platform === 'gcp' && k.grantExists) {
      env.gcp ??= { ...(k.project !== undefined ? { project: k.project } : {}), ...(k.googleServiceAccount !== undefined ? { identity: 'googleServiceAccount' } : {}) };
      const clash = identityClash(k, env.gcp.identity ?? 'workloadIdentity');
      if (clash) {
        findings.push({ file: k.from.file, at: k.from.at, level: 'error', message: clash });
        continue;
      }
    }
    if (k.platform === 'gcp' && k.project !== undefined) {
      env.gcp ??= { project: k.project, ...(k.googleServiceAccount !== undefined ? { identity: 'googleServiceAccount' } : {}) };
      env.gcp.project ??= k.project;
      if (env.gcp.project !== k.project) {
        findings.push({ file: k.from.file, at: k.from.at, level: 'error', message: `${k.secret}: ${k.key} reads project ${k.project}, other manifests project ${env.gcp.project}; one environment has one project: convert them separately` });
        continue;
      }
    }
    if (k.platform === 'azure' && k.vault !== undefined) {
      env.azure ??= { layout: 'environmentVault', keyVault: { name: k.vault, adopt: true } };
      if (env.azure.keyVault.name !== k.vault) {
        findings.push({ file: k.from.file, at: k.from.at, level: 'error', message: `${k.secret}: ${k.key} reads vault ${k.vault}, other manifests vault ${env.azure.keyVault.name}; one environment has one vault in this layout: convert them separately` });
        continue;
      }
    }
    kept.push(k);
  }
  if (Object.keys(env).length > 0) out.environments = { [o.environment]: env };
  addKeys(out, kept, findings);
  return out;
}

/**
 * Merges converted keys into an existing declaration (a copy): each key's project or vault must be
 * the environment's, never moved to another silently.
 */
export function mergeIntoDeclaration(existing: Json, keys: readonly ConvertedKey[], environment: string, findings: Finding[]): Json {
  const out = JSON.parse(JSON.stringify(existing)) as Json;
  const env = out.environments?.[environment];
  if (!env) {
    findings.push({ file: '(--into)', level: 'error', message: `the declaration has no environment ${environment} (--env names it; it has: ${Object.keys(out.environments ?? {}).join(', ') || 'none'})` });
    return out;
  }
  const kept: ConvertedKey[] = [];
  for (const k of keys) {
    const report = (message: string) => findings.push({ file: k.from.file, at: k.from.at, level: 'error', message });
    if (k.platform === 'gcp') {
      if (!env.gcp) {
        report(`${k.secret}: environment ${environment} has no gcp section`);
        continue;
      }
      const clash = identityClash(k, env.gcp.identity ?? 'workloadIdentity');
      if (clash) {
        report(`${k.secret}: ${clash}`);
        continue;
      }
      if (k.project !== undefined && k.project !== env.gcp.project) {
        report(`${k.secret}: ${k.key} reads project ${k.project}, environment ${environment} uses project ${env.gcp.project}: a secret in another project is not moved; convert it into an environment of that project`);
        continue;
      }
    } else {
      if (!env.azure) {
        report(`${k.secret}: environment ${environment} has no azure section`);
        continue;
      }
      const vault = env.azure.keyVault?.name;
      if (k.vault !== undefined && vault !== k.vault) {
        report(`${k.secret}: ${k.key} reads vault ${k.vault}, environment ${environment} ${vault ? `uses vault ${vault}` : 'names no vault'}: declare keyVault: { name: ${k.vault}, adopt: true } (layout environmentVault) to read it`);
        continue;
      }
    }
    kept.push(k);
  }
  const before = new Set(Object.keys(out.services ?? {}));
  // A key added to a service of several environments exists only where its manifest came from.
  const onlyHere = (service: string) => {
    const envs = out.services?.[service]?.environments as string[] | undefined;
    return before.has(service) && !(envs && envs.length === 1 && envs[0] === environment) ? [environment] : undefined;
  };
  addKeys(out, kept, findings, onlyHere);
  // A service the conversion adds runs where its manifests came from, not in every environment.
  for (const name of Object.keys(out.services ?? {})) if (!before.has(name)) out.services[name].environments = [environment];
  return out;
}
