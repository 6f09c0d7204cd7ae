/**
 * The validated model: the declaration with every default applied, every `from` resolved and
 * every name derived, sorted by name. Built only from a structurally valid declaration; every
 * cross-field rule is checked here and reported together.
 */
import { DEFAULT_EXTERNAL_SECRETS_CHART_VERSION, type Declaration, type KeyDeclaration } from './schema';
import { RULES, satisfies } from './rules';
import { RESERVED_LABEL_KEYS, defaultServiceAccountName, derivedSecretId } from './naming';
import type { Problem } from './problem';

export type IdentityMode = 'workloadIdentity' | 'googleServiceAccount';

export interface GkeClusterModel {
  readonly name: string;
  readonly location: string;
}

export interface GcpModel {
  readonly project: string;
  readonly projectNumber: string;
  readonly clusters: readonly GkeClusterModel[];
  readonly identity: IdentityMode;
  /** Regions of user-managed replication; empty for automatic replication. */
  readonly replicaLocations: readonly string[];
  readonly deletionProtection: boolean;
  readonly secretIdPrefix: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly stateBucket?: { readonly bucket: string; readonly prefix: string };
  readonly externalSecrets: { readonly chartVersion: string; readonly namespace: string };
}

export interface EnvironmentModel {
  readonly name: string;
  readonly gcp?: GcpModel;
  readonly manifests: { readonly terraform: boolean; readonly gitops: boolean };
  readonly refreshInterval: string;
}

