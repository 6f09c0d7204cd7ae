/**
 * The access report of an environment: who can read which remote secret and where it lands,
 * computed from the synthesized grants (so it cannot disagree with what deploys), sorted so that
 * a pull request's diff of it reads as a review of access changes.
 */
import { aksAddonIdentityRefs, identityPrincipalRef, readerPrincipalRef } from '../terraform/addresses';
import { SECRET_READING_ROLES } from '../policy/rules/iam-001-secret-scope';
import type { SuppressionModel } from '../declaration/model';
import { formatPath } from '../declaration/problem';
import { placeholderOwner, type KubernetesObject } from '../kubernetes/objects';
import { keyVaultIds, keyVaultOfSecrets, keyVaultSecretScopes, resourceInstances } from '../policy/inventory';
import type { Note, ResourceInstance } from '../policy/types';

/** A reader of a secret; who it is, once per service, is in the report's identities. */
export interface Reader {
  readonly service: string;
  /**
   * own: the reader owns the secret; from: declared with from; grant: a grant to a principal no
   * declared service is (a stack of the user's own); project: a role on the whole project or
   * subscription, which reads every secret in it.
   */
  readonly via: 'own' | 'from' | 'grant' | 'project';
  /** The principal a grant names, for readers that are no declared service. @default - the service's identity */
  readonly principal?: string;
}

/** Who a reading service is, on one cloud: what can assume the principal its grants name. */
export interface ReaderIdentity {
  readonly cloud: 'gcp' | 'azure';
  readonly service: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** IAM member (GCP) or managed identity (Azure) the grants name. */
  readonly principal: string;
  /** The environment's clusters that run the service. */
  readonly clusters: readonly string[];
  /**
   * Who can assume the principal, said plainly: on GKE any cluster of the project (a Workload
   * Identity principal names no cluster), on AKS the clusters whose issuers are federated.
   */
  readonly assumableBy: string;
}

/** Services that share a namespace (declared with sharedNamespace): their boundary is the namespace. */
export interface SharedBoundary {
  readonly cloud: 'gcp' | 'azure';
  readonly namespace: string;
  readonly services: readonly string[];
  /** Each service's declared reason, as `service: reason`. */
  readonly reasons: readonly string[];
}

export interface Delivery {
  readonly service: string;
  readonly namespace: string;
  readonly kubernetesSecret: string;
  readonly key: string;
  readonly version: string;
}

export interface SecretAccess {
  readonly cloud: 'gcp' | 'azure';
  /** Secret Manager id, or `vault/name` in Key Vault. */
  readonly name: string;
  readonly owner: string;
  readonly adopted: boolean;
  readonly readers: readonly Reader[];
  readonly deliveredTo: readonly Delivery[];
  /** Terraform addresses of the grants. */
  readonly grants: readonly string[];
}

export interface ServiceReads {
  readonly service: string;
  readonly reads: readonly { readonly secret: string; readonly cloud: 'gcp' | 'azure'; readonly owner: string }[];
}

export interface AccessReport {
  readonly environment: string;
  readonly secrets: readonly SecretAccess[];
  /** Each reading service's identity, once (sorted by cloud and service). */
  readonly identities: readonly ReaderIdentity[];
  /** Namespaces shared by several services, where isolation holds per namespace only. */
  readonly sharedBoundaries: readonly SharedBoundary[];
  readonly services: readonly ServiceReads[];
  /** Secrets read by more than their owner. */
  readonly shared: readonly string[];
  readonly suppressions: readonly { readonly scope: string; readonly rule: string; readonly reason: string }[];
  readonly notes: readonly string[];
}

export interface CloudInput {
  /** The cloud's synthesized Terraform JSON (its stacks merged), or its resource instances. */
  readonly stack?: { resource?: Record<string, Record<string, any>> };
  readonly instances?: readonly ResourceInstance[];
  /** The environment's Kubernetes objects on that cloud (as both renderers emit them). */
  readonly objects: readonly KubernetesObject[];
  readonly clusters: readonly string[];
  /** GCP: to name principals. */
  readonly projectNumber?: string;
  /** GCP: the project, whose every cluster can assume a Workload Identity principal. */
  readonly project?: string;
  /** Azure: the environment's vault (layout environmentVault), for secrets whose vault the stack only looks up. */
  readonly vault?: string;
}

