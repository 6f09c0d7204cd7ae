/**
 * The declaration's schema: one TypeBox definition gives the TypeScript types, the runtime
 * validation (through ajv) and the JSON Schema published for editors (`schema/secrets.schema.json`).
 *
 * Each constrained string carries `x-rule`, the sentence quoted when a value breaks it.
 */
import { Type, type Static, type TSchema, type TString } from '@sinclair/typebox';
import { RULES, type NameRule } from './rules';

/** The Helm chart version of External Secrets Operator installed unless an environment pins another. */
export const DEFAULT_EXTERNAL_SECRETS_CHART_VERSION = '2.9.0';

function named(r: NameRule, options: { description?: string; default?: string } = {}): TString {
  return Type.String({
    pattern: r.pattern,
    ...(r.maxLength !== undefined ? { maxLength: r.maxLength } : {}),
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

export const EnvironmentSchema = Type.Object(
  {
    gcp: Type.Optional(GcpEnvironmentSchema),
    manifests: Type.Optional(
      Type.Object(
        {
          terraform: Type.Optional(
            Type.Boolean({ default: true, description: 'Apply the manifests to every cluster from a Terraform stack. Default: true.' }),
          ),
          gitops: Type.Optional(
            Type.Boolean({ default: true, description: 'Write the manifests as YAML under generated/<environment>/. Default: true.' }),
          ),
        },
        { additionalProperties: false, description: 'How the manifests reach the clusters. Default: both ways.' },
      ),
    ),
    refreshInterval: Type.Optional(
      named(RULES.goDuration, { default: '1h', description: 'How often the controller re-reads each secret. Default: 1h.' }),
    ),
  },
  { additionalProperties: false },
);

export const KeySchema = Type.Object(
  {
    remoteName: Type.Optional(
      named(RULES.secretManagerId, {
        description: 'Use this remote secret id instead of the derived one (an existing secret, see adopt).',
      }),
    ),
    adopt: Type.Optional(
      Type.Boolean({
        description:
          'With remoteName: true imports the existing secret into Terraform (it must exist); false creates it under that id. Default: true.',
      }),
    ),
    version: Type.Optional(named(RULES.secretVersion, { description: 'Pin this version of the remote secret. Default: latest.' })),
    environments: Type.Optional(EnvironmentList),
    from: Type.Optional(
      named(RULES.fromReference, {
        description: "Read another declared key's remote secret (SERVICE/SECRET/KEY) instead of owning one.",
      }),
    ),
    labels: Type.Optional(Labels),
  },
  { additionalProperties: false, description: 'One key of a Kubernetes Secret and the remote secret it comes from.' },
);

export const ServiceSchema = Type.Object(
  {
    namespace: Type.Optional(named(RULES.dns1123Label, { description: "Kubernetes namespace of the service. Default: the service's name." })),
    createNamespace: Type.Optional(
      Type.Boolean({ default: true, description: 'Create the namespace with the manifests. Default: true.' }),
    ),
    serviceAccount: Type.Optional(
      named(RULES.dns1123Subdomain, {
        description: 'Kubernetes service account the SecretStore authenticates as. Default: <service>-secrets.',
      }),
    ),
    environments: Type.Optional(EnvironmentList),
    labels: Type.Optional(Labels),
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

/** The JSON Schema document published for editors. */
export function declarationJsonSchema(): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...DeclarationSchema }));
}
