import { formatPath } from '../../declaration/problem';
import { placeholderOwner, type KubernetesObject } from '../../kubernetes/objects';
import type { EnvironmentFacts, PolicyRule, ResourceInstance, Violation } from '../types';
import { keyVaultIds, keyVaultSecretScopes } from '../inventory';

function provisioned(instances: readonly ResourceInstance[]): Set<string> {
  const names = new Set<string>();
  for (const r of instances) {
    if (r.type === 'google_secret_manager_secret') names.add(String(r.config.secret_id));
    if (r.type === 'azurerm_key_vault_secret') names.add(String(r.config.name).toLowerCase());
  }
  return names;
}

/** Who a SecretStore or SecretProviderClass authenticates as: an IAM member or principal expressions. */
function readersOf(o: KubernetesObject, find: (kind: string, ns: string | undefined, name: string) => KubernetesObject | undefined, facts: EnvironmentFacts): string[] {
  const sa = (name: string) => find('ServiceAccount', o.metadata.namespace, name);
  const spec = (o as { spec?: any }).spec;
  if (o.kind === 'SecretStore' && spec?.provider?.gcpsm) {
    const ksa = sa(spec.provider.gcpsm.auth?.workloadIdentity?.serviceAccountRef?.name);
    const gsa = ksa?.metadata.annotations?.['iam.gke.io/gcp-service-account'];
    if (gsa) return [`serviceAccount:${gsa}`];
    return [`principal://iam.googleapis.com/projects/${facts.projectNumber}/locations/global/workloadIdentityPools/${spec.provider.gcpsm.projectID}.svc.id.goog/subject/ns/${o.metadata.namespace}/sa/${ksa?.metadata.name}`];
  }
  const owner =
    o.kind === 'SecretStore'
      ? placeholderOwner(sa(spec?.provider?.azurekv?.serviceAccountRef?.name)?.metadata.annotations?.['azure.workload.identity/client-id'])
      : placeholderOwner(spec?.parameters?.clientID) ?? placeholderOwner(spec?.parameters?.userAssignedIdentityID);
  if (owner === 'aks-addon') return Object.values(facts.members).filter((m) => m.includes('key_vault_secrets_provider'));
  return owner && facts.members[owner] ? [facts.members[owner]] : [];
}

/** Every (secret, reader) pair a grant allows, as `name\u0000reader`: on one secret, or on a vault for every secret in it. */
function readable(instances: readonly ResourceInstance[]): Set<string> {
  const out = new Set<string>();
  const scopes = keyVaultSecretScopes(instances);
  const vaults = keyVaultIds(instances);
  const inVault = new Map<string, string[]>();
  for (const r of instances) {
    if (r.type !== 'azurerm_key_vault_secret') continue;
    const list = inVault.get(String(r.config.key_vault_id)) ?? [];
    list.push(String(r.config.name));
    inVault.set(String(r.config.key_vault_id), list);
  }
  for (const r of instances) {
    if (r.type === 'google_secret_manager_secret_iam_member' && r.config.role === 'roles/secretmanager.secretAccessor') out.add(`${r.config.secret_id}\u0000${r.config.member}`);
    if (r.type === 'azurerm_role_assignment' && r.config.role_definition_name === 'Key Vault Secrets User') {
      const scope = String(r.config.scope);
      const name = scopes.get(scope);
      if (name !== undefined) out.add(`${name}\u0000${r.config.principal_id}`);
      if (vaults.has(scope)) for (const n of inVault.get(scope) ?? []) out.add(`${n}\u0000${r.config.principal_id}`);
    }
  }
  return out;
}

/** The vault a SecretStore or SecretProviderClass reads (Azure). */
function vaultOf(o: KubernetesObject | undefined): string | undefined {
  const spec = (o as { spec?: any } | undefined)?.spec;
  if (o?.kind === 'SecretProviderClass') return spec?.parameters?.keyvaultName;
  const url = spec?.provider?.azurekv?.vaultUrl;
  return typeof url === 'string' ? /^https:\/\/([^.]+)\./.exec(url)?.[1] : undefined;
}

