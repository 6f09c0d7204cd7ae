/// <reference path="./setup.ts" />
import {
  admissionGuardObjects,
  CLUSTER_SECRET_STORE_POLICY,
  EXTERNAL_SECRET_POLICY,
  namespaceGuardName,
  SECRET_STORE_POLICY,
  type AdmissionGuardProps,
  type ConfigMap,
  type ValidatingAdmissionPolicy,
  type ValidatingAdmissionPolicyBinding,
} from '../lib/kubernetes/admission-guard';
import {
  azureSecretStoreObject,
  externalSecretObject,
  gcpSecretStoreObject,
  MANAGED_BY_LABEL,
  type KubernetesObject,
} from '../lib/kubernetes/objects';
import { AdmissionSimulator, type AdmissionAttempt, type AdmissionOutcome } from './support/cel-admission';
import { kubernetesOpenApi } from './support/kubernetes-openapi';

const PROJECT = 'acme-prod';
const TENANT = '11111111-2222-3333-4444-555555555555';
const CONTROLLER_NS = 'external-secrets';

/** A GKE cluster: one namespace per service, and one namespace two services declared shared. */
const gkeProps: AdmissionGuardProps = {
  paramNamespace: CONTROLLER_NS,
  namespaces: [
    { namespace: 'payments', services: ['payments'], serviceAccounts: ['payments-secrets'], gcpsm: { projectId: PROJECT } },
    { namespace: 'ledger', services: ['billing', 'ledger'], serviceAccounts: ['ledger-secrets', 'billing-secrets'], gcpsm: { projectId: PROJECT } },
  ],
  clusterSecretStores: ['platform-store'],
};

const ORDERS_VAULT = 'https://kv-orders.vault.azure.net';
const SHARED_VAULT = 'https://kv-shared.vault.azure.net';

/** An AKS cluster: one namespace reading two vaults. */
const aksProps: AdmissionGuardProps = {
  paramNamespace: CONTROLLER_NS,
  namespaces: [{ namespace: 'orders', services: ['orders'], serviceAccounts: ['orders-secrets'], azurekv: { tenantId: TENANT, vaultUrls: [SHARED_VAULT, ORDERS_VAULT] } }],
};

const gke = new AdmissionSimulator(admissionGuardObjects(gkeProps));
const aks = new AdmissionSimulator(admissionGuardObjects(aksProps));

// The product's own objects, from its own builders.
const paymentsStore = gcpSecretStoreObject({ name: 'payments-gcpsm', namespace: 'payments', service: 'payments', projectId: PROJECT, serviceAccount: 'payments-secrets' });
const paymentsSecret = externalSecretObject({
  name: 'payments-db',
  namespace: 'payments',
  service: 'payments',
  storeName: 'payments-gcpsm',
  refreshInterval: '1h',
  data: [
    { secretKey: 'DB_PASSWORD', remoteKey: 'payments_DB_PASSWORD' },
    { secretKey: 'API_TOKEN', remoteKey: 'payments_API_TOKEN', version: '3' },
  ],
});
const ordersStore = azureSecretStoreObject({ name: 'orders-azurekv', namespace: 'orders', service: 'orders', keyVaultName: 'kv-orders', tenantId: TENANT, serviceAccount: 'orders-secrets' });
const ordersSharedStore = azureSecretStoreObject({ name: 'orders-azurekv-shared', namespace: 'orders', service: 'orders', keyVaultName: 'kv-shared', tenantId: TENANT, serviceAccount: 'orders-secrets' });

type Mutable = Record<string, any>;
/** A deep copy of an object with `change` applied to it. */
function variant(o: KubernetesObject, change: (copy: Mutable) => void): KubernetesObject {
  const copy = structuredClone(o) as Mutable;
  change(copy);
  return copy as KubernetesObject;
}

const create = (object: KubernetesObject, extra: Partial<AdmissionAttempt> = {}): AdmissionAttempt => ({ operation: 'CREATE', object, ...extra });

function expectAdmitted(outcome: AdmissionOutcome): void {
  expect(outcome.denials).toEqual([]);
  expect(outcome.allowed).toBe(true);
}

/** Denied, with every message matching one of `messages` and every pattern matched by one message. */
function expectDenied(outcome: AdmissionOutcome, ...messages: RegExp[]): void {
  expect(outcome.allowed).toBe(false);
  for (const m of messages) expect(outcome.denials).toEqual(expect.arrayContaining([expect.stringMatching(m)]));
  for (const d of outcome.denials) expect(messages.some((m) => m.test(d))).toBe(true);
}

