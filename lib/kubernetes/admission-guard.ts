/**
 * In-cluster admission guard for the namespaces the product manages, made of Kubernetes built-in
 * ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1, GA since Kubernetes 1.30).
 *
 * IAM alone cannot stop a namespace editor from creating a SecretStore with no `auth` (External
 * Secrets then reads as the controller's own identity), with another service's identity, or from
 * pointing an ExternalSecret at a ClusterSecretStore that every namespace can use. The guard
 * renders three policies:
 *
 * - `secret-wiring-secretstores`: a SecretStore must name exactly one provider, the cloud's
 *   (`gcpsm` or `azurekv`), authenticate with workload identity as one of the namespace's declared
 *   Kubernetes service accounts, and read the environment's project (GKE) or one of the
 *   namespace's vaults in the declared tenant (AKS). One binding per managed namespace selects it
 *   by the label `kubernetes.io/metadata.name`, which the API server sets and keeps equal to the
 *   namespace's name, and names a parameter ConfigMap in `paramNamespace` holding that namespace's
 *   allowed values. A missing ConfigMap denies (`parameterNotFoundAction: Deny`).
 * - `secret-wiring-externalsecrets`: an ExternalSecret may reference only a SecretStore (of its own
 *   namespace), in `spec.secretStoreRef` and in every `sourceRef.storeRef` of `data` and
 *   `dataFrom`. One binding per managed namespace.
 * - `secret-wiring-clustersecretstores`: a ClusterSecretStore may be created or changed only when
 *   its name is listed. One cluster-wide binding.
 *
 * Isolation: nothing a namespace editor can edit changes what the guard allows. The policies and
 * bindings are cluster-scoped, the parameters live in the controller's namespace (which is never a
 * managed namespace), the binding names them explicitly, and namespaces are selected by a label
 * the API server owns.
 *
 * Every expression is standard CEL (no Kubernetes string or list extensions), so the tests evaluate
 * them with a plain CEL library. An update that leaves `spec` unchanged (labels, annotations,
 * finalizers) is not re-checked: that keeps an object created before the guard deletable.
 */
import { createHash } from 'node:crypto';
import { MANAGED_BY } from '../declaration/naming';
import { MANAGED_BY_LABEL, SERVICE_LABEL, sortObjects, type KubernetesObject, type ObjectMeta } from './objects';

// ---------------------------------------------------------------------------------------------
// admissionregistration.k8s.io/v1 shapes (the fields this module uses)
// ---------------------------------------------------------------------------------------------

export const ADMISSION_REGISTRATION_API = 'admissionregistration.k8s.io/v1';

export type ValidationAction = 'Deny' | 'Warn' | 'Audit';
const VALIDATION_ACTIONS: readonly string[] = ['Deny', 'Warn', 'Audit'] satisfies ValidationAction[];
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT' | '*';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface NamedRuleWithOperations {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly operations: readonly AdmissionOperation[];
  readonly resources: readonly string[];
  readonly scope: 'Cluster' | 'Namespaced' | '*';
}

export interface MatchResources {
  readonly namespaceSelector?: LabelSelector;
  readonly objectSelector?: LabelSelector;
  readonly resourceRules?: readonly NamedRuleWithOperations[];
  readonly excludeResourceRules?: readonly NamedRuleWithOperations[];
  readonly matchPolicy?: 'Exact' | 'Equivalent';
}

/** A named CEL expression: a match condition or a variable. */
export interface NamedExpression {
  readonly name: string;
  readonly expression: string;
}

export interface Validation {
  readonly expression: string;
  /** Static message, used when `messageExpression` is absent or fails. */
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: 'Unauthorized' | 'Forbidden' | 'Invalid' | 'RequestEntityTooLarge';
}

export interface ValidatingAdmissionPolicySpec {
  readonly failurePolicy: 'Fail' | 'Ignore';
  /** Kind of the parameter objects. @default - no parameters */
  readonly paramKind?: { readonly apiVersion: string; readonly kind: string };
  readonly matchConstraints: MatchResources;
  /** @default - every request that matches the constraints */
  readonly matchConditions?: readonly NamedExpression[];
  /** @default - none */
  readonly variables?: readonly NamedExpression[];
  readonly validations: readonly Validation[];
}