/**
 * SW-REF-001: every remote secret a manifest asks for exists in the environment and is readable
 * by the identity that manifest authenticates as.
 */
export const ref001References: PolicyRule = {
  id: 'SW-REF-001',
  severity: 'error',
  description: 'Every ExternalSecret key and SecretProviderClass object is provisioned in its environment and readable by its identity.',
  fix: 'Declare the key (or a from) in the service whose manifest reads it; the product then creates the secret and the grant together.',
  check(ctx) {
    const out: Violation[] = [];
    const facts = ctx.facts;
    if (!facts) return out;
    const names = provisioned(ctx.instances);
    const grants = readable(ctx.instances);
    // In a sharded environment, secrets of other shards (and their grants) count too.
    for (const n of facts.elsewhere?.secrets ?? []) names.add(facts.cloud === 'azure' ? n.toLowerCase() : n);
    for (const g of facts.elsewhere?.readable ?? []) grants.add(g);
    const objects = facts.objects;
    const index = new Map(objects.map((x) => [`${x.kind}/${x.metadata.namespace}/${x.metadata.name}`, x]));
    const find = (kind: string, ns: string | undefined, name: string) => index.get(`${kind}/${ns}/${name}`);
    for (const o of objects) {
      const spec = (o as { spec?: any }).spec;
      const where = `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
      const service = o.metadata.labels?.['secret-wiring.dev/service'];
      // Each remote secret wanted, with the object that authenticates for it (and names its vault).
      let wanted: { name: string; auth: KubernetesObject }[] = [];
      if (o.kind === 'ExternalSecret') {
        const missing = new Set<string>();
        for (const d of spec?.data ?? []) {
          const store = d.sourceRef?.storeRef?.name ?? spec?.secretStoreRef?.name;
          const auth = find('SecretStore', o.metadata.namespace, store);
          if (auth) wanted.push({ name: String(d.remoteRef?.key), auth });
          else missing.add(String(store));
        }
        for (const store of missing) {
          out.push({ resource: where, message: `its SecretStore ${store} is not generated`, declarationPath: service && formatPath(['services', service, 'secrets', o.metadata.name]) });
        }
      } else if (o.kind === 'SecretProviderClass') {
        const param = String(spec?.parameters?.objects ?? '');
        wanted = [...param.matchAll(/objectName: *"?([^"\n]+)"?/g)].map((m) => ({ name: m[1].trim(), auth: o }));
      } else continue;
      const readersByAuth = new Map<KubernetesObject, string[]>();
      for (const { name, auth } of wanted) {
        let readers = readersByAuth.get(auth);
        if (!readers) readersByAuth.set(auth, (readers = readersOf(auth, find, facts)));
        const key = facts.cloud === 'azure' ? name.toLowerCase() : name;
        const path = service ? formatPath(['services', service]) : undefined;
        const vault = facts.cloud === 'azure' ? vaultOf(auth) : undefined;
        const holder = facts.keyVaults?.[key];
        if (!names.has(key)) out.push({ resource: where, message: `${name} is not a secret of environment ${facts.environment}`, declarationPath: path });
        else if (holder !== undefined && vault !== undefined && holder.toLowerCase() !== vault.toLowerCase()) {
          out.push({ resource: where, message: `${name} is in vault ${holder}, but ${auth === o ? 'it reads' : `its SecretStore ${auth.metadata.name} reads`} vault ${vault}`, declarationPath: path });
        } else if (readers.length === 0 || !readers.every((reader) => grants.has(`${name}\u0000${reader}`))) {
          out.push({ resource: where, message: `${name} is not readable by the identity ${readers[0] ?? '(none)'} that ${o.kind === 'ExternalSecret' ? 'its SecretStore' : 'it'} uses`, declarationPath: path });
        }
      }
    }
    return out;
  },
};
