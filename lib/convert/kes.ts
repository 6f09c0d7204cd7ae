/**
 * kubernetes-external-secrets (KES) manifests (`apiVersion: kubernetes-client.io/v1`,
 * `kind: ExternalSecret`) read into converted keys, document by document. Everything that has no
 * equivalent in the product is reported with its file and document, never dropped silently and
 * never copied through half translated. Field names follow the released KES CRD (`spec.backendType`,
 * `projectId`, `keyVaultName`, `data[].key/name/version/property`, `dataFrom`, `template`); early
 * examples' `secretDescriptor` and `gcpProjectId` are read and reported.
 */
import { parseAllDocuments } from 'yaml';
import { RULES, satisfies } from '../declaration/rules';
import { distance, type ConvertedKey, type Finding } from './findings';

export interface KesOptions {
  /** Namespace of manifests that name none. @default "default", reported */
  readonly namespace?: string;
  /** Service of every converted Secret. @default - the namespace */
  readonly service?: string;
}

const SUPPORTED = ['gcpSecretsManager', 'azureKeyVault'] as const;
/** KES backends the product has no equivalent for (KES README, backends). */
const OTHER_BACKENDS = ['secretsManager', 'systemManager', 'vault', 'alicloudSecretsManager', 'ibmcloudSecretsManager', 'akeyless'];
/** `<%= JSON.parse(data.X).field %>`: the one template that is a property. */
const JSON_FIELD_TEMPLATE = /^<%=\s*JSON\.parse\(\s*data\.([A-Za-z0-9_.-]+)\s*\)\.([A-Za-z0-9_]+)\s*%>$/;
/** A Secret Manager resource name: projects/P/secrets/S[/versions/V]. */
const RESOURCE_NAME = /^projects\/([^/]+)\/secrets\/([^/]+)(?:\/versions\/([^/]+))?$/;

type Json = Record<string, any>;