export interface ValidatingAdmissionPolicy extends KubernetesObject {
  readonly apiVersion: typeof ADMISSION_REGISTRATION_API;
  readonly kind: 'ValidatingAdmissionPolicy';
  readonly spec: ValidatingAdmissionPolicySpec;
}

export interface ParamRef {
  readonly name: string;
  readonly namespace: string;
  readonly parameterNotFoundAction: 'Deny' | 'Allow';
}

export interface ValidatingAdmissionPolicyBindingSpec {
  readonly policyName: string;
  /** @default - the policy's validations run without parameters */
  readonly paramRef?: ParamRef;
  /** @default - the policy's own matchConstraints */
  readonly matchResources?: MatchResources;
  readonly validationActions: readonly ValidationAction[];
}

export interface ValidatingAdmissionPolicyBinding extends KubernetesObject {
  readonly apiVersion: typeof ADMISSION_REGISTRATION_API;
  readonly kind: 'ValidatingAdmissionPolicyBinding';
  readonly spec: ValidatingAdmissionPolicyBindingSpec;
}

export interface ConfigMap extends KubernetesObject {
  readonly apiVersion: 'v1';
  readonly kind: 'ConfigMap';
  readonly data: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------
// Props
// ---------------------------------------------------------------------------------------------

/** A namespace the product manages, and what its SecretStores may use. */
export interface GuardedNamespace {
  readonly namespace: string;
  /** Services whose objects live there (more than one only where services declared a shared namespace). */
  readonly services: readonly string[];
  /** Kubernetes service accounts those services authenticate as. */
  readonly serviceAccounts: readonly string[];
  /**
   * GKE: the project the SecretStores read. Exactly one of `gcpsm` and `azurekv` is given.
   * @default - not a GKE namespace
   */
  readonly gcpsm?: { readonly projectId: string };
  /**
   * AKS: the tenant and every vault URL the namespace's SecretStores may name.
   * @default - not an AKS namespace
   */
  readonly azurekv?: { readonly tenantId: string; readonly vaultUrls: readonly string[] };
}

export interface AdmissionGuardProps {
  /** Namespace of the parameter ConfigMaps (the controller's namespace). Never a managed namespace. */
  readonly paramNamespace: string;
  readonly namespaces: readonly GuardedNamespace[];
  /**
   * ClusterSecretStores allowed by name; any other is refused on create and on a change of spec.
   * @default [] - no ClusterSecretStore
   */
  readonly clusterSecretStores?: readonly string[];
  /**
   * What a binding does with a failed validation: `['Deny']` refuses the request;
   * `['Audit', 'Warn']` only records it and warns the client, for a rollout in audit mode.
   * @default ['Deny']
   */
  readonly validationActions?: readonly ValidationAction[];
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

export const SECRET_STORE_POLICY = 'secret-wiring-secretstores';
export const EXTERNAL_SECRET_POLICY = 'secret-wiring-externalsecrets';
export const CLUSTER_SECRET_STORE_POLICY = 'secret-wiring-clustersecretstores';
/** Annotation on a parameter ConfigMap naming the services of its namespace (for people; the guard does not read it). */
export const SERVICES_ANNOTATION = 'secret-wiring.dev/services';
/** Label the API server sets on every namespace, equal to its name; editors cannot change it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_NAME = 253;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * Name of a namespace's binding (and the SecretStore policy's parameter ConfigMap) of a policy:
 * `<policy>-<namespace>` (no dot, so that Terraform block names keep the whole name). A namespace is
 * a DNS label (at most 63 characters), so the name is a valid DNS subdomain far below 253
 * characters; were it longer, it would be cut and end with a hash of the full name.
 */
export function namespaceGuardName(namespace: string, policyName: string = SECRET_STORE_POLICY): string {
  const name = `${policyName}-${namespace}`;
  return name.length <= MAX_NAME ? name : `${name.slice(0, MAX_NAME - 9).replace(/[-.]+$/, '')}-${shortHash(name)}`;
}

/**
 * ConfigMap key for one allowed value: `<kind>.<value>` when that is a valid key, else the value's
 * characters that are allowed, cut, and a hash of the value. Only the value decides membership;
 * the key only keeps entries apart and readable.
 */
function memberKey(kind: string, value: string): string {
  const plain = `${kind}.${value.replace(/^https:\/\//, '')}`;
  if (CONFIG_MAP_KEY.test(plain) && plain.length <= MAX_NAME) return plain;
  return `${plain.replace(/[^-._a-zA-Z0-9]/g, '_').slice(0, MAX_NAME - 9)}.${shortHash(value)}`;
}

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

const labels = { [MANAGED_BY_LABEL]: MANAGED_BY };
const meta = (name: string, namespace?: string): ObjectMeta => (namespace ? { name, namespace, labels } : { name, labels });
/**
 * A namespace's own guard objects carry its (first) service's label, so that they go where the
 * service's other objects go (its shard), and adding a service adds objects without changing others.
 */
const namespaceMeta = (ns: GuardedNamespace, name: string, namespace?: string): ObjectMeta => {
  const m = meta(name, namespace);
  return { ...m, labels: { ...m.labels, [SERVICE_LABEL]: sortedUnique(ns.services)[0] } };
};

/** CREATE and UPDATE of one external-secrets.io/v1 resource; other served versions are converted (Equivalent). */
function externalSecretsRule(resource: string, scope: 'Namespaced' | 'Cluster'): MatchResources {
  return {
    matchPolicy: 'Equivalent',
    resourceRules: [{ apiGroups: ['external-secrets.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: [resource], scope }],
  };
}

/**
 * Applies on CREATE, and on UPDATE only when `spec` changes: a change of labels, annotations or
 * finalizers cannot change what an object reads, and must stay possible for objects created before
 * the guard (or a finalizer could never be removed).
 */
const SPEC_CHANGES: NamedExpression = {
  name: 'spec-changes',
  expression: "request.operation != 'UPDATE' || !has(oldObject.spec) || !has(object.spec) || object.spec != oldObject.spec",
};

function policy(name: string, spec: ValidatingAdmissionPolicySpec): ValidatingAdmissionPolicy {
  return { apiVersion: ADMISSION_REGISTRATION_API, kind: 'ValidatingAdmissionPolicy', metadata: meta(name), spec };
}

function binding(name: string, spec: ValidatingAdmissionPolicyBindingSpec, metadata: ObjectMeta = meta(name)): ValidatingAdmissionPolicyBinding {
  return { apiVersion: ADMISSION_REGISTRATION_API, kind: 'ValidatingAdmissionPolicyBinding', metadata, spec };
}

const IN_NAMESPACE = "' in namespace ' + request.namespace";

/** SecretStores: one provider, the cloud's, authenticating as a declared service account. */
function secretStorePolicy(): ValidatingAdmissionPolicy {
  const g = 'object.spec.provider.gcpsm';
  const a = 'object.spec.provider.azurekv';
  const wi = `${g}.auth.workloadIdentity`;
  return policy(SECRET_STORE_POLICY, {
    failurePolicy: 'Fail',
    paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    matchConstraints: externalSecretsRule('secretstores', 'Namespaced'),
    matchConditions: [SPEC_CHANGES],
    variables: [
      // Names of the configured providers (the keys of spec.provider).
      { name: 'providers', expression: 'has(object.spec) && has(object.spec.provider) ? object.spec.provider.map(p, p) : []' },
      { name: 'allowedProvider', expression: 'params.data.provider' },
      { name: 'gcpsm', expression: "variables.providers == ['gcpsm'] && variables.allowedProvider == 'gcpsm'" },
      { name: 'azurekv', expression: "variables.providers == ['azurekv'] && variables.allowedProvider == 'azurekv'" },
      // Whether the store authenticates with workload identity (the only kind the guard allows).
      {
        name: 'workloadIdentity',
        expression:
          `variables.gcpsm ? has(${g}.auth) && has(${g}.auth.workloadIdentity) : ` +
          `variables.azurekv && has(${a}.authType) && ${a}.authType == 'WorkloadIdentity'`,
      },
      {
        name: 'serviceAccount',
        expression:
          `variables.gcpsm ? (has(${wi}.serviceAccountRef) && has(${wi}.serviceAccountRef.name) ? ${wi}.serviceAccountRef.name : '') : ` +
          `(has(${a}.serviceAccountRef) && has(${a}.serviceAccountRef.name) ? ${a}.serviceAccountRef.name : '')`,
      },
    ],
    validations: [
      {
        expression: 'variables.providers.size() == 1',
        messageExpression: `'a SecretStore' + ${IN_NAMESPACE} + ' must configure exactly one provider (' + variables.allowedProvider + '), not ' + string(variables.providers.size())`,
        message: 'a SecretStore must configure exactly one provider',
        reason: 'Forbidden',
      },
      {
        expression: 'variables.providers.all(p, p == variables.allowedProvider)',
        messageExpression: `'provider ' + variables.providers.filter(p, p != variables.allowedProvider)[0] + ' is not allowed' + ${IN_NAMESPACE} + ': SecretStores here use only ' + variables.allowedProvider`,
        message: 'a SecretStore may use only the provider of its cluster',
        reason: 'Forbidden',
      },
      // GKE
      {
        expression: `!variables.gcpsm || variables.workloadIdentity`,
        messageExpression:
          `has(${g}.auth) ? 'spec.provider.gcpsm.auth.workloadIdentity is missing: SecretStores' + ${IN_NAMESPACE} + ' authenticate with workload identity as one of ' + params.data.serviceAccounts` +
          ` : 'spec.provider.gcpsm.auth is missing: without it the store reads as the External Secrets controller\\'s own identity; use auth.workloadIdentity with one of ' + params.data.serviceAccounts`,
        message: 'spec.provider.gcpsm.auth.workloadIdentity is required',
        reason: 'Forbidden',
      },
      {
        expression: `!variables.gcpsm || !has(${g}.auth) || ${g}.auth.all(k, k == 'workloadIdentity')`,
        messageExpression: `'spec.provider.gcpsm.auth.' + ${g}.auth.filter(k, k != 'workloadIdentity')[0] + ' is not allowed: only auth.workloadIdentity with one of ' + params.data.serviceAccounts`,
        message: 'spec.provider.gcpsm.auth may hold only workloadIdentity',
        reason: 'Forbidden',
      },
      {
        expression: `!variables.gcpsm || has(${g}.projectID) && ${g}.projectID == params.data.projectID`,
        messageExpression: `'spec.provider.gcpsm.projectID ' + (has(${g}.projectID) ? ${g}.projectID : '(unset)') + ' is not allowed' + ${IN_NAMESPACE} + ': the project is ' + params.data.projectID`,
        message: "spec.provider.gcpsm.projectID must be the environment's project",
        reason: 'Forbidden',
      },
      // AKS
      {
        expression: `!variables.azurekv || variables.workloadIdentity`,
        messageExpression: `'spec.provider.azurekv.authType ' + (has(${a}.authType) ? ${a}.authType : '(unset, ServicePrincipal)') + ' is not allowed: SecretStores' + ${IN_NAMESPACE} + ' use authType WorkloadIdentity with one of ' + params.data.serviceAccounts`,
        message: 'spec.provider.azurekv.authType must be WorkloadIdentity',
        reason: 'Forbidden',
      },
      {
        expression: `!variables.azurekv || !has(${a}.authSecretRef)`,
        message: 'spec.provider.azurekv.authSecretRef is not allowed: SecretStores authenticate with workload identity, never with a stored credential',
        reason: 'Forbidden',
      },
      {
        expression: `!variables.azurekv || !has(${a}.identityId)`,
        messageExpression: `'spec.provider.azurekv.identityId ' + ${a}.identityId + ' is not allowed: the identity is the one federated with the service account'`,
        message: 'spec.provider.azurekv.identityId is not allowed',
        reason: 'Forbidden',
      },
      {
        expression: `!variables.azurekv || has(${a}.vaultUrl) && params.data.exists(k, k.startsWith('vaultUrl.') && params.data[k] == ${a}.vaultUrl)`,
        messageExpression: `'vault ' + (has(${a}.vaultUrl) ? ${a}.vaultUrl : '(unset)') + ' is not allowed' + ${IN_NAMESPACE} + '; allowed: ' + params.data.vaultUrls`,
        message: 'spec.provider.azurekv.vaultUrl must be one of the vaults allowed for the namespace',
        reason: 'Forbidden',
      },
      {
        expression: `!variables.azurekv || has(${a}.tenantId) && ${a}.tenantId == params.data.tenantId`,
        messageExpression: `'spec.provider.azurekv.tenantId ' + (has(${a}.tenantId) ? ${a}.tenantId : '(unset)') + ' is not allowed' + ${IN_NAMESPACE} + ': the tenant is ' + params.data.tenantId`,
        message: 'spec.provider.azurekv.tenantId must be the declared tenant',
        reason: 'Forbidden',
      },
      // Both
      {
        expression: `!variables.workloadIdentity || params.data.exists(k, k.startsWith('serviceAccount.') && params.data[k] == variables.serviceAccount)`,
        messageExpression:
          `(variables.serviceAccount == '' ? 'serviceAccountRef.name is missing' : 'service account ' + variables.serviceAccount + ' is not allowed')` +
          ` + ${IN_NAMESPACE} + '; allowed: ' + params.data.serviceAccounts`,
        message: "the SecretStore's service account must be one declared for the namespace",
        reason: 'Forbidden',
      },
    ],
  });
}

/** ExternalSecrets: every store reference is a SecretStore (of the ExternalSecret's own namespace). */
function externalSecretPolicy(): ValidatingAdmissionPolicy {
  // Store references of data[] / dataFrom[] entries that name another kind than SecretStore.
  const foreign = (list: string) =>
    `has(object.spec) && has(object.spec.${list}) ? object.spec.${list}.filter(e, has(e.sourceRef) && has(e.sourceRef.storeRef) && has(e.sourceRef.storeRef.kind) && e.sourceRef.storeRef.kind != 'SecretStore').map(e, e.sourceRef.storeRef) : []`;
  const named = (ref: string) => `${ref}.kind + (has(${ref}.name) ? ' ' + ${ref}.name : '')`;
  const why = `' is not allowed' + ${IN_NAMESPACE} + ': ExternalSecrets here read only from a SecretStore of their own namespace'`;
  return policy(EXTERNAL_SECRET_POLICY, {
    failurePolicy: 'Fail',
    matchConstraints: externalSecretsRule('externalsecrets', 'Namespaced'),
    matchConditions: [SPEC_CHANGES],
    variables: [
      // kind defaults to SecretStore when absent.
      {
        name: 'storeRef',
        expression: "has(object.spec) && has(object.spec.secretStoreRef) ? object.spec.secretStoreRef : {'kind': 'SecretStore'}",
      },
      { name: 'dataStoreRefs', expression: foreign('data') },
      { name: 'dataFromStoreRefs', expression: foreign('dataFrom') },
    ],
    validations: [
      {
        expression: "!has(variables.storeRef.kind) || variables.storeRef.kind == 'SecretStore'",
        messageExpression: `'spec.secretStoreRef names ' + ${named('variables.storeRef')} + ${why}`,
        message: 'spec.secretStoreRef must name a SecretStore, not a ClusterSecretStore',
        reason: 'Forbidden',
      },
      {
        expression: 'variables.dataStoreRefs.size() == 0',
        messageExpression: `'spec.data[].sourceRef.storeRef names ' + ${named('variables.dataStoreRefs[0]')} + ${why}`,
        message: 'spec.data[].sourceRef.storeRef must name a SecretStore, not a ClusterSecretStore',
        reason: 'Forbidden',
      },
      {
        expression: 'variables.dataFromStoreRefs.size() == 0',
        messageExpression: `'spec.dataFrom[].sourceRef.storeRef names ' + ${named('variables.dataFromStoreRefs[0]')} + ${why}`,
        message: 'spec.dataFrom[].sourceRef.storeRef must name a SecretStore, not a ClusterSecretStore',
        reason: 'Forbidden',
      },
    ],
  });
}

/** ClusterSecretStores: only the listed names. */
function clusterSecretStorePolicy(allowed: readonly string[]): ValidatingAdmissionPolicy {
  // Names are checked DNS subdomains, so quoting them in a CEL string literal is safe.
  const list = `[${allowed.map((n) => `'${n}'`).join(', ')}]`;
  const tail = allowed.length === 0 ? 'no ClusterSecretStore is allowed in this cluster' : `allowed: ${allowed.join(', ')}`;
  return policy(CLUSTER_SECRET_STORE_POLICY, {
    failurePolicy: 'Fail',
    matchConstraints: externalSecretsRule('clustersecretstores', 'Cluster'),
    matchConditions: [SPEC_CHANGES],
    validations: [
      {
        expression: `object.metadata.name in ${list}`,
        messageExpression: `'ClusterSecretStore ' + object.metadata.name + ' is not allowed: every namespace could read through it; ${tail}'`,
        message: `ClusterSecretStore not allowed: ${tail}`,
        reason: 'Forbidden',
      },
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// Parameters and bindings
// ---------------------------------------------------------------------------------------------

const sortedUnique = (values: readonly string[]) => [...new Set(values)].sort();

/** The parameter ConfigMap of one namespace: fixed keys with exact values, and one key per allowed value. */
function namespaceParams(ns: GuardedNamespace, paramNamespace: string): ConfigMap {
  const data: Record<string, string> = {};
  const members = (kind: string, values: readonly string[]) => {
    for (const v of sortedUnique(values)) {
      const key = memberKey(kind, v);
      if (key in data) throw new Error(`admission guard: ConfigMap key ${key} would hold two values`);
      data[key] = v;
    }
  };
  const serviceAccounts = sortedUnique(ns.serviceAccounts);
  members('serviceAccount', serviceAccounts);
  // For messages only: standard CEL cannot join a list.
  data.serviceAccounts = serviceAccounts.join(', ');
  if (ns.gcpsm) {
    data.provider = 'gcpsm';
    data.projectID = ns.gcpsm.projectId;
  } else if (ns.azurekv) {
    const vaultUrls = sortedUnique(ns.azurekv.vaultUrls);
    data.provider = 'azurekv';
    data.tenantId = ns.azurekv.tenantId;
    members('vaultUrl', vaultUrls);
    data.vaultUrls = vaultUrls.join(', ');
  }
  const sorted = Object.fromEntries(Object.keys(data).sort().map((k) => [k, data[k]]));
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...namespaceMeta(ns, namespaceGuardName(ns.namespace), paramNamespace), annotations: { [SERVICES_ANNOTATION]: sortedUnique(ns.services).join(', ') } },
    data: sorted,
  };
}

function validate(props: AdmissionGuardProps): void {
  const errors: string[] = [];
  const check = (ok: boolean, path: string, value: unknown, rule: string) => {
    if (!ok) errors.push(`${path}: ${JSON.stringify(value)}: ${rule}`);
  };
  check(DNS_LABEL.test(props.paramNamespace) && props.paramNamespace.length <= 63, 'paramNamespace', props.paramNamespace, 'a namespace name (DNS label)');
  const seen = new Set<string>();
  props.namespaces.forEach((ns, i) => {
    const at = `namespaces[${i}]`;
    check(DNS_LABEL.test(ns.namespace) && ns.namespace.length <= 63, `${at}.namespace`, ns.namespace, 'a namespace name (DNS label)');
    check(!seen.has(ns.namespace), `${at}.namespace`, ns.namespace, 'listed once');
    check(ns.namespace !== props.paramNamespace, `${at}.namespace`, ns.namespace, 'not the parameter namespace: its editors would edit the parameters');
    seen.add(ns.namespace);
    check(ns.serviceAccounts.length > 0, `${at}.serviceAccounts`, ns.serviceAccounts, 'at least one');
    ns.serviceAccounts.forEach((sa, j) => check(DNS_SUBDOMAIN.test(sa) && sa.length <= MAX_NAME, `${at}.serviceAccounts[${j}]`, sa, 'a service account name (DNS subdomain)'));
    check((ns.gcpsm === undefined) !== (ns.azurekv === undefined), at, ns.namespace, 'exactly one of gcpsm and azurekv');
    if (ns.gcpsm) check(ns.gcpsm.projectId.length > 0, `${at}.gcpsm.projectId`, ns.gcpsm.projectId, 'not empty');
    if (ns.azurekv) {
      check(ns.azurekv.tenantId.length > 0, `${at}.azurekv.tenantId`, ns.azurekv.tenantId, 'not empty');
      check(ns.azurekv.vaultUrls.length > 0, `${at}.azurekv.vaultUrls`, ns.azurekv.vaultUrls, 'at least one');
      ns.azurekv.vaultUrls.forEach((u, j) => check(/^https:\/\/\S+$/.test(u), `${at}.azurekv.vaultUrls[${j}]`, u, 'an https URL'));
    }
  });
  (props.clusterSecretStores ?? []).forEach((n, i) =>
    check(DNS_SUBDOMAIN.test(n) && n.length <= MAX_NAME, `clusterSecretStores[${i}]`, n, 'a ClusterSecretStore name (DNS subdomain)'),
  );
  const actions = props.validationActions ?? ['Deny'];
  check(actions.length > 0 && new Set(actions).size === actions.length, 'validationActions', actions, 'not empty, no repeats');
  check(actions.every((a) => VALIDATION_ACTIONS.includes(a)), 'validationActions', actions, `each one of ${VALIDATION_ACTIONS.join(', ')}`);
  check(!(actions.includes('Deny') && actions.includes('Warn')), 'validationActions', actions, 'Deny and Warn together are refused by Kubernetes');
  if (errors.length > 0) throw new Error(`invalid admission guard:\n${errors.join('\n')}`);
}

/**
 * Every object of the guard: three ValidatingAdmissionPolicies, their bindings, and one parameter
 * ConfigMap per managed namespace (in `paramNamespace`), sorted by {@link sortObjects}.
 * With no managed namespace, the namespaced policies have no binding.
 *
 * @throws Error listing every invalid input (`path: value: rule`).
 */
export function admissionGuardObjects(props: AdmissionGuardProps): KubernetesObject[] {
  validate(props);
  const validationActions = [...(props.validationActions ?? ['Deny'])];
  const namespaces = [...props.namespaces].sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
  const objects: KubernetesObject[] = [
    secretStorePolicy(),
    externalSecretPolicy(),
    clusterSecretStorePolicy(sortedUnique(props.clusterSecretStores ?? [])),
    binding(CLUSTER_SECRET_STORE_POLICY, { policyName: CLUSTER_SECRET_STORE_POLICY, validationActions }),
  ];
  // Per namespace, so that adding one adds objects and changes none.
  for (const ns of namespaces) {
    const name = namespaceGuardName(ns.namespace);
    const selector = { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns.namespace } } };
    objects.push(namespaceParams(ns, props.paramNamespace));
    objects.push(
      binding(
        name,
        { policyName: SECRET_STORE_POLICY, paramRef: { name, namespace: props.paramNamespace, parameterNotFoundAction: 'Deny' }, matchResources: selector, validationActions },
        namespaceMeta(ns, name),
      ),
    );
    const esName = namespaceGuardName(ns.namespace, EXTERNAL_SECRET_POLICY);
    objects.push(binding(esName, { policyName: EXTERNAL_SECRET_POLICY, matchResources: selector, validationActions }, namespaceMeta(ns, esName)));
  }
  return sortObjects(objects);
}