describe('the product\'s own objects are admitted', () => {
  test('GKE: its SecretStore and ExternalSecret, as the builders make them', () => {
    const store = gke.admit(create(paymentsStore));
    expectAdmitted(store);
    expect(store.applied).toEqual([namespaceGuardName('payments')]);
    const secret = gke.admit(create(paymentsSecret));
    expectAdmitted(secret);
    expect(secret.applied).toEqual([namespaceGuardName('payments', EXTERNAL_SECRET_POLICY)]);
  });

  test('GKE: in a shared namespace, a SecretStore may authenticate as any of its services\' accounts', () => {
    for (const sa of ['billing-secrets', 'ledger-secrets']) {
      expectAdmitted(gke.admit(create(gcpSecretStoreObject({ name: `${sa}-store`, namespace: 'ledger', service: 'ledger', projectId: PROJECT, serviceAccount: sa }))));
    }
  });

  test('an ExternalSecret reading one entry from a second SecretStore of its namespace (data[].sourceRef.storeRef)', () => {
    const twoStores = variant(paymentsSecret, (o) => {
      o.spec.data[0].sourceRef = { storeRef: { kind: 'SecretStore', name: 'payments-gcpsm-other' } };
    });
    expectAdmitted(gke.admit(create(twoStores)));
  });

  test('an ExternalSecret whose store references leave kind to its default (SecretStore)', () => {
    const defaulted = variant(paymentsSecret, (o) => {
      delete o.spec.secretStoreRef.kind;
      o.spec.data[0].sourceRef = { storeRef: { name: 'payments-gcpsm-other' } };
      o.spec.dataFrom = [{ extract: { key: 'payments_ALL' }, sourceRef: { storeRef: { name: 'payments-gcpsm' } } }];
    });
    expectAdmitted(gke.admit(create(defaulted)));
  });

  test('AKS: its SecretStores for each of the namespace\'s vaults, and an ExternalSecret', () => {
    expectAdmitted(aks.admit(create(ordersStore)));
    expectAdmitted(aks.admit(create(ordersSharedStore)));
    expectAdmitted(aks.admit(create(externalSecretObject({ name: 'orders-db', namespace: 'orders', service: 'orders', storeName: 'orders-azurekv', refreshInterval: '1h', data: [{ secretKey: 'PW', remoteKey: 'orders--PW' }] }))));
  });

  test('a listed ClusterSecretStore is admitted', () => {
    const css = { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'platform-store' }, spec: { provider: { fake: { data: [] } } } };
    const outcome = gke.admit(create(css));
    expectAdmitted(outcome);
    expect(outcome.applied).toEqual([CLUSTER_SECRET_STORE_POLICY]);
  });

  test('an UPDATE that keeps the spec of the product\'s store is admitted', () => {
    expectAdmitted(gke.admit({ operation: 'UPDATE', object: variant(paymentsStore, (o) => (o.metadata.labels.team = 'a')), oldObject: paymentsStore }));
  });
});

