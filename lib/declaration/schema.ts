/**
 * The declaration's schema: one TypeBox definition gives the TypeScript types, the runtime
 * validation (through ajv) and the JSON Schema published for editors (`schema/secrets.schema.json`).
 *
 * Each constrained string carries `x-rule`, the sentence quoted when a value breaks it.
 */
import { Type, type Static, type TSchema, type TString } from '@sinclair/typebox';
import { RULES, type NameRule } from './rules';
import { DEFAULT_CSI_AZURE_CHART_VERSION, DEFAULT_EXTERNAL_SECRETS_CHART_VERSION } from './chart-versions';

export { DEFAULT_CSI_AZURE_CHART_VERSION, DEFAULT_EXTERNAL_SECRETS_CHART_VERSION };

function named(r: NameRule, options: { description?: string; default?: string } = {}): TString {
  return Type.String({
    pattern: r.pattern,
    ...(r.maxLength !== undefined ? { maxLength: r.maxLength } : {}),
    ...(r.minLength !== undefined ? { minLength: r.minLength } : {}),
    'x-rule': r.text,
    ...options,
  });
}

function mapOf<T extends TSchema>(keyRule: NameRule, value: T, options: { description?: string; minProperties?: number } = {}) {
  return Type.Record(Type.String(), value, {
    propertyNames: {
      pattern: keyRule.pattern,
      ...(keyRule.maxLength !== undefined ? { maxLength: keyRule.maxLength } : {}),
      'x-rule': keyRule.text,
    },
    ...options,
  });
}

function oneOfStrings<T extends string>(values: readonly T[], options: { description?: string; default?: NoInfer<T> } = {}) {
  return Type.Unsafe<T>({
    type: 'string',
    enum: [...values],
    'x-rule': `one of ${values.join(', ')}`,
    ...options,
  });
}

/** Excuses for policy rules, next to what they excuse; every one needs a reason. */
const Suppressions = Type.Array(
  Type.Object(
    {
      rule: Type.String({ pattern: '^SW-[A-Z]+-[0-9]{3}$', 'x-rule': 'a rule id such as SW-VER-001 (see the rule table in the README)' }),
      reason: Type.String({ minLength: 10, 'x-rule': 'a reason of at least 10 characters says why the rule does not apply here' }),
    },
    { additionalProperties: false },
  ),
  { description: 'Policy rules that do not apply here, each with its reason; they appear in the access report.' },
);

const Labels = mapOf(RULES.gcpLabelKey, named(RULES.gcpLabelValue), {
  description: 'Extra labels on every Secret Manager secret this entry covers.',
});

const EnvironmentList = Type.Array(named(RULES.environmentName), {
  minItems: 1,
  uniqueItems: true,
  description: 'Environments this entry exists in. Default: every environment.',
});

export const GkeClusterSchema = Type.Object(
  {
    name: named(RULES.gkeClusterName, { description: 'GKE cluster name.' }),
    location: named(RULES.gcpLocation, { description: 'Region or zone of the cluster.' }),
  },
  { additionalProperties: false },
);