export interface AccessReportInput {
  readonly environment: string;
  readonly gcp?: CloudInput;
  readonly azure?: CloudInput;
  /** @default - none */
  readonly sharedBoundaries?: readonly SharedBoundary[];
  readonly suppressions: readonly SuppressionModel[];
  readonly notes?: readonly Note[];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted by a string key computed once per element. */
function sortedBy<T>(xs: readonly T[], key: (x: T) => string): T[] {
  return xs
    .map((x) => [key(x), x] as const)
    .sort((a, b) => cmp(a[0], b[0]))
    .map(([, x]) => x);
}

interface Identity {
  readonly service: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** Maps each principal a grant can name to the service, namespace and service account behind it. */
function identities(cloud: 'gcp' | 'azure', input: CloudInput): Map<string, Identity> {
  const out = new Map<string, Identity>();
  const objects = input.objects;
  const sa = (ns: string | undefined, name: string) => objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === ns && o.metadata.name === name);
  for (const o of objects) {
    const service = o.metadata.labels?.['secret-wiring.dev/service'];
    if (!service) continue;
    const spec = (o as { spec?: any }).spec;
    if (cloud === 'gcp' && o.kind === 'SecretStore' && spec?.provider?.gcpsm) {
      const ksa = spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef.name;
      const gsa = sa(o.metadata.namespace, ksa)?.metadata.annotations?.['iam.gke.io/gcp-service-account'];
      const principal = gsa
        ? `serviceAccount:${gsa}`
        : `principal://iam.googleapis.com/projects/${input.projectNumber}/locations/global/workloadIdentityPools/${spec.provider.gcpsm.projectID}.svc.id.goog/subject/ns/${o.metadata.namespace}/sa/${ksa}`;
      out.set(principal, { service, namespace: o.metadata.namespace!, serviceAccount: ksa });
    }
    if (cloud === 'azure' && o.kind === 'ServiceAccount') {
      const owner = placeholderOwner(o.metadata.annotations?.['azure.workload.identity/client-id']);
      if (owner) {
        const id = { service, namespace: o.metadata.namespace!, serviceAccount: o.metadata.name };
        out.set(identityPrincipalRef(owner), id);
        out.set(readerPrincipalRef(owner), id);
      }
    }
  }
  return out;
}

function deliveries(objects: readonly KubernetesObject[]): Map<string, Delivery[]> {
  const out = new Map<string, Delivery[]>();
  const add = (name: string, d: Delivery) => {
    const key = name.toLowerCase();
    const list = out.get(key);
    if (list) list.push(d);
    else out.set(key, [d]);
  };
  for (const o of objects) {
    const service = o.metadata.labels?.['secret-wiring.dev/service'] ?? '';
    const spec = (o as { spec?: any }).spec;
    if (o.kind === 'ExternalSecret') {
      for (const d of spec.data ?? []) add(d.remoteRef.key, { service, namespace: o.metadata.namespace!, kubernetesSecret: spec.target?.name ?? o.metadata.name, key: d.secretKey, version: d.remoteRef.version ?? 'latest' });
    }
    if (o.kind === 'SecretProviderClass') {
      // objectName (or its alias) -> remote name and version, from the provider's objects parameter.
      const entries = String(spec.parameters?.objects ?? '').split(/\n\s*- \|\n/).slice(1);
      const files = new Map<string, { name: string; version: string }>();
      for (const e of entries) {
        const name = /objectName: *"?([^"\s]+)"?/.exec(e)?.[1] ?? '';
        const alias = /objectAlias: *"?([^"\s]+)"?/.exec(e)?.[1];
        const version = /objectVersion: *"([^"]*)"/.exec(e)?.[1] || 'latest';
        files.set(alias ?? name, { name, version });
      }
      for (const so of spec.secretObjects ?? []) {
        for (const d of so.data ?? []) {
          const f = files.get(d.objectName);
          if (f) add(f.name, { service, namespace: o.metadata.namespace!, kubernetesSecret: so.secretName, key: d.key, version: f.version });
        }
      }
    }
  }
  return out;
}

/** How a reader that does not own a secret reads it, in the Markdown report. */
const VIA_TEXT: Readonly<Record<Reader['via'], string>> = { own: '', from: 'from', grant: 'a grant no declaration made', project: 'a project-wide role' };