describe('GKE: hostile SecretStores are denied', () => {
  const store = (change: (o: Mutable) => void) => gke.admit(create(variant(paymentsStore, change)));

  test('no auth: the store would read as the controller\'s own identity', () => {
    expectDenied(
      store((o) => delete o.spec.provider.gcpsm.auth),
      /^ValidatingAdmissionPolicy 'secret-wiring-secretstores' with binding 'secret-wiring-secretstores-payments' denied request: spec\.provider\.gcpsm\.auth is missing: without it the store reads as the External Secrets controller's own identity; use auth\.workloadIdentity with one of payments-secrets$/,
    );
  });

  test('empty auth', () => {
    expectDenied(store((o) => (o.spec.provider.gcpsm.auth = {})), /spec\.provider\.gcpsm\.auth\.workloadIdentity is missing: SecretStores in namespace payments authenticate with workload identity as one of payments-secrets$/);
  });

  test('another namespace\'s service account', () => {
    expectDenied(
      store((o) => (o.spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef.name = 'ledger-secrets')),
      /: service account ledger-secrets is not allowed in namespace payments; allowed: payments-secrets$/,
    );
  });

  test('an undeclared service account (default)', () => {
    expectDenied(store((o) => (o.spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef.name = 'default')), /service account default is not allowed in namespace payments; allowed: payments-secrets$/);
  });

  test('a service account reference without a name', () => {
    expectDenied(store((o) => (o.spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef = {})), /serviceAccountRef\.name is missing in namespace payments; allowed: payments-secrets$/);
  });

  test('auth.secretRef instead of workload identity', () => {
    expectDenied(
      store((o) => (o.spec.provider.gcpsm.auth = { secretRef: { secretAccessKeySecretRef: { name: 'gcp-key', key: 'key.json' } } })),
      /spec\.provider\.gcpsm\.auth\.secretRef is not allowed: only auth\.workloadIdentity with one of payments-secrets$/,
      /spec\.provider\.gcpsm\.auth\.workloadIdentity is missing/,
    );
  });

  test('auth.secretRef beside workload identity', () => {
    expectDenied(
      store((o) => (o.spec.provider.gcpsm.auth.secretRef = { secretAccessKeySecretRef: { name: 'gcp-key', key: 'key.json' } })),
      /spec\.provider\.gcpsm\.auth\.secretRef is not allowed/,
    );
  });

  test('another auth kind (workloadIdentityFederation)', () => {
    expectDenied(
      store((o) => (o.spec.provider.gcpsm.auth = { workloadIdentityFederation: { audience: '//iam.googleapis.com/x' } })),
      /spec\.provider\.gcpsm\.auth\.workloadIdentityFederation is not allowed/,
      /auth\.workloadIdentity is missing/,
    );
  });

  test('workload identity, but another project', () => {
    expectDenied(store((o) => (o.spec.provider.gcpsm.projectID = 'someone-else')), /spec\.provider\.gcpsm\.projectID someone-else is not allowed in namespace payments: the project is acme-prod$/);
  });

  test('no project (the metadata server would choose it)', () => {
    expectDenied(store((o) => delete o.spec.provider.gcpsm.projectID), /spec\.provider\.gcpsm\.projectID \(unset\) is not allowed in namespace payments/);
  });

  test.each([
    ['kubernetes', { remoteNamespace: 'kube-system', server: { caProvider: { type: 'ConfigMap', name: 'kube-root-ca.crt', key: 'ca.crt' } }, auth: { serviceAccount: { name: 'payments-secrets' } } }],
    ['vault', { server: 'https://vault.example.com', path: 'secret', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes', role: 'payments' } } }],
    ['fake', { data: [{ key: 'DB_PASSWORD', value: 'x' }] }],
    ['azurekv', { authType: 'WorkloadIdentity', vaultUrl: ORDERS_VAULT, tenantId: TENANT, serviceAccountRef: { name: 'payments-secrets' } }],
  ])('another provider: %s', (provider, config) => {
    expectDenied(store((o) => (o.spec.provider = { [provider]: config })), new RegExp(`: provider ${provider} is not allowed in namespace payments: SecretStores here use only gcpsm$`));
  });

  test('two providers', () => {
    expectDenied(
      store((o) => (o.spec.provider.fake = { data: [] })),
      /: a SecretStore in namespace payments must configure exactly one provider \(gcpsm\), not 2$/,
      /: provider fake is not allowed in namespace payments/,
    );
  });

  test('no provider', () => {
    expectDenied(store((o) => (o.spec.provider = {})), /must configure exactly one provider \(gcpsm\), not 0$/);
  });

  test('a hostile change on UPDATE is denied as on CREATE', () => {
    const hostile = variant(paymentsStore, (o) => delete o.spec.provider.gcpsm.auth);
    expectDenied(gke.admit({ operation: 'UPDATE', object: hostile, oldObject: paymentsStore }), /spec\.provider\.gcpsm\.auth is missing/);
  });

  test('a store created before the guard: a change of labels or finalizers alone is admitted, so it can still be deleted', () => {
    const old = variant(paymentsStore, (o) => {
      delete o.spec.provider.gcpsm.auth;
      o.metadata.finalizers = ['example.com/cleanup'];
    });
    const outcome = gke.admit({ operation: 'UPDATE', object: variant(old, (o) => (o.metadata.finalizers = [])), oldObject: old });
    expectAdmitted(outcome);
    expect(outcome.applied).toEqual([]);
  });
});

describe('AKS: hostile SecretStores are denied', () => {
  const store = (change: (o: Mutable) => void) => aks.admit(create(variant(ordersStore, change)));

  test('authType ManagedIdentity (the node\'s identity)', () => {
    expectDenied(
      store((o) => {
        o.spec.provider.azurekv.authType = 'ManagedIdentity';
        delete o.spec.provider.azurekv.serviceAccountRef;
      }),
      /: spec\.provider\.azurekv\.authType ManagedIdentity is not allowed: SecretStores in namespace orders use authType WorkloadIdentity with one of orders-secrets$/,
    );
  });

  test('authType unset (ServicePrincipal by default)', () => {
    expectDenied(store((o) => delete o.spec.provider.azurekv.authType), /authType \(unset, ServicePrincipal\) is not allowed/);
  });

  test('ServicePrincipal with authSecretRef', () => {
    expectDenied(
      store((o) => {
        o.spec.provider.azurekv.authType = 'ServicePrincipal';
        delete o.spec.provider.azurekv.serviceAccountRef;
        o.spec.provider.azurekv.authSecretRef = { clientId: { name: 'sp', key: 'id' }, clientSecret: { name: 'sp', key: 'secret' } };
      }),
      /authType ServicePrincipal is not allowed/,
      /: spec\.provider\.azurekv\.authSecretRef is not allowed: SecretStores authenticate with workload identity, never with a stored credential$/,
    );
  });

  test('workload identity with an authSecretRef beside it', () => {
    expectDenied(store((o) => (o.spec.provider.azurekv.authSecretRef = { clientId: { name: 'sp', key: 'id' } })), /azurekv\.authSecretRef is not allowed/);
  });

  test('an identityId', () => {
    expectDenied(store((o) => (o.spec.provider.azurekv.identityId = 'abc')), /: spec\.provider\.azurekv\.identityId abc is not allowed: the identity is the one federated with the service account$/);
  });

  test('a vault not allowed for the namespace', () => {
    expectDenied(
      store((o) => (o.spec.provider.azurekv.vaultUrl = 'https://kv-payroll.vault.azure.net')),
      /: vault https:\/\/kv-payroll\.vault\.azure\.net is not allowed in namespace orders; allowed: https:\/\/kv-orders\.vault\.azure\.net, https:\/\/kv-shared\.vault\.azure\.net$/,
    );
  });

  test('an allowed vault URL written differently (trailing slash) is not the same string', () => {
    expectDenied(store((o) => (o.spec.provider.azurekv.vaultUrl = `${ORDERS_VAULT}/`)), /vault https:\/\/kv-orders\.vault\.azure\.net\/ is not allowed/);
  });

  test('another tenant', () => {
    expectDenied(
      store((o) => (o.spec.provider.azurekv.tenantId = '99999999-0000-0000-0000-000000000000')),
      /: spec\.provider\.azurekv\.tenantId 99999999-0000-0000-0000-000000000000 is not allowed in namespace orders: the tenant is 11111111-2222-3333-4444-555555555555$/,
    );
  });

  test('no tenant (the controller\'s environment would choose it)', () => {
    expectDenied(store((o) => delete o.spec.provider.azurekv.tenantId), /tenantId \(unset\) is not allowed/);
  });

  test('an undeclared service account', () => {
    expectDenied(store((o) => (o.spec.provider.azurekv.serviceAccountRef.name = 'default')), /: service account default is not allowed in namespace orders; allowed: orders-secrets$/);
  });

  test.each([['gcpsm'], ['kubernetes'], ['fake']])('another provider: %s', (provider) => {
    expectDenied(store((o) => (o.spec.provider = { [provider]: {} })), new RegExp(`: provider ${provider} is not allowed in namespace orders: SecretStores here use only azurekv$`));
  });

  test('two providers', () => {
    expectDenied(store((o) => (o.spec.provider.fake = { data: [] })), /exactly one provider \(azurekv\), not 2$/, /provider fake is not allowed/);
  });
});

describe('ExternalSecrets that reference a ClusterSecretStore are denied', () => {
  const secret = (change: (o: Mutable) => void) => gke.admit(create(variant(paymentsSecret, change)));

  test('spec.secretStoreRef.kind', () => {
    expectDenied(
      secret((o) => (o.spec.secretStoreRef = { kind: 'ClusterSecretStore', name: 'platform-store' })),
      /^ValidatingAdmissionPolicy 'secret-wiring-externalsecrets' with binding 'secret-wiring-externalsecrets-payments' denied request: spec\.secretStoreRef names ClusterSecretStore platform-store is not allowed in namespace payments: ExternalSecrets here read only from a SecretStore of their own namespace$/,
    );
  });

  test('spec.data[].sourceRef.storeRef.kind', () => {
    expectDenied(
      secret((o) => (o.spec.data[1].sourceRef = { storeRef: { kind: 'ClusterSecretStore', name: 'other-team' } })),
      /: spec\.data\[\]\.sourceRef\.storeRef names ClusterSecretStore other-team is not allowed in namespace payments/,
    );
  });

  test('spec.dataFrom[].sourceRef.storeRef.kind', () => {
    expectDenied(
      secret((o) => (o.spec.dataFrom = [{ extract: { key: 'everything' }, sourceRef: { storeRef: { kind: 'ClusterSecretStore', name: 'other-team' } } }])),
      /: spec\.dataFrom\[\]\.sourceRef\.storeRef names ClusterSecretStore other-team is not allowed in namespace payments/,
    );
  });

  test('all three at once: each is reported', () => {
    const outcome = secret((o) => {
      o.spec.secretStoreRef.kind = 'ClusterSecretStore';
      o.spec.data[0].sourceRef = { storeRef: { kind: 'ClusterSecretStore', name: 'a' } };
      o.spec.dataFrom = [{ find: { name: { regexp: '.*' } }, sourceRef: { storeRef: { kind: 'ClusterSecretStore', name: 'b' } } }];
    });
    expect(outcome.denials).toHaveLength(3);
  });

  test('in a shared namespace too', () => {
    const shared = variant(paymentsSecret, (o) => {
      o.metadata.namespace = 'ledger';
      o.spec.secretStoreRef.kind = 'ClusterSecretStore';
    });
    expectDenied(gke.admit(create(shared)), /ClusterSecretStore payments-gcpsm is not allowed in namespace ledger/);
  });
});

describe('ClusterSecretStores', () => {
  const css = (name: string) => ({ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name }, spec: { provider: { gcpsm: { projectID: PROJECT } } } });

  test('one not listed is denied, on CREATE and on a change of spec', () => {
    const message = /^ValidatingAdmissionPolicy 'secret-wiring-clustersecretstores' with binding 'secret-wiring-clustersecretstores' denied request: ClusterSecretStore rogue is not allowed: every namespace could read through it; allowed: platform-store$/;
    expectDenied(gke.admit(create(css('rogue'))), message);
    expectDenied(gke.admit({ operation: 'UPDATE', object: variant(css('rogue'), (o) => (o.spec.provider.gcpsm.projectID = 'x')), oldObject: css('rogue') }), message);
  });

  test('with no list (the default), every ClusterSecretStore is denied', () => {
    const none = new AdmissionSimulator(admissionGuardObjects({ ...gkeProps, clusterSecretStores: undefined }));
    expectDenied(none.admit(create(css('platform-store'))), /ClusterSecretStore platform-store is not allowed: every namespace could read through it; no ClusterSecretStore is allowed in this cluster$/);
    const empty = new AdmissionSimulator(admissionGuardObjects({ ...gkeProps, clusterSecretStores: [] }));
    expectDenied(empty.admit(create(css('anything'))), /no ClusterSecretStore is allowed in this cluster$/);
  });

  test('with several listed, each is admitted and others are not', () => {
    const several = new AdmissionSimulator(admissionGuardObjects({ ...gkeProps, clusterSecretStores: ['b-store', 'a-store'] }));
    expectAdmitted(several.admit(create(css('a-store'))));
    expectAdmitted(several.admit(create(css('b-store'))));
    expectDenied(several.admit(create(css('c-store'))), /allowed: a-store, b-store$/);
  });
});

describe('scope and parameters', () => {
  const noAuth = (namespace: string) => variant(paymentsStore, (o) => {
    o.metadata.namespace = namespace;
    delete o.spec.provider.gcpsm.auth;
  });

  test('a namespace the product does not manage is not affected', () => {
    const outcome = gke.admit(create(noAuth('sandbox')));
    expectAdmitted(outcome);
    expect(outcome.applied).toEqual([]);
    const css = variant(paymentsSecret, (o) => {
      o.metadata.namespace = 'sandbox';
      o.spec.secretStoreRef.kind = 'ClusterSecretStore';
    });
    expectAdmitted(gke.admit(create(css)));
  });

  test('a label an editor adds to the namespace neither selects nor unselects it', () => {
    expectDenied(gke.admit(create(noAuth('payments'), { namespaceLabels: { team: 'payments', 'app.kubernetes.io/managed-by': 'someone' } })), /auth is missing/);
    expectAdmitted(gke.admit(create(noAuth('sandbox'), { namespaceLabels: { 'app.kubernetes.io/managed-by': 'secret-wiring' } })));
  });

  test('a managed namespace whose parameter ConfigMap is missing is denied (parameterNotFoundAction: Deny), even the product\'s own store', () => {
    const objects = admissionGuardObjects(gkeProps).filter((o) => !(o.kind === 'ConfigMap' && o.metadata.name === namespaceGuardName('payments')));
    const outcome = new AdmissionSimulator(objects).admit(create(paymentsStore));
    expectDenied(outcome, /with binding 'secret-wiring-secretstores-payments' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction$/);
    // The other namespace keeps its parameters.
    expectAdmitted(new AdmissionSimulator(objects).admit(create(gcpSecretStoreObject({ name: 's', namespace: 'ledger', service: 'ledger', projectId: PROJECT, serviceAccount: 'ledger-secrets' }))));
  });

  test('in audit mode, a missing parameter ConfigMap warns instead of denying (validationActions apply to misconfigurations under failurePolicy Fail)', () => {
    const objects = admissionGuardObjects({ ...gkeProps, validationActions: ['Audit', 'Warn'] }).filter((o) => o.kind !== 'ConfigMap');
    const outcome = new AdmissionSimulator(objects).admit(create(paymentsStore));
    expect(outcome.allowed).toBe(true);
    expect(outcome.warnings).toEqual([expect.stringMatching(/no params found for policy binding with `Deny` parameterNotFoundAction$/)]);
  });

  test('a ConfigMap of the same name in the managed namespace itself is never read', () => {
    const permissive: ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: namespaceGuardName('payments'), namespace: 'payments' },
      data: { provider: 'gcpsm', projectID: 'someone-else', 'serviceAccount.default': 'default', serviceAccounts: 'default' },
    };
    const cluster = new AdmissionSimulator([...admissionGuardObjects(gkeProps), permissive]);
    expectDenied(
      cluster.admit(create(variant(paymentsStore, (o) => (o.spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef.name = 'default')))),
      /service account default is not allowed in namespace payments; allowed: payments-secrets$/,
    );
  });
});