export const GcpEnvironmentSchema = Type.Object(
  {
    project: named(RULES.gcpProjectId, { description: 'Project holding the secrets and the GKE clusters (its workload identity pool is PROJECT.svc.id.goog).' }),
    projectNumber: named(RULES.gcpProjectNumber, {
      description: 'Number of the project whose workload identity pool (PROJECT.svc.id.goog) the clusters use; names Workload Identity principals.',
    }),
    clusters: Type.Array(GkeClusterSchema, {
      minItems: 1,
      description: 'Every GKE cluster of the environment; all get the controller and the same manifests.',
    }),
    identity: Type.Optional(
      oneOfStrings(['workloadIdentity', 'googleServiceAccount'] as const, {
        description:
          'workloadIdentity: the Kubernetes service account itself is the IAM principal (principal://...). googleServiceAccount: one Google service account per service, impersonated through roles/iam.workloadIdentityUser and the iam.gke.io/gcp-service-account annotation.',
        default: 'workloadIdentity',
      }),
    ),
    replication: Type.Optional(
      Type.Object(
        {
          locations: Type.Array(named(RULES.gcpRegion), {
            minItems: 1,
            uniqueItems: true,
            description: 'User-managed replication: the regions that may hold the secret data.',
          }),
        },
        { additionalProperties: false, description: 'Replication of every secret. Default: automatic.' },
      ),
    ),
    deletionProtection: Type.Optional(
      Type.Boolean({ default: true, description: 'Secret Manager deletion protection on every secret. Default: true.' }),
    ),
    secretIdPrefix: Type.Optional(
      Type.String({
        pattern: '^[a-zA-Z0-9_-]{0,64}$',
        'x-rule': 'a secret id prefix is at most 64 letters, digits, underscores or hyphens',
        default: '',
        description: 'Prepended to every derived secret id, for environments that share a project. Default: none.',
      }),
    ),
    labels: Type.Optional(Labels),
    stateBucket: Type.Optional(
      Type.Object(
        {
          bucket: named(RULES.gcsBucket),
          prefix: Type.Optional(
            Type.String({
              pattern: '^[A-Za-z0-9_./-]{1,200}$',
              'x-rule': 'a state prefix is 1-200 letters, digits, dots, slashes, underscores or hyphens',
              description: 'Object prefix; the stack name is appended. Default: secret-wiring.',
            }),
          ),
        },
        { additionalProperties: false, description: 'Keep Terraform state in this GCS bucket. Default: local state.' },
      ),
    ),
    externalSecrets: Type.Optional(
      Type.Object(
        {
          install: Type.Optional(
            oneOfStrings(['helm', 'existing'] as const, {
              default: 'helm',
              description:
                'helm: the product installs External Secrets Operator by its Helm chart, pinned. existing: it is installed already (another Helm release, a platform add-on): nothing is installed, and every plan checks that the clusters serve the external-secrets.io/v1 CRDs the manifests use. Default: helm.',
            }),
          ),
          chartVersion: Type.Optional(
            named(RULES.chartVersion, {
              default: DEFAULT_EXTERNAL_SECRETS_CHART_VERSION,
              description: `External Secrets Operator Helm chart version. Default: ${DEFAULT_EXTERNAL_SECRETS_CHART_VERSION}.`,
            }),
          ),
          namespace: Type.Optional(
            named(RULES.dns1123Label, { default: 'external-secrets', description: 'Namespace of the controller. Default: external-secrets.' }),
          ),
        },
        { additionalProperties: false, description: 'External Secrets Operator installed in every cluster.' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Helm chart of the Secrets Store CSI driver's Azure provider (it brings the driver as a dependency). */

export const AksClusterSchema = Type.Object(
  {
    name: named(RULES.aksClusterName, { description: 'AKS cluster name.' }),
    resourceGroup: Type.Optional(named(RULES.azureResourceGroup, { description: "Resource group of the cluster. Default: the environment's." })),
  },
  { additionalProperties: false },
);

export const AzureEnvironmentSchema = Type.Object(
  {
    tenantId: named(RULES.guid, { description: 'Entra ID tenant of the subscription.' }),
    subscriptionId: named(RULES.guid, { description: 'Subscription holding the vault, the identities and the clusters.' }),
    location: named(RULES.azureLocation, { description: 'Region of the vault and the identities.' }),
    resourceGroup: named(RULES.azureResourceGroup, { description: 'Existing resource group of the vault and the identities.' }),
    layout: Type.Optional(
      oneOfStrings(['vaultPerService', 'environmentVault'] as const, {
        description:
          'vaultPerService: a Key Vault per service, its identity granted at the vault, other services granted per secret they read with from (Microsoft\'s guidance: a vault per application per environment; few role assignments, within the subscription\'s 4,000). environmentVault: one vault for the environment (keyVault.name), every grant per secret. Default: environmentVault when keyVault.name is declared, vaultPerService otherwise.',
      }),
    ),
    keyVault: Type.Optional(Type.Object(
      {
        name: Type.Optional(named(RULES.keyVaultName, { description: 'Name of the environment\'s single vault (layout environmentVault), which the product creates and owns (globally unique). With vaultPerService, vault names are derived per service.' })),
        uniqueSuffix: Type.Optional(
          Type.Boolean({
            default: false,
            description: 'Append "-" and 4 hex characters derived from subscription, resource group and name, for a globally unique name that stays the same on every synthesis. Default: false.',
          }),
        ),
        publicNetworkAccess: Type.Optional(
          Type.Boolean({ default: true, description: 'Allow access over the public endpoint (turn off when the clusters reach the vault through a private endpoint). Default: true.' }),
        ),
        softDeleteRetentionDays: Type.Optional(
          Type.Integer({ minimum: 7, maximum: 90, default: 90, 'x-rule': 'soft delete keeps deleted secrets 7 to 90 days', description: 'Days a deleted vault or secret stays recoverable. Default: 90.' }),
        ),
        adopt: Type.Optional(
          Type.Boolean({
            default: false,
            description:
              'The vault keyVault.name exists (made in the portal, or by another tool): import it instead of creating it. Terraform never destroys it and leaves its SKU, network rules, access policies, retention and purge protection as they are. Layout environmentVault only. Default: false.',
          }),
        ),
        switchToRbac: Type.Optional(
          Type.Boolean({
            default: false,
            description:
              "An adopted vault in access-policy mode is switched to RBAC authorization at the apply. Every consumer that reads it through an access policy loses access at that moment until it has a role assignment: grant them first. Without it, the plan fails on such a vault. Default: false.",
          }),
        ),
      },
      { additionalProperties: false, description: 'The environment\'s Key Vaults (one, or one per service), in RBAC mode with purge protection and soft delete on.' },
    )),
    clusters: Type.Array(AksClusterSchema, {
      minItems: 1,
      description: 'Every AKS cluster of the environment (OIDC issuer and workload identity enabled); all get the same manifests.',
    }),
    deployerObjectId: Type.Optional(
      named(RULES.guid, {
        description:
          'Object id of the principal that deploys (a CI identity), given Key Vault Secrets Officer on the vault. Default: whoever runs the apply, which moves the assignment when someone else applies.',
      }),
    ),
    clusterAuth: Type.Optional(
      oneOfStrings(['azurecli', 'spn', 'msi', 'workloadidentity', 'clientCertificate'] as const, {
        default: 'azurecli',
        description:
          "How Terraform signs in to the clusters: kubelogin with that login mode (Entra ID integrated clusters), or the cluster's local client certificate (clusters with local accounts). Default: azurecli.",
      }),
    ),
    delivery: Type.Optional(
      oneOfStrings(['csi', 'externalSecrets'] as const, {
        default: 'csi',
        description: 'csi: the Secrets Store CSI driver mounts the secrets and syncs Kubernetes Secrets. externalSecrets: External Secrets Operator syncs them.',
      }),
    ),
    identity: Type.Optional(
      oneOfStrings(['workloadIdentity', 'aksAddonIdentity'] as const, {
        default: 'workloadIdentity',
        description:
          "workloadIdentity: a user-assigned managed identity per service, federated with its Kubernetes service account. aksAddonIdentity: the AKS key vault secrets provider add-on's identity of each cluster (less isolated: every pod that can mount a SecretProviderClass on that cluster reads what it may read); csi delivery only.",
      }),
    ),
    csiDriver: Type.Optional(
      Type.Object(
        {
          install: Type.Optional(
            oneOfStrings(['helm', 'aksAddon', 'existing'] as const, {
              description: 'helm: install the driver and the Azure provider by their Helm chart, pinned. aksAddon: use the AKS azure-keyvault-secrets-provider add-on, which must be enabled with secret rotation (checked at plan time). existing: installed already by other means (another Helm release): nothing is installed, and every plan checks that the clusters serve the secrets-store.csi.x-k8s.io/v1 SecretProviderClass CRD. Default: aksAddon with identity aksAddonIdentity, helm otherwise.',
            }),
          ),
          chartVersion: Type.Optional(named(RULES.chartVersion, { default: DEFAULT_CSI_AZURE_CHART_VERSION, description: `csi-secrets-store-provider-azure chart version. Default: ${DEFAULT_CSI_AZURE_CHART_VERSION}.` })),
          rotationPollInterval: Type.Optional(named(RULES.goDuration, { default: '2m', description: 'How often mounted secrets are re-read. Default: 2m.' })),
        },
        { additionalProperties: false, description: 'How the CSI driver gets into the clusters (csi delivery).' },
      ),
    ),
    externalSecrets: Type.Optional(
      Type.Object(
        {
          install: Type.Optional(
            oneOfStrings(['helm', 'existing'] as const, {
              default: 'helm',
              description: 'helm: installed by the product. existing: installed already; every plan checks that the clusters serve the external-secrets.io/v1 CRDs. Default: helm.',
            }),
          ),
          chartVersion: Type.Optional(named(RULES.chartVersion, { default: DEFAULT_EXTERNAL_SECRETS_CHART_VERSION })),
          namespace: Type.Optional(named(RULES.dns1123Label, { default: 'external-secrets' })),
        },
        { additionalProperties: false, description: 'External Secrets Operator installed in every cluster (externalSecrets delivery).' },
      ),
    ),
    labels: Type.Optional(Labels),
    reservedRoleAssignments: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 4000,
        default: 400,
        'x-rule': 'reserved role assignments are 0 to 4,000, the limit of a subscription',
        description:
          'Role assignments of the subscription made outside this declaration (owners, AKS, other teams), kept free of the 4,000 a subscription allows; environments sharing a subscription count together, with the largest reservation. Default: 400.',
      }),
    ),
    stateBackend: Type.Optional(
      Type.Object(
        {
          resourceGroup: named(RULES.azureResourceGroup),
          storageAccount: Type.String({ pattern: '^[a-z0-9]{3,24}$', 'x-rule': 'a storage account name is 3-24 lowercase letters or digits' }),
          container: Type.String({ pattern: '^[a-z0-9](-?[a-z0-9])+$', maxLength: 63, 'x-rule': 'a blob container name is 3-63 lowercase letters, digits or single hyphens' }),
        },
        { additionalProperties: false, description: 'Keep Terraform state in this Azure Storage container (key <stack>.tfstate). Default: local state.' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const EnvironmentSchema = Type.Object(
  {
    gcp: Type.Optional(GcpEnvironmentSchema),
    azure: Type.Optional(AzureEnvironmentSchema),
    manifests: Type.Optional(
      Type.Object(
        {
          terraform: Type.Optional(
            Type.Boolean({ default: false, description: 'Apply the manifests to every cluster from a Terraform stack (<env>-gcp-manifests, <env>-azure-manifests). Default: false.' }),
          ),
          gitops: Type.Optional(
            Type.Boolean({ description: 'Write the manifests as YAML under generated/<environment>/, for a CD tool to apply. Default: true unless terraform is true.' }),
          ),
        },
        {
          additionalProperties: false,
          description:
            'How the manifests reach the clusters: one way, so that each object has one owner. Default: GitOps files only; terraform: true alone applies them from Terraform instead. Both on is allowed only when declared, for a transition (two owners undo each other\'s changes).',
        },
      ),
    ),
    refreshInterval: Type.Optional(
      named(RULES.goDuration, { default: '1h', description: 'How often the controller re-reads each secret. Default: 1h.' }),
    ),
    admissionGuard: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(
            Type.Boolean({ default: true, description: 'Render the guard (ValidatingAdmissionPolicy, Kubernetes 1.30 or later) in every cluster that runs External Secrets. Default: true.' }),
          ),
          validationActions: Type.Optional(
            Type.Array(oneOfStrings(['Deny', 'Audit', 'Warn'] as const), {
              minItems: 1,
              uniqueItems: true,
              description: 'What a failed check does: [Deny] refuses the request; [Audit, Warn] records it in the audit log and warns the client, for a rollout in audit mode. Default: [Deny].',
            }),
          ),
          clusterSecretStores: Type.Optional(
            Type.Array(named(RULES.dns1123Subdomain), {
              uniqueItems: true,
              description: 'ClusterSecretStores that may exist, by name (for namespaces the product does not manage); any other is refused. Default: none.',
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            "An in-cluster guard for the namespaces the product manages: SecretStores only as the namespace's own service accounts (and vaults or project), ExternalSecrets never through a ClusterSecretStore, ClusterSecretStores only by name. Default: on, Deny.",
        },
      ),
    ),
    monitoring: Type.Optional(
      Type.Object(
        {
          notReadyFor: Type.Optional(named(RULES.promDuration, { default: '15m', description: 'Alert when an ExternalSecret is not Ready for this long. Default: 15m.' })),
          syncErrorsFor: Type.Optional(named(RULES.promDuration, { default: '10m', description: 'Alert when sync (or mount) errors keep rising this long. Default: 10m.' })),
          controllerDownFor: Type.Optional(named(RULES.promDuration, { default: '10m', description: 'Alert when the controller is not scraped, absent or stalled this long. Default: 10m.' })),
          syncStalledWindow: Type.Optional(
            named(RULES.promDuration, { description: 'Alert when no sync happened for this long while ExternalSecrets exist. Default: twice refreshInterval, at least 2h.' }),
          ),
          labels: Type.Optional(
            mapOf(RULES.labelKey, named(RULES.labelValue), { description: 'Labels your Prometheus selects monitors and rules by (e.g. release: kube-prometheus-stack).' }),
          ),
          stack: Type.Optional(
            Type.Union(
              [
                oneOfStrings(['prometheusOperator', 'googleManagedPrometheus', 'azureManagedPrometheus'] as const),
                Type.Object(
                  {
                    gcp: Type.Optional(oneOfStrings(['prometheusOperator', 'googleManagedPrometheus'] as const)),
                    azure: Type.Optional(oneOfStrings(['prometheusOperator', 'azureManagedPrometheus'] as const)),
                  },
                  { additionalProperties: false },
                ),
              ],
              {
                'x-rule': 'one of prometheusOperator, googleManagedPrometheus, azureManagedPrometheus, or { gcp, azure } naming one per cloud',
                description:
                  "The Prometheus the clusters run: prometheusOperator (monitoring.coreos.com/v1 ServiceMonitor, PodMonitor, PrometheusRule), googleManagedPrometheus (GKE's managed collection: monitoring.googleapis.com/v1 PodMonitoring and Rules), azureManagedPrometheus (AKS's Azure Monitor metrics add-on: azmonitoring.coreos.com/v1 ServiceMonitor and PodMonitor, rules as Azure Monitor Prometheus rule groups). One for every cloud of the environment, or { gcp, azure }. Default: prometheusOperator.",
              },
            ),
          ),
          azureMonitorWorkspaceId: Type.Optional(
            Type.String({
              pattern: '^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/Microsoft\\.Monitor/accounts/[^/]+$',
              'x-rule': 'an Azure Monitor workspace resource id (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Monitor/accounts/<name>)',
              description: 'azureManagedPrometheus: the Azure Monitor workspace the clusters send their metrics to, where the rule groups are evaluated. Required with azureManagedPrometheus.',
            }),
          ),
          actionGroupId: Type.Optional(
            Type.String({
              pattern: '^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/[Mm]icrosoft\\.[Ii]nsights/actionGroups/[^/]+$',
              'x-rule': 'an Azure Monitor action group resource id (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Insights/actionGroups/<name>)',
              description: 'azureManagedPrometheus: the action group the rule groups notify. Default: none (alerts fire in Azure Monitor without notifying).',
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            'Opt-in: scrape definitions for the controller of every cluster (External Secrets: controller, webhook and cert controller; CSI driver) and alerts, in their own stacks (<env>-<cloud>-monitoring) and GitOps folders (generated/<env>/_monitoring/, generated/<env>/azure/_monitoring/), so that a cluster without the monitoring CRDs still gets its secrets. Default: off.',
        },
      ),
    ),
    sharding: Type.Optional(
      Type.Object(
        {
          shards: Type.Integer({
            minimum: 1,
            maximum: 256,
            'x-rule': 'between 1 and 256 shards',
            description: 'Services without an explicit shard go to shard-<n>, n a hash of the service name modulo this count: adding or removing a service never moves another.',
          }),
          maxSecretsPerShard: Type.Optional(
            Type.Integer({ minimum: 1, default: 2000, 'x-rule': 'a positive number', description: 'Refuse a shard that would own more remote secrets than this. Default: 2000.' }),
          ),
        },
        {
          additionalProperties: false,
          description: "Split the environment's stacks by service so that a plan touches only one shard. Default: one stack per cloud (and a service's shard field).",
        },
      ),
    ),
    movedBlocks: Type.Optional(
      Type.Boolean({
        description:
          'Emit Terraform moved blocks from the addresses of versions before 0.2 (for_each maps such as secrets["ID"]) to the per-instance addresses (secrets_ID): on for the one apply that upgrades a deployed environment, then off again, because Terraform checks moved blocks in time quadratic in their number. Default: false.',
      }),
    ),
    production: Type.Optional(
      Type.Boolean({ description: 'A production environment: its ExternalSecrets should pin versions (policy SW-VER-001). Default: true when the name is production or starts with prod.' }),
    ),
    suppressions: Type.Optional(Suppressions),
  },
  { additionalProperties: false },
);

export const KeySchema = Type.Object(
  {
    remoteName: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description:
          'Use this remote secret name instead of the derived one: a Secret Manager id (an existing secret, see adopt) or a Key Vault secret name.',
      }),
    ),
    adopt: Type.Optional(
      Type.Boolean({
        description:
          'With remoteName: true imports the existing secret into Terraform (it must exist; Terraform never writes its value); false creates it under that name. On Azure the secret must be in an adopted vault (keyVault.adopt). Default: true on GCP, false on Azure.',
      }),
    ),
    version: Type.Optional(
      named(RULES.versionString, {
        description: 'Pin this version of the remote secret: a Secret Manager version number ("1") or a Key Vault version id. Default: latest.',
      }),
    ),
    property: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 253,
        pattern: '^[^\\s]+$',
        'x-rule': 'a property is a JSON field path such as password or db.user, without spaces',
        description: "The field of a JSON remote secret this key takes (External Secrets' remoteRef.property), e.g. password. External Secrets delivery only: the CSI driver cannot extract a field. Default: the whole value.",
      }),
    ),
    environments: Type.Optional(EnvironmentList),
    from: Type.Optional(
      named(RULES.fromReference, {
        description: "Read another declared key's remote secret (SERVICE/SECRET/KEY) instead of owning one.",
      }),
    ),
    labels: Type.Optional(Labels),
    deletionProtection: Type.Optional(
      Type.Boolean({
        description:
          "Deletion protection of this key's secret (Secret Manager deletion_protection; on Key Vault, Terraform's prevent_destroy): set false, with a suppression of SW-DEL-001, for one apply before removing the key to delete the secret. Default: the environment's (true) on GCP, true on Azure.",
      }),
    ),
    suppressions: Type.Optional(Suppressions),
  },
  { additionalProperties: false, description: 'One key of a Kubernetes Secret and the remote secret it comes from.' },
);

export const ServiceSchema = Type.Object(
  {
    namespace: Type.Optional(named(RULES.dns1123Label, { description: "Kubernetes namespace of the service. Default: the service's name." })),
    shard: Type.Optional(
      named(RULES.shardName, { description: "The shard of the service's secrets and manifests in environments that declare sharding. Default: by hash." }),
    ),
    platform: Type.Optional(
      oneOfStrings(['gcp', 'azure'] as const, { default: 'gcp', description: 'Where the service runs: GKE with Secret Manager, or AKS with Key Vault. Default: gcp.' }),
    ),
    createNamespace: Type.Optional(
      Type.Boolean({ default: true, description: 'Create the namespace with the manifests. Default: true.' }),
    ),
    replicas: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10000,
        default: 3,
        'x-rule': 'replicas are 1 to 10,000 pods',
        description: "Pods per cluster that mount the service's SecretProviderClass (CSI delivery): each polls Key Vault for every object at the rotation interval, which the vault's request budget counts. Default: 3.",
      }),
    ),
    existing: Type.Optional(
      Type.Object(
        {
          namespace: Type.Optional(
            Type.Boolean({
              default: false,
              description:
                'The namespace exists (made earlier, or applied first by a GitOps tool): the Terraform-managed manifests import it instead of creating it, and it is the product\'s from then on. createNamespace: false instead leaves it to others. Default: false.',
            }),
          ),
          serviceAccount: Type.Optional(
            Type.Boolean({ default: false, description: 'The Kubernetes service account exists: the Terraform-managed manifests import it instead of creating it. Default: false.' }),
          ),
          googleServiceAccount: Type.Optional(
            named(RULES.googleServiceAccountId, {
              description:
                'GKE identity googleServiceAccount: the service\'s existing Google service account (its account id, as the binding scripts used it), imported with its roles/iam.workloadIdentityUser binding for the service\'s Kubernetes service account instead of a new secrets-<service> account. Default: a new account.',
            }),
          ),
          accessGrants: Type.Optional(
            Type.Boolean({
              default: false,
              description:
                'GKE: the service\'s roles/secretmanager.secretAccessor grants on the secrets it reads exist already (gcloud secrets add-iam-policy-binding): imported, not created again. Default: false.',
            }),
          ),
        },
        {
          additionalProperties: false,
          description: 'What of this service exists before the product: imported into Terraform instead of created. npm run adopt -- --env NAME lists it before a plan.',
        },
      ),
    ),
    sharedNamespace: Type.Optional(
      Type.Object(
        {
          reason: Type.String({ minLength: 10, 'x-rule': 'a reason of at least 10 characters says why the services may share the namespace' }),
        },
        {
          additionalProperties: false,
          description:
            "Allow this service to share its namespace with other services (each of them must say so too). Whoever can create an ExternalSecret in a namespace can use every SecretStore in it: the services' isolation is then per namespace, not per service, and the access report says so. Default: refused.",
        },
      ),
    ),
    serviceAccount: Type.Optional(
      named(RULES.dns1123Subdomain, {
        description: 'Kubernetes service account the SecretStore authenticates as. Default: <service>-secrets.',
      }),
    ),
    environments: Type.Optional(EnvironmentList),
    labels: Type.Optional(Labels),
    suppressions: Type.Optional(Suppressions),
    secrets: mapOf(
      RULES.dns1123Subdomain,
      mapOf(RULES.secretDataKey, KeySchema, { minProperties: 1, description: 'Keys of the Kubernetes Secret.' }),
      { minProperties: 1, description: 'Kubernetes Secrets the service gets, by name.' },
    ),
  },
  { additionalProperties: false },
);

export const DeclarationSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String({ description: 'Path or URL of this schema, for editors.' })),
    environments: mapOf(RULES.environmentName, EnvironmentSchema, {
      minProperties: 1,
      description: 'Environments by name; each is synthesized into its own stacks.',
    }),
    services: mapOf(RULES.serviceName, ServiceSchema, { description: 'Services by name and the secrets each needs.' }),
  },
  {
    additionalProperties: false,
    $id: 'https://secret-wiring.dev/schema/secrets.schema.json',
    title: 'secret-wiring declaration',
    description: 'Which service needs which secret in which environment.',
  },
);

export type Declaration = Static<typeof DeclarationSchema>;
export type EnvironmentDeclaration = Static<typeof EnvironmentSchema>;
export type GcpEnvironmentDeclaration = Static<typeof GcpEnvironmentSchema>;
export type GkeClusterDeclaration = Static<typeof GkeClusterSchema>;
export type ServiceDeclaration = Static<typeof ServiceSchema>;
export type KeyDeclaration = Static<typeof KeySchema>;
export type AzureEnvironmentDeclaration = Static<typeof AzureEnvironmentSchema>;
export type AksClusterDeclaration = Static<typeof AksClusterSchema>;

/** The JSON Schema document published for editors. */
export function declarationJsonSchema(): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...DeclarationSchema }));
}