/** Project-level roles that read secret payloads. */
const WIDE_SECRET_READERS = /^roles\/(secretmanager\.(secretAccessor|admin)|owner|editor)$/;

function cloudAccess(cloud: 'gcp' | 'azure', input: CloudInput): { secrets: SecretAccess[]; identities: ReaderIdentity[] } {
  const readerIdentities = new Map<string, ReaderIdentity>();
  const instances = input.instances ?? resourceInstances(input.stack ?? {});
  const who = identities(cloud, input);
  const lands = deliveries(input.objects);
  const secrets = new Map<string, { owner: string; adopted: boolean; readers: Reader[]; grants: string[] }>();
  const scopes = keyVaultSecretScopes(instances);
  // Vault-scope grants (a service's own vault) reach every secret in the vault.
  const vaultIds = keyVaultIds(instances);
  const vaultOfSecret = keyVaultOfSecrets(instances);
  const inVault = new Map<string, string[]>();
  for (const r of instances) {
    if (r.type !== 'azurerm_key_vault_secret' || !vaultIds.has(String(r.config.key_vault_id))) continue;
    const list = inVault.get(String(r.config.key_vault_id));
    if (list) list.push(String(r.config.name));
    else inVault.set(String(r.config.key_vault_id), [String(r.config.name)]);
  }
  // The add-on identity expressions of each cluster, computed once.
  const addons = new Map<string, string>();
  for (const c of input.clusters) {
    const refs = aksAddonIdentityRefs(c);
    addons.set(refs.objectId, c).set(refs.clientId, c);
  }
  for (const r of instances) {
    if (r.type === 'google_secret_manager_secret') secrets.set(String(r.config.secret_id), { owner: r.config.labels?.service ?? '', adopted: (r.collection ?? r.name).startsWith('adopted'), readers: [], grants: [] });
    if (r.type === 'azurerm_key_vault_secret') secrets.set(String(r.config.name), { owner: r.config.tags?.service ?? '', adopted: false, readers: [], grants: [] });
  }
  const grants: { name: string; principal: string; address: string; wide?: boolean }[] = [];
  for (const r of instances) {
    // A role on a whole project (or folder, organization) that reads secret payloads reaches every secret.
    // (An _iam_policy's members are in a JSON document, often an expression: the rule pack flags it.)
    if (/^google_(project|folder|organization)_iam_(member|binding)$/.test(r.type) && WIDE_SECRET_READERS.test(String(r.config.role ?? ''))) {
      const members = r.type.endsWith('_binding') ? (Array.isArray(r.config.members) ? r.config.members.map(String) : [String(r.config.members)]) : [String(r.config.member)];
      for (const member of members) for (const name of secrets.keys()) grants.push({ name, principal: member, address: r.address, wide: true });
    }
    if (r.type === 'google_secret_manager_secret_iam_member' && r.config.role === 'roles/secretmanager.secretAccessor') {
      grants.push({ name: String(r.config.secret_id), principal: String(r.config.member), address: r.address });
    }
    if (r.type === 'google_secret_manager_secret_iam_binding' && r.config.role === 'roles/secretmanager.secretAccessor') {
      for (const member of Array.isArray(r.config.members) ? r.config.members.map(String) : []) grants.push({ name: String(r.config.secret_id), principal: member, address: r.address });
    }
    if (r.type === 'azurerm_role_assignment') {
      const role = String(r.config.role_definition_name ?? r.config.role_definition_id ?? '');
      const scope = String(r.config.scope);
      const principal = String(r.config.principal_id);
      const name = scopes.get(scope);
      const vault = inVault.get(scope);
      if (role === 'Key Vault Secrets User') {
        if (name !== undefined) grants.push({ name, principal, address: r.address });
        for (const n of vault ?? []) grants.push({ name: n, principal, address: r.address });
      } else if (SECRET_READING_ROLES.includes(role) && name === undefined && !vaultIds.has(scope) && !/(\/vaults\/[^/]+|azurerm_key_vault\.[^.]+\.id\})$/i.test(scope)) {
        // A role that reads secrets on a resource group or subscription reaches every vault in it.
        for (const n of secrets.keys()) grants.push({ name: n, principal, address: r.address, wide: true });
      }
    }
  }
  for (const { name, principal, address, wide } of grants) {
    const s = secrets.get(name);
    if (!s) continue;
    s.grants.push(address);
    if (wide) {
      s.readers.push({ service: `(anyone with ${principal} in the ${cloud === 'gcp' ? 'project' : 'subscription or resource group'})`, via: 'project', principal });
      continue;
    }
    const addon = addons.get(principal);
    if (addon) {
      const service = `(any pod on cluster ${addon})`;
      readerIdentities.set(service, {
        cloud,
        service,
        namespace: '*',
        serviceAccount: '*',
        principal: `key vault secrets provider add-on of ${addon}`,
        clusters: [addon],
        assumableBy: `any pod on cluster ${addon} that mounts a SecretProviderClass naming the add-on identity, in any namespace`,
      });
      s.readers.push({ service, via: 'own' });
      continue;
    }
    const id = who.get(principal);
    if (!id) {
      s.readers.push({ service: '(undeclared)', via: 'grant', principal });
      continue;
    }
    if (!readerIdentities.has(id.service)) {
      readerIdentities.set(id.service, {
        cloud,
        ...id,
        principal: cloud === 'azure' ? `managed identity of ${id.service}` : principal,
        clusters: [...input.clusters],
        assumableBy:
          cloud === 'gcp'
            ? `any pod running as ${id.namespace}/${id.serviceAccount} in any GKE cluster of project ${input.project ?? '(the project)'} with Workload Identity, declared here or not`
            : `pods running as ${id.namespace}/${id.serviceAccount} in clusters ${input.clusters.join(', ')} (one federated credential per cluster's OIDC issuer)`,
      });
    }
    s.readers.push({ service: id.service, via: id.service === s.owner ? 'own' : 'from' });
  }
  const all = [...secrets].map(([name, s]) => ({
    cloud,
    name: cloud === 'azure' ? `${vaultOfSecret.get(name.toLowerCase()) ?? input.vault}/${name}` : name,
    owner: s.owner,
    adopted: s.adopted,
    readers: s.readers.sort((a, b) => cmp(a.service, b.service) || cmp(a.principal ?? '', b.principal ?? '')),
    deliveredTo: sortedBy(lands.get(name.toLowerCase()) ?? [], (d) => `${d.service}/${d.kubernetesSecret}/${d.key}`),
    grants: s.grants.sort(cmp),
  }));
  return { secrets: all, identities: [...readerIdentities.values()] };
}