describe('validationActions', () => {
  const bindings = (objects: readonly KubernetesObject[]) => objects.filter((o): o is ValidatingAdmissionPolicyBinding => o.kind === 'ValidatingAdmissionPolicyBinding');

  test('default: every binding denies', () => {
    const all = bindings(admissionGuardObjects(gkeProps));
    expect(all.map((b) => b.metadata.name)).toEqual([
      'secret-wiring-clustersecretstores',
      'secret-wiring-externalsecrets-ledger',
      'secret-wiring-externalsecrets-payments',
      'secret-wiring-secretstores-ledger',
      'secret-wiring-secretstores-payments',
    ]);
    for (const b of all) expect(b.spec.validationActions).toEqual(['Deny']);
  });

  test('[Audit, Warn] passes through to every binding: failures warn and are audited, nothing is denied', () => {
    const objects = admissionGuardObjects({ ...gkeProps, validationActions: ['Audit', 'Warn'] });
    for (const b of bindings(objects)) expect(b.spec.validationActions).toEqual(['Audit', 'Warn']);
    const outcome = new AdmissionSimulator(objects).admit(create(variant(paymentsStore, (o) => delete o.spec.provider.gcpsm.auth)));
    expect(outcome.allowed).toBe(true);
    expect(outcome.warnings).toEqual([expect.stringMatching(/^Validation failed for ValidatingAdmissionPolicy 'secret-wiring-secretstores' with binding 'secret-wiring-secretstores-payments': spec\.provider\.gcpsm\.auth is missing/)]);
    expect(outcome.audits).toEqual([expect.stringMatching(/^spec\.provider\.gcpsm\.auth is missing/)]);
  });

  test.each([
    [[], /validationActions: \[\]: not empty/],
    [['Deny', 'Deny'], /no repeats/],
    [['Deny', 'Warn'], /Deny and Warn together are refused by Kubernetes/],
    [['Block'], /each one of Deny, Warn, Audit/],
  ])('%j is refused', (actions, message) => {
    expect(() => admissionGuardObjects({ ...gkeProps, validationActions: actions as any })).toThrow(message);
  });
});