/** A key that owns its remote secret. */
export interface OwnedSource {
  readonly kind: 'own';
  /** Explicit remote id, or undefined to derive it. */
  readonly remoteName?: string;
  /** Import the existing remote secret instead of creating it. */
  readonly adopt: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

/** A key that reads the remote secret of another declared key. */
export interface FromSource {
  readonly kind: 'from';
  readonly service: string;
  readonly secret: string;
  readonly key: string;
}

export interface KeyModel {
  readonly key: string;
  readonly environments: readonly string[];
  readonly version?: string;
  readonly source: OwnedSource | FromSource;
  /** Where the key is declared. */
  readonly path: readonly string[];
}

export interface KubernetesSecretModel {
  readonly name: string;
  readonly keys: readonly KeyModel[];
}

export interface ServiceModel {
  readonly name: string;
  readonly namespace: string;
  readonly createNamespace: boolean;
  readonly serviceAccount: string;
  readonly environments: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly secrets: readonly KubernetesSecretModel[];
}

export interface Model {
  readonly environments: readonly EnvironmentModel[];
  readonly services: readonly ServiceModel[];
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const sortedKeys = (o: object | undefined) => Object.keys(o ?? {}).sort();

function sortedRecord(o: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of sortedKeys(o)) out[k] = o![k];
  return out;
}

/** Applies defaults. Assumes the declaration passed the structural check. */
export function resolveDeclaration(decl: Declaration): Model {
  const envNames = sortedKeys(decl.environments);
  const environments: EnvironmentModel[] = envNames.map((name) => {
    const e = decl.environments[name];
    const g = e.gcp;
    return {
      name,
      refreshInterval: e.refreshInterval ?? '1h',
      manifests: { terraform: e.manifests?.terraform ?? true, gitops: e.manifests?.gitops ?? true },
      gcp: g && {
        project: g.project,
        projectNumber: g.projectNumber,
        clusters: g.clusters.map((c) => ({ name: c.name, location: c.location })).sort(byName),
        identity: g.identity ?? 'workloadIdentity',
        replicaLocations: [...(g.replication?.locations ?? [])].sort(),
        deletionProtection: g.deletionProtection ?? true,
        secretIdPrefix: g.secretIdPrefix ?? '',
        labels: sortedRecord(g.labels),
        stateBucket: g.stateBucket && { bucket: g.stateBucket.bucket, prefix: g.stateBucket.prefix ?? 'secret-wiring' },
        externalSecrets: {
          chartVersion: g.externalSecrets?.chartVersion ?? DEFAULT_EXTERNAL_SECRETS_CHART_VERSION,
          namespace: g.externalSecrets?.namespace ?? 'external-secrets',
        },
      },
    };
  });

  const services: ServiceModel[] = sortedKeys(decl.services).map((name) => {
    const s = decl.services[name];
    const serviceEnvs = s.environments ? [...s.environments].sort() : envNames;
    return {
      name,
      namespace: s.namespace ?? name,
      createNamespace: s.createNamespace ?? true,
      serviceAccount: s.serviceAccount ?? defaultServiceAccountName(name),
      environments: serviceEnvs,
      labels: sortedRecord(s.labels),
      secrets: sortedKeys(s.secrets).map((secretName) => ({
        name: secretName,
        keys: sortedKeys(s.secrets[secretName]).map((key) => resolveKey(name, secretName, key, s.secrets[secretName][key], serviceEnvs)),
      })),
    };
  });
  return { environments, services };
}

function resolveKey(service: string, secret: string, key: string, k: KeyDeclaration, serviceEnvs: readonly string[]): KeyModel {
  const path = ['services', service, 'secrets', secret, key];
  const environments = k.environments ? [...k.environments].sort() : [...serviceEnvs];
  if (k.from) {
    const [s, sec, ...rest] = k.from.split('/');
    return { key, environments, version: k.version, path, source: { kind: 'from', service: s, secret: sec, key: rest.join('/') } };
  }
  return {
    key,
    environments,
    version: k.version,
    path,
    source: { kind: 'own', remoteName: k.remoteName, adopt: k.remoteName !== undefined && (k.adopt ?? true), labels: sortedRecord(k.labels) },
  };
}

/** Finds a declared key by service, Kubernetes Secret and key name. */
export function findKey(model: Model, service: string, secret: string, key: string): KeyModel | undefined {
  return model.services
    .find((s) => s.name === service)
    ?.secrets.find((x) => x.name === secret)
    ?.keys.find((x) => x.key === key);
}

/** The remote id of a key that owns its secret, in one environment's project. */
export function remoteIdOf(gcp: GcpModel, service: string, k: KeyModel): string {
  if (k.source.kind !== 'own') throw new Error(`${k.path.join('.')} does not own a remote secret`);
  return k.source.remoteName ?? derivedSecretId(gcp.secretIdPrefix, service, k.key);
}

/** Cross-field rules: environments, `from`, collisions, identities. Returns every problem. */
export function checkModel(decl: Declaration, model: Model): Problem[] {
  const problems: Problem[] = [];
  const envs = new Map(model.environments.map((e) => [e.name, e]));
  const add = (path: readonly (string | number)[], value: unknown, rule: string) => problems.push({ path, value, rule });

  // Environments themselves.
  for (const env of model.environments) {
    if (!env.gcp) add(['environments', env.name], decl.environments[env.name], 'an environment needs a cloud section (gcp)');
    if (env.gcp) {
      const seen = new Map<string, number>();
      decl.environments[env.name].gcp!.clusters.forEach((c, i) => {
        if (seen.has(c.name)) {
          add(['environments', env.name, 'gcp', 'clusters', i, 'name'], c.name, `cluster names must be unique within an environment (also at clusters[${seen.get(c.name)}])`);
        } else seen.set(c.name, i);
      });
    }
    for (const k of Object.keys(env.gcp?.labels ?? {})) {
      if ((RESERVED_LABEL_KEYS as readonly string[]).includes(k)) {
        add(['environments', env.name, 'gcp', 'labels', k], k, `label key "${k}" is set by the product (reserved: ${RESERVED_LABEL_KEYS.join(', ')})`);
      }
    }
  }

  for (const svc of model.services) {
    const sDecl = decl.services[svc.name];
    (sDecl.environments ?? []).forEach((e, i) => {
      if (!envs.has(e)) add(['services', svc.name, 'environments', i], e, `unknown environment; declared environments: ${[...envs.keys()].join(', ')}`);
    });
    for (const k of Object.keys(svc.labels)) {
      if ((RESERVED_LABEL_KEYS as readonly string[]).includes(k)) {
        add(['services', svc.name, 'labels', k], k, `label key "${k}" is set by the product (reserved: ${RESERVED_LABEL_KEYS.join(', ')})`);
      }
    }
    for (const sec of svc.secrets) {
      for (const k of sec.keys) {
        const kDecl = sDecl.secrets[sec.name][k.key];
        (kDecl.environments ?? []).forEach((e, i) => {
          if (!envs.has(e)) add([...k.path, 'environments', i], e, `unknown environment; declared environments: ${[...envs.keys()].join(', ')}`);
          else if (!svc.environments.includes(e)) add([...k.path, 'environments', i], e, `service ${svc.name} is not deployed in environment ${e} (services.${svc.name}.environments)`);
        });
        if (k.source.kind === 'own') {
          if (kDecl.adopt !== undefined && kDecl.remoteName === undefined) {
            add([...k.path, 'adopt'], kDecl.adopt, 'adopt applies only to a key with remoteName (an existing secret id)');
          }
          for (const l of Object.keys(k.source.labels)) {
            if ((RESERVED_LABEL_KEYS as readonly string[]).includes(l)) {
              add([...k.path, 'labels', l], l, `label key "${l}" is set by the product (reserved: ${RESERVED_LABEL_KEYS.join(', ')})`);
            }
          }
        } else {
          checkFrom(model, svc, k, kDecl, add);
        }
      }
    }
  }

  checkRemoteIds(model, add);
  checkIdentities(model, add);
  return problems;
}

function checkFrom(
  model: Model,
  svc: ServiceModel,
  k: KeyModel,
  kDecl: KeyDeclaration,
  add: (path: readonly (string | number)[], value: unknown, rule: string) => void,
): void {
  const src = k.source as FromSource;
  const at = [...k.path, 'from'];
  for (const f of ['remoteName', 'adopt', 'labels'] as const) {
    if (kDecl[f] !== undefined) add([...k.path, f], kDecl[f], `${f} cannot be combined with from: the remote secret belongs to ${src.service}`);
  }
  const target = findKey(model, src.service, src.secret, src.key);
  if (!target) {
    const service = model.services.find((s) => s.name === src.service);
    const why = !service
      ? `no service named ${src.service}`
      : !service.secrets.find((s) => s.name === src.secret)
        ? `service ${src.service} declares no Kubernetes Secret ${src.secret}`
        : `${src.service}/${src.secret} has no key ${src.key}`;
    add(at, kDecl.from, `from must name a declared key (SERVICE/SECRET/KEY): ${why}`);
    return;
  }
  if (target.source.kind !== 'own') {
    add(at, kDecl.from, `from must name a key that owns its remote secret, not another from (${src.service}/${src.secret}/${src.key} reads ${target.source.service}/${target.source.secret}/${target.source.key})`);
    return;
  }
  if (src.service === svc.name && src.secret === k.path[3] && src.key === k.key) {
    add(at, kDecl.from, 'from must not name the key itself');
    return;
  }
  for (const env of k.environments) {
    if (!target.environments.includes(env)) {
      add(at, kDecl.from, `${src.service}/${src.secret}/${src.key} does not exist in environment ${env} (it exists in: ${target.environments.join(', ') || 'none'})`);
    }
  }
}

interface Owner {
  readonly env: string;
  readonly service: string;
  readonly key: KeyModel;
}

function checkRemoteIds(model: Model, add: (path: readonly (string | number)[], value: unknown, rule: string) => void): void {
  // Group every owning key by (project, remote id) over all environments: environments that share
  // a project share its namespace of secret ids.
  const groups = new Map<string, Owner[]>();
  const invalid = new Set<string>();
  for (const env of model.environments) {
    if (!env.gcp) continue;
    for (const svc of model.services) {
      for (const sec of svc.secrets) {
        for (const k of sec.keys) {
          if (k.source.kind !== 'own' || !k.environments.includes(env.name)) continue;
          const id = remoteIdOf(env.gcp, svc.name, k);
          if (!satisfies(RULES.secretManagerId, id)) {
            if (invalid.has(k.path.join('/'))) continue;
            invalid.add(k.path.join('/'));
            add(k.source.remoteName ? [...k.path, 'remoteName'] : k.path, id, `derived secret id ${id} is not valid: ${RULES.secretManagerId.text}`);
            continue;
          }
          const g = `${env.gcp.project}\u0000${id}`;
          const list = groups.get(g) ?? [];
          list.push({ env: env.name, service: svc.name, key: k });
          groups.set(g, list);
        }
      }
    }
  }
  const reported = new Set<string>();
  for (const [g, owners] of groups) {
    if (owners.length < 2) continue;
    const [project, id] = g.split('\u0000');
    const first = owners[0];
    for (const o of owners.slice(1)) {
      const sameEnv = o.env === first.env;
      const sharedExplicit =
        sameEnv &&
        o.service === first.service &&
        o.key.source.kind === 'own' &&
        first.key.source.kind === 'own' &&
        o.key.source.remoteName !== undefined &&
        o.key.source.remoteName === first.key.source.remoteName &&
        o.key.source.adopt === first.key.source.adopt &&
        JSON.stringify(o.key.source.labels) === JSON.stringify(first.key.source.labels);
      if (sharedExplicit) continue; // one remote secret delivered into several Kubernetes Secrets of its service
      const where = o.key.source.kind === 'own' && o.key.source.remoteName ? [...o.key.path, 'remoteName'] : o.key.path;
      const tag = `${where.join('/')}`;
      if (reported.has(tag)) continue;
      reported.add(tag);
      const rule = sameEnv
        ? o.service === first.service && o.key.source.kind === 'own' && o.key.source.remoteName
          ? `secret id ${id} is also declared at ${first.key.path.join('.')} with different settings (adopt, labels); declare them alike`
          : `maps to secret id ${id} in project ${project}, which ${first.key.path.join('.')} already maps to; two keys cannot share a remote secret (read the other one with from: ${first.service}/${first.key.path[3]}/${first.key.key})`
        : `maps to secret id ${id} in project ${project} in environments ${first.env} and ${o.env}, which share that project; set gcp.secretIdPrefix in one of them`;
      add(where, id, rule);
    }
  }
}

function checkIdentities(model: Model, add: (path: readonly (string | number)[], value: unknown, rule: string) => void): void {
  // Conflicts are found per environment and reported once, naming every environment they occur in.
  const conflicts = new Map<string, { path: string[]; value: string; rule: (envs: string) => string; envs: string[] }>();
  const note = (path: string[], value: string, rule: (envs: string) => string, env: string) => {
    const id = JSON.stringify([path, rule('')]);
    const c = conflicts.get(id) ?? { path, value, rule, envs: [] };
    c.envs.push(env);
    conflicts.set(id, c);
  };
  for (const env of model.environments) {
    const here = model.services.filter((s) => s.environments.includes(env.name));
    const accounts = new Map<string, ServiceModel>();
    const secretNames = new Map<string, ServiceModel>();
    for (const s of here) {
      const sa = `${s.namespace}/${s.serviceAccount}`;
      const other = accounts.get(sa);
      if (other) {
        note(['services', s.name, 'serviceAccount'], s.serviceAccount, (envs) => `service account ${sa} is also the identity of service ${other.name} in environment ${envs}; each service needs its own, or one could read the other's secrets`, env.name);
      } else accounts.set(sa, s);
      for (const sec of s.secrets) {
        if (!sec.keys.some((k) => k.environments.includes(env.name))) continue;
        const n = `${s.namespace}/${sec.name}`;
        const o = secretNames.get(n);
        if (o && o !== s) {
          note(['services', s.name, 'secrets', sec.name], sec.name, (envs) => `Kubernetes Secret ${n} is also produced by service ${o.name} in environment ${envs}`, env.name);
        } else secretNames.set(n, s);
      }
    }
  }
  for (const c of conflicts.values()) add(c.path, c.value, c.rule(c.envs.join(', ')));
}