/** Builds the access report of one environment. */
export function buildAccessReport(input: AccessReportInput): AccessReport {
  const clouds = [...(input.gcp ? [cloudAccess('gcp', input.gcp)] : []), ...(input.azure ? [cloudAccess('azure', input.azure)] : [])];
  const secrets = sortedBy(
    clouds.flatMap((c) => c.secrets),
    (s) => `${s.cloud}:${s.name}`,
  );
  const identities = sortedBy(
    clouds.flatMap((c) => c.identities),
    (i) => `${i.cloud}:${i.service}`,
  );
  const byService = new Map<string, { secret: string; cloud: 'gcp' | 'azure'; owner: string }[]>();
  for (const s of secrets) {
    for (const r of s.readers) {
      const read = { secret: s.name, cloud: s.cloud, owner: s.owner };
      const list = byService.get(r.service);
      if (list) list.push(read);
      else byService.set(r.service, [read]);
    }
  }
  const inEnv = (scope: readonly string[]) => scope[0] === 'services' || scope[1] === input.environment;
  return {
    environment: input.environment,
    secrets,
    identities,
    sharedBoundaries: sortedBy([...(input.sharedBoundaries ?? [])], (b) => `${b.cloud}:${b.namespace}`),
    services: [...byService].sort(([a], [b]) => cmp(a, b)).map(([service, reads]) => ({ service, reads: sortedBy(reads, (x) => `${x.cloud}:${x.secret}`) })),
    shared: secrets.filter((s) => new Set(s.readers.map((r) => r.service)).size > 1 || s.readers.some((r) => r.via !== 'own')).map((s) => `${s.cloud}:${s.name}`),
    suppressions: input.suppressions
      .filter((s) => inEnv(s.scope))
      .map((s) => ({ scope: formatPath(s.scope), rule: s.rule, reason: s.reason }))
      .sort((a, b) => cmp(`${a.scope} ${a.rule}`, `${b.scope} ${b.rule}`)),
    notes: (input.notes ?? []).map((n) => `${n.rule} ${n.resource}: ${n.message}`).sort(cmp),
  };
}