export function convertKes(file: string, text: string, o: KesOptions = {}): { keys: ConvertedKey[]; findings: Finding[] } {
  const keys: ConvertedKey[] = [];
  const findings: Finding[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text, { prettyErrors: false });
  } catch (e) {
    return { keys, findings: [{ file, level: 'error', message: `not YAML: ${(e as Error).message.split('\n')[0]}` }] };
  }
  if (!Array.isArray(docs)) docs = [docs];
  docs.forEach((doc, i) => {
    const at = i + 1;
    const report = (level: Finding['level'], message: string) => findings.push({ file, at, level, message });
    if (doc.errors.length > 0) {
      report('error', `not YAML: ${doc.errors[0].message.split('\n')[0]}`);
      return;
    }
    const m = doc.toJS() as Json | null;
    if (m === null || m === undefined) return; // an empty document
    if (typeof m !== 'object' || Array.isArray(m)) {
      report('error', 'not a Kubernetes object (a mapping with apiVersion and kind)');
      return;
    }
    if (m.kind !== 'ExternalSecret' || m.apiVersion !== 'kubernetes-client.io/v1') {
      report('warning', `ignored: ${m.apiVersion ?? '(no apiVersion)'} ${m.kind ?? '(no kind)'} is not a kubernetes-external-secrets ExternalSecret (kubernetes-client.io/v1)`);
      return;
    }
    const name = m.metadata?.name;
    if (typeof name !== 'string' || !satisfies(RULES.dns1123Subdomain, name)) {
      report('error', `metadata.name ${JSON.stringify(name)}: ${RULES.dns1123Subdomain.text}`);
      return;
    }
    let namespace = m.metadata?.namespace as string | undefined;
    if (namespace === undefined) {
      namespace = o.namespace ?? 'default';
      report('warning', `${name}: no metadata.namespace; converted into namespace ${namespace} (${o.namespace ? '--namespace' : 'the default; --namespace sets another'})`);
    }
    const service = o.service ?? namespace;
    let spec = m.spec as Json | undefined;
    if (spec === undefined && m.secretDescriptor) {
      spec = m.secretDescriptor;
      report('note', `${name}: secretDescriptor is what early KES versions called spec; read as spec`);
    }
    if (!spec || typeof spec !== 'object') {
      report('error', `${name}: no spec`);
      return;
    }
    const backend = spec.backendType;
    if (!(SUPPORTED as readonly string[]).includes(backend)) {
      const near = SUPPORTED.find((s) => typeof backend === 'string' && distance(backend.toLowerCase(), s.toLowerCase()) <= 2);
      const known = OTHER_BACKENDS.includes(backend);
      report(
        'error',
        `${name}: backendType ${JSON.stringify(backend)} ${near ? `is not a backend; did you mean ${near}?` : known ? 'has no equivalent here: the product reads Google Secret Manager (gcpSecretsManager) and Azure Key Vault (azureKeyVault)' : 'is not a KES backend this product reads (gcpSecretsManager, azureKeyVault)'}`,
      );
      return;
    }
    const platform: 'gcp' | 'azure' = backend === 'gcpSecretsManager' ? 'gcp' : 'azure';
    let project: string | undefined;
    if (platform === 'gcp') {
      project = spec.projectId;
      if (project === undefined && spec.gcpProjectId !== undefined) {
        project = spec.gcpProjectId;
        report('warning', `${name}: gcpProjectId is not a field of the released KES CRD (projectId is); read as projectId ${project}`);
      }
      if (project === undefined) report('warning', `${name}: no projectId; KES used the controller's default project, the product the environment's`);
    }
    const vault = platform === 'azure' ? (spec.keyVaultName as string | undefined) : undefined;
    if (platform === 'azure' && vault === undefined) report('warning', `${name}: no keyVaultName; the secrets are read from the environment's vault`);
    for (const field of Object.keys(spec)) {
      if (!['backendType', 'projectId', 'gcpProjectId', 'keyVaultName', 'data', 'dataFrom', 'template', 'roleArn', 'region', 'vaultRole', 'vaultMountPoint', 'kvVersion'].includes(field)) {
        report('warning', `${name}: spec.${field} is not a field of the released KES CRD; ignored`);
      }
    }
    if (spec.dataFrom !== undefined) report('error', `${name}: dataFrom (every field of a secret) has no equivalent here: declare each key the Secret needs`);
    // The one template that converts: a key that is a field of a JSON secret.
    const properties = new Map<string, { source: string; field: string }>();
    if (spec.template !== undefined) {
      const t = spec.template as Json;
      const entries = Object.entries<unknown>({ ...(t?.data ?? {}), ...(t?.stringData ?? {}) });
      const other = Object.keys(t ?? {}).filter((k) => k !== 'data' && k !== 'stringData');
      for (const [k, v] of entries) {
        const hit = typeof v === 'string' ? JSON_FIELD_TEMPLATE.exec(v.trim()) : null;
        if (hit) properties.set(k, { source: hit[1], field: hit[2] });
        else report('error', `${name}: template key ${k} is a lodash template, which has no equivalent here (only JSON.parse(data.X).field converts, to a property)`);
      }
      if (other.length > 0) report('error', `${name}: template ${other.join(', ')} (the Secret's metadata or type) has no equivalent here`);
    }
    const data = spec.data;
    if (data !== undefined && !Array.isArray(data)) {
      report('error', `${name}: data is not a list`);
      return;
    }
    const byName = new Map<string, Json>();
    (data ?? []).forEach((item: unknown, j: number) => {
      const it = item as Json;
      const where = `${name}: data[${j}]`;
      if (!it || typeof it !== 'object') {
        report('error', `${where} is not a mapping`);
        return;
      }
      if (it.path !== undefined || it.recursive !== undefined) {
        report('error', `${where}: path/recursive (every secret under a path) has no equivalent here: declare each key`);
        return;
      }
      if (typeof it.key !== 'string' || it.key === '') {
        report('error', `${where} has no key (the remote secret)`);
        return;
      }
      if (typeof it.name !== 'string' || !satisfies(RULES.secretDataKey, it.name)) {
        report('error', `${where}: name ${JSON.stringify(it.name)}: ${RULES.secretDataKey.text}`);
        return;
      }
      byName.set(it.name, it);
    });
    for (const [k, p] of properties) {
      const src = byName.get(p.source);
      if (!src) {
        report('error', `${name}: template key ${k} reads data.${p.source}, which the data list does not have`);
        continue;
      }
      byName.set(k, { ...src, name: k, property: p.field });
      report('note', `${name}: template key ${k} (JSON.parse(data.${p.source}).${p.field}) converted to property ${p.field} of ${p.source}'s remote secret`);
    }
    for (const it of byName.values()) {
      const where = `${name}: ${it.name}`;
      let remoteName: string = it.key;
      let version = it.version === undefined || it.version === null ? undefined : String(it.version);
      let keyProject = project;
      const resource = platform === 'gcp' ? RESOURCE_NAME.exec(remoteName) : null;
      if (resource) {
        remoteName = resource[2];
        keyProject = resource[1];
        if (resource[3] !== undefined) version = resource[3];
        report('note', `${where}: key ${it.key} is a resource name; read as secret ${remoteName} of project ${keyProject}${resource[3] ? `, version ${resource[3]}` : ''}`);
        if (project !== undefined && keyProject !== project) {
          report('error', `${where}: secret ${remoteName} is in project ${keyProject}, not the manifest's ${project}; the product reads each environment's secrets from its own project`);
          continue;
        }
      } else if (platform === 'gcp' && remoteName.includes('/')) {
        report('error', `${where}: key ${it.key} is neither a secret name nor a projects/P/secrets/S[/versions/V] resource name`);
        continue;
      }
      if (version === 'latest') version = undefined;
      const nameRule = platform === 'gcp' ? RULES.secretManagerId : RULES.keyVaultSecretName;
      if (!satisfies(nameRule, remoteName)) {
        report('error', `${where}: remote name ${JSON.stringify(remoteName)}: ${nameRule.text}`);
        continue;
      }
      const versionRule = platform === 'gcp' ? RULES.secretVersion : RULES.keyVaultSecretVersion;
      if (version !== undefined && !satisfies(versionRule, version)) {
        report('error', `${where}: version ${JSON.stringify(version)}: ${versionRule.text}`);
        continue;
      }
      if (it.isBinary) report('warning', `${where}: isBinary is not carried over; External Secrets decodes with decodingStrategy, which the product does not set`);
      keys.push({
        platform,
        service,
        namespace,
        secret: name,
        key: it.name,
        remoteName,
        ...(version !== undefined ? { version } : {}),
        ...(typeof it.property === 'string' ? { property: it.property } : {}),
        ...(keyProject !== undefined ? { project: keyProject } : {}),
        ...(vault !== undefined ? { vault } : {}),
        from: { file, at },
      });
    }
  });
  return { keys, findings };
}