describe('rendered objects', () => {
  const objects = admissionGuardObjects(gkeProps);
  const byName = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

  test('a binding and a parameter ConfigMap per namespace, named after it; the binding names the ConfigMap in the controller\'s namespace', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'ConfigMap/external-secrets/secret-wiring-secretstores-ledger',
      'ConfigMap/external-secrets/secret-wiring-secretstores-payments',
      'ValidatingAdmissionPolicy//secret-wiring-clustersecretstores',
      'ValidatingAdmissionPolicy//secret-wiring-externalsecrets',
      'ValidatingAdmissionPolicy//secret-wiring-secretstores',
      'ValidatingAdmissionPolicyBinding//secret-wiring-clustersecretstores',
      'ValidatingAdmissionPolicyBinding//secret-wiring-externalsecrets-ledger',
      'ValidatingAdmissionPolicyBinding//secret-wiring-externalsecrets-payments',
      'ValidatingAdmissionPolicyBinding//secret-wiring-secretstores-ledger',
      'ValidatingAdmissionPolicyBinding//secret-wiring-secretstores-payments',
    ]);
    expect((byName('ValidatingAdmissionPolicyBinding', 'secret-wiring-secretstores-payments') as ValidatingAdmissionPolicyBinding).spec).toEqual({
      policyName: SECRET_STORE_POLICY,
      paramRef: { name: 'secret-wiring-secretstores-payments', namespace: CONTROLLER_NS, parameterNotFoundAction: 'Deny' },
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } } },
      validationActions: ['Deny'],
    });
    expect((byName('ValidatingAdmissionPolicyBinding', 'secret-wiring-externalsecrets-payments') as ValidatingAdmissionPolicyBinding).spec).toEqual({
      policyName: EXTERNAL_SECRET_POLICY,
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } } },
      validationActions: ['Deny'],
    });
    // A namespace's own objects go with its service (its shard); the policies belong to the cluster.
    expect(byName('ConfigMap', 'secret-wiring-secretstores-ledger').metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'secret-wiring', 'secret-wiring.dev/service': 'billing' });
    expect(byName('ValidatingAdmissionPolicy', EXTERNAL_SECRET_POLICY).metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'secret-wiring' });
    expect((byName('ConfigMap', 'secret-wiring-secretstores-ledger') as ConfigMap).data).toEqual({
      projectID: PROJECT,
      provider: 'gcpsm',
      'serviceAccount.billing-secrets': 'billing-secrets',
      'serviceAccount.ledger-secrets': 'ledger-secrets',
      serviceAccounts: 'billing-secrets, ledger-secrets',
    });
    expect(byName('ConfigMap', 'secret-wiring-secretstores-ledger').metadata.annotations).toEqual({ 'secret-wiring.dev/services': 'billing, ledger' });
  });

  test('the SecretStore policy: params from a ConfigMap, fails closed, CREATE and UPDATE of external-secrets.io/v1 secretstores', () => {
    const spec = (byName('ValidatingAdmissionPolicy', SECRET_STORE_POLICY) as ValidatingAdmissionPolicy).spec;
    expect(spec.paramKind).toEqual({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(spec.failurePolicy).toBe('Fail');
    expect(spec.matchConstraints).toEqual({
      matchPolicy: 'Equivalent',
      resourceRules: [{ apiGroups: ['external-secrets.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['secretstores'], scope: 'Namespaced' }],
    });
    for (const v of spec.validations) expect(v.message).toEqual(expect.any(String));
  });

  test('AKS parameters: the tenant and one key per vault URL', () => {
    const cm = admissionGuardObjects(aksProps).find((o): o is ConfigMap => o.kind === 'ConfigMap')!;
    expect(cm.data).toEqual({
      provider: 'azurekv',
      tenantId: TENANT,
      'serviceAccount.orders-secrets': 'orders-secrets',
      serviceAccounts: 'orders-secrets',
      'vaultUrl.kv-orders.vault.azure.net': ORDERS_VAULT,
      'vaultUrl.kv-shared.vault.azure.net': SHARED_VAULT,
      vaultUrls: `${ORDERS_VAULT}, ${SHARED_VAULT}`,
    });
  });

  test('a value that is no valid ConfigMap key gets a hashed key, and still decides by its exact value', () => {
    const odd = 'https://kv-odd.vault.azure.net/';
    const props: AdmissionGuardProps = { ...aksProps, namespaces: [{ ...aksProps.namespaces[0], azurekv: { tenantId: TENANT, vaultUrls: [odd] } }] };
    const rendered = admissionGuardObjects(props);
    const cm = rendered.find((o): o is ConfigMap => o.kind === 'ConfigMap')!;
    const key = Object.keys(cm.data).find((k) => k.startsWith('vaultUrl.'))!;
    expect(key).toMatch(/^vaultUrl\.kv-odd\.vault\.azure\.net_\.[0-9a-f]{8}$/);
    const cluster = new AdmissionSimulator(rendered);
    expectAdmitted(cluster.admit(create(variant(ordersStore, (o) => (o.spec.provider.azurekv.vaultUrl = odd)))));
    expectDenied(cluster.admit(create(ordersStore)), /vault https:\/\/kv-orders\.vault\.azure\.net is not allowed/);
  });

  test('every object carries the managed-by label; every name is a DNS subdomain; every ConfigMap key is valid', () => {
    for (const o of [...objects, ...admissionGuardObjects(aksProps)]) {
      expect(o.metadata.labels?.[MANAGED_BY_LABEL]).toBe('secret-wiring');
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
      expect(o.metadata.name.length).toBeLessThanOrEqual(253);
      if (o.kind === 'ConfigMap') for (const k of Object.keys((o as ConfigMap).data)) expect(k).toMatch(/^[-._a-zA-Z0-9]{1,253}$/);
    }
  });

  test('deterministic: the order of namespaces, accounts and names does not matter', () => {
    const shuffled: AdmissionGuardProps = {
      ...gkeProps,
      namespaces: [...gkeProps.namespaces].reverse().map((n) => ({ ...n, serviceAccounts: [...n.serviceAccounts].reverse(), services: [...n.services].reverse() })),
      clusterSecretStores: ['platform-store', 'platform-store'],
    };
    expect(admissionGuardObjects(shuffled)).toEqual(objects);
  });

  test('a namespace name at the longest (63) still gives valid names', () => {
    const ns = 'n'.repeat(63);
    expect(namespaceGuardName(ns)).toBe(`secret-wiring-secretstores-${ns}`);
    const rendered = admissionGuardObjects({ ...gkeProps, namespaces: [{ ...gkeProps.namespaces[0], namespace: ns }] });
    expect(rendered.filter((o) => o.metadata.name.endsWith(ns))).toHaveLength(3);
  });

  test('invalid input is refused, every problem at once', () => {
    const bad = () =>
      admissionGuardObjects({
        paramNamespace: 'payments',
        namespaces: [
          { namespace: 'payments', services: ['p'], serviceAccounts: ['Payments'], gcpsm: { projectId: PROJECT } },
          { namespace: 'orders', services: ['o'], serviceAccounts: ['o'], gcpsm: { projectId: PROJECT }, azurekv: { tenantId: TENANT, vaultUrls: ['http://kv'] } },
        ],
        clusterSecretStores: ["x' || true || '"],
      });
    expect(bad).toThrow(/namespaces\[0\]\.namespace: "payments": not the parameter namespace/);
    expect(bad).toThrow(/namespaces\[0\]\.serviceAccounts\[0\]: "Payments": a service account name/);
    expect(bad).toThrow(/namespaces\[1\]: "orders": exactly one of gcpsm and azurekv/);
    expect(bad).toThrow(/namespaces\[1\]\.azurekv\.vaultUrls\[0\]: "http:\/\/kv": an https URL/);
    expect(bad).toThrow(/clusterSecretStores\[0\]: .*a ClusterSecretStore name/);
  });

  test('with no managed namespace, only the ClusterSecretStore guard binds', () => {
    const rendered = admissionGuardObjects({ paramNamespace: CONTROLLER_NS, namespaces: [] });
    expect(rendered.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding').map((o) => o.metadata.name)).toEqual([CLUSTER_SECRET_STORE_POLICY]);
  });
});

// ---------------------------------------------------------------------------------------------
// The rendered objects against the Kubernetes OpenAPI v3 schema (vendor/upstream/kubernetes-*)
// ---------------------------------------------------------------------------------------------

describe('rendered objects against the Kubernetes OpenAPI schema (admissionregistration.k8s.io/v1)', () => {
  const { doc } = kubernetesOpenApi();
  const openApi = kubernetesOpenApi();
  const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
  const VAP = 'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicy';
  const VAPB = 'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding';

  const renderings: [string, KubernetesObject[]][] = [
    ['GKE', admissionGuardObjects(gkeProps)],
    ['AKS', admissionGuardObjects(aksProps)],
    ['audit mode', admissionGuardObjects({ ...gkeProps, validationActions: ['Audit', 'Warn'] })],
    ['no ClusterSecretStore, no namespace', admissionGuardObjects({ paramNamespace: CONTROLLER_NS, namespaces: [] })],
  ];

  test('the vendored document is an OpenAPI 3 document with both kinds in v1', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(openApi.schemaNameOf({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy' })).toBe(VAP);
    expect(openApi.schemaNameOf({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding' })).toBe(VAPB);
  });

  test.each(renderings)('%s: every policy and binding is valid, with no undeclared field', (_name, objects) => {
    const admission = objects.filter((o) => o.apiVersion === 'admissionregistration.k8s.io/v1');
    expect(admission.length).toBeGreaterThanOrEqual(4);
    for (const o of admission) {
      const name = openApi.schemaNameOf(o);
      expect({ object: o.metadata.name, errors: openApi.errors(name, o), undeclared: openApi.undeclared(name, o) }).toEqual({ object: o.metadata.name, errors: [], undeclared: [] });
    }
  });

  test.each(renderings)('%s: every ConfigMap has valid metadata (ObjectMeta) and string data', (_name, objects) => {
    // core/v1 ConfigMap is in api__v1_openapi.json, which is not vendored (see vendor/upstream/kubernetes-384f8f79/SOURCE.md):
    // its metadata is checked against the same ObjectMeta schema, the rest by hand.
    for (const o of objects.filter((x): x is ConfigMap => x.kind === 'ConfigMap')) {
      expect(o.apiVersion).toBe('v1');
      expect(Object.keys(o).sort()).toEqual(['apiVersion', 'data', 'kind', 'metadata']);
      expect(openApi.errors(OBJECT_META, o.metadata)).toEqual([]);
      expect(openApi.undeclared(OBJECT_META, o.metadata)).toEqual([]);
      for (const [k, v] of Object.entries(o.data)) {
        expect(k).toMatch(/^[-._a-zA-Z0-9]+$/);
        expect(typeof v).toBe('string');
      }
    }
  });

  describe('the validator rejects what the schema rejects', () => {
    const objects = admissionGuardObjects(gkeProps);
    const policy = objects.find((o) => o.kind === 'ValidatingAdmissionPolicy')!;
    const binding = objects.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding')!;

    test('a validation without its required expression', () => {
      const bad = variant(policy, (o) => delete o.spec.validations[0].expression);
      expect(openApi.errors(VAP, bad)).toEqual(["/spec/validations/0 must have required property 'expression'"]);
    });

    test('a variable without a name (Variable requires name and expression)', () => {
      const bad = variant(policy, (o) => (o.spec.variables = [{ expression: 'true' }]));
      expect(openApi.errors(VAP, bad)).toEqual(["/spec/variables/0 must have required property 'name'"]);
    });

    test('validationActions as a string, operations as a string', () => {
      expect(openApi.errors(VAPB, variant(binding, (o) => (o.spec.validationActions = 'Deny')))).toEqual(['/spec/validationActions must be array']);
      expect(openApi.errors(VAP, variant(policy, (o) => (o.spec.matchConstraints.resourceRules[0].operations = 'CREATE')))).toEqual([
        '/spec/matchConstraints/resourceRules/0/operations must be array',
      ]);
    });

    test('a misspelled field is reported as undeclared', () => {
      expect(openApi.undeclared(VAPB, variant(binding, (o) => (o.spec.validationAction = ['Deny'])))).toEqual(['.spec.validationAction']);
      expect(openApi.undeclared(VAP, variant(policy, (o) => (o.spec.matchConstraints.resourceRules[0].resource = ['secretstores'])))).toEqual([
        '.spec.matchConstraints.resourceRules[0].resource',
      ]);
      expect(openApi.undeclared(VAP, variant(policy, (o) => (o.metadata.label = {})))).toEqual(['.metadata.label']);
    });

    test('what the schema does not check: values of validationActions (no enum; the API server\'s own validation refuses Block, and so does the module)', () => {
      expect(openApi.errors(VAPB, variant(binding, (o) => (o.spec.validationActions = ['Block'])))).toEqual([]);
      expect(() => admissionGuardObjects({ ...gkeProps, validationActions: ['Block' as never] })).toThrow(/each one of Deny, Warn, Audit/);
    });
  });
});