/**
 * The report as JSON with one line per secret and per service, so that a diff of it shows each
 * changed secret as one changed line. Returned as lines (joined with newlines, it is the file).
 */
export function accessJsonLines(r: AccessReport): string[] {
  const list = (name: string, xs: readonly unknown[], last = false) => [
    `  ${JSON.stringify(name)}: [`,
    ...xs.map((x, i) => `    ${JSON.stringify(x)}${i < xs.length - 1 ? ',' : ''}`),
    `  ]${last ? '' : ','}`,
  ];
  return [
    '{',
    `  "environment": ${JSON.stringify(r.environment)},`,
    ...list('secrets', r.secrets),
    ...list('identities', r.identities),
    ...list('sharedBoundaries', r.sharedBoundaries),
    ...list('services', r.services),
    ...list('shared', r.shared),
    ...list('suppressions', r.suppressions),
    ...list('notes', r.notes, true),
    '}',
  ];
}

/** The report as Markdown: one line per grant first, so that a diff reads as access changes. */
export function renderAccessMarkdown(r: AccessReport): string {
  const lines: string[] = [
    `# Access report: ${r.environment}`,
    '',
    'Generated by secret-wiring from the synthesized grants; do not edit. In a pull request, each added or removed line below is a change of access.',
    '',
    '## Who can read what',
    '',
  ];
  const grantLines: string[] = [];
  for (const s of r.secrets) {
    for (const reader of s.readers) {
      grantLines.push(`- ${reader.service} reads ${s.owner}'s ${s.cloud}:${s.name}${VIA_TEXT[reader.via] ? ` (${VIA_TEXT[reader.via]})` : ''}`);
    }
  }
  lines.push(...(grantLines.length > 0 ? grantLines.sort(cmp) : ['- nobody reads anything']), '', '## Identities', '');
  for (const i of r.identities) {
    lines.push(`- ${i.cloud} ${i.service}: principal ${i.principal}, assumable by ${i.assumableBy}; declared clusters ${i.clusters.join(', ') || '(none)'}`);
  }
  if (r.identities.length === 0) lines.push('- none');
  if (r.sharedBoundaries.length > 0) {
    lines.push('', '## Shared boundaries', '', 'Whoever may create an ExternalSecret in one of these namespaces can use every SecretStore in it.', '');
    for (const b of r.sharedBoundaries) lines.push(`- ${b.cloud} namespace ${b.namespace}: ${b.services.join(', ')} (${b.reasons.join('; ')})`);
  }
  lines.push('', '## Secrets', '');
  for (const s of r.secrets) {
    lines.push(`### ${s.cloud}:${s.name}`, '', `- owner: ${s.owner}${s.adopted ? ' (adopted: it existed before)' : ''}`);
    for (const reader of s.readers) {
      lines.push(`- read by ${reader.service}${reader.principal ? ` (principal ${reader.principal})` : ''}${VIA_TEXT[reader.via] ? `, through ${VIA_TEXT[reader.via]}` : ''}`);
    }
    for (const d of s.deliveredTo) lines.push(`- lands in ${d.namespace}/${d.kubernetesSecret} key ${d.key} (service ${d.service}, version ${d.version})`);
    if (s.readers.length === 0) lines.push('- read by nobody');
    lines.push('');
  }
  lines.push('## Per service', '');
  for (const s of r.services) {
    lines.push(`- ${s.service}: ${s.reads.map((x) => `${x.cloud}:${x.secret}${x.owner !== s.service ? ` (from ${x.owner})` : ''}`).join(', ')}`);
  }
  lines.push('', '## Shared secrets', '', ...(r.shared.length > 0 ? r.shared.map((s) => `- ${s}`) : ['- none']), '', '## Suppressions', '');
  lines.push(...(r.suppressions.length > 0 ? r.suppressions.map((s) => `- ${s.rule} at ${s.scope}: ${s.reason}`) : ['- none']));
  if (r.notes.length > 0) lines.push('', '## Notes', '', ...r.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}
