/**
 * Validators built from the upstream schemas vendored in vendor/upstream/ (`npm run vendor`):
 * the External Secrets CRDs and the External Secrets Helm chart's values schema. Tests use them to
 * check that what the product generates is what the real controller and chart accept, rather than
 * what a hand-written schema believes they accept.
 *
 * Every schema is read and compiled once per file and cached for the life of the test process.
 */
import { readFileSync } from 'node:fs';
import { validateKubernetesObject } from './kubernetes-openapi';
import { join } from 'node:path';
import Ajv, { type CodeOptions, type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';

/** Root of the vendored upstream files. */
export const VENDOR_UPSTREAM = join(__dirname, '..', '..', 'vendor', 'upstream');
/** External Secrets Operator 2.9.0 (CRDs and Helm chart). */
export const EXTERNAL_SECRETS_DIR = join(VENDOR_UPSTREAM, 'external-secrets-2.9.0');
export const SECRET_STORE_CRD = 'external-secrets-2.9.0/crds/external-secrets.io_secretstores.yaml';
export const EXTERNAL_SECRET_CRD = 'external-secrets-2.9.0/crds/external-secrets.io_externalsecrets.yaml';
export const EXTERNAL_SECRETS_VALUES_YAML = join(EXTERNAL_SECRETS_DIR, 'values.yaml');
export const EXTERNAL_SECRETS_VALUES_SCHEMA = join(EXTERNAL_SECRETS_DIR, 'values.schema.json');

type Json = Record<string, unknown>;
const isPlainObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Readable form of ajv errors: `<instancePath> <message>`, with the detail ajv keeps in params. */
function formatErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const at = e.instancePath === '' ? '/' : e.instancePath;
    switch (e.keyword) {
      case 'additionalProperties':
        return `${at} must NOT have the unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
      case 'enum':
        return `${at} must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
      default:
        return `${at} ${e.message ?? e.keyword}`;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// CRDs
// ---------------------------------------------------------------------------------------------

/**
 * Kubernetes vendor extensions found in CRD schemas. Only x-kubernetes-int-or-string constrains the
 * value in a way JSON Schema can express; the others are annotations here:
 * - preserve-unknown-fields is honoured by {@link closeStructuralObjects} (it keeps an object open);
 * - list-type / list-map-keys / map-type affect server-side apply merging, not validity (a
 *   `set` or `map` list's uniqueness is NOT checked);
 * - embedded-resource marks a nested object with apiVersion/kind/metadata;
 * - validations are CEL rules, which are not JSON Schema and are NOT evaluated.
 */
const KUBERNETES_ANNOTATION_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-validations',
  // OpenAPI v3 (singular); JSON Schema has `examples`.
  'example',
];

/**
 * Compiles a CRD `pattern` (a Go RE2 expression) as a JavaScript RegExp. JavaScript rejects Go's
 * inline flag groups, which Prometheus Operator's CRDs use (`^(?i)(abort|warn)?$`): a `(?i)` at the
 * start, or right after the leading `^`, becomes the `i` flag. Any other inline flag group is an
 * error, so that a new kind of upstream pattern is noticed rather than compiled wrongly.
 */
export const goRegExp: NonNullable<CodeOptions['regExp']> = Object.assign(
  (pattern: string, flags: string): RegExp => {
    const leading = /^(\^?)\(\?i\)/.exec(pattern);
    const source = leading ? leading[1] + pattern.slice(leading[0].length) : pattern;
    if (/\(\?[A-Za-z]+[:)]/.test(source)) throw new Error(`CRD pattern ${JSON.stringify(pattern)} has a Go inline flag group that JavaScript cannot express`);
    return new RegExp(source, leading ? `${flags}i` : flags);
  },
  { code: 'goRegExp' },
);

function crdAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    // Unknown keywords are errors (so a new upstream keyword is noticed), but CRD schemas are not
    // written for ajv's stricter type/tuple/required lint rules.
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    // CRD formats (int32, int64, byte, date-time) are not registered: ajv-formats is not installed
    // and the API server is lenient about most of them.
    validateFormats: false,
    // Patterns are Go RE2; most are valid JavaScript with the `u` flag (ajv's default), and
    // goRegExp turns the inline `(?i)` of Prometheus Operator's CRDs into the `i` flag.
    unicodeRegExp: true,
    code: { regExp: goRegExp },
  });
  for (const keyword of KUBERNETES_ANNOTATION_KEYWORDS) ajv.addKeyword({ keyword });
  ajv.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    errors: false,
    validate: (enabled: boolean, data: unknown) => !enabled || typeof data === 'string' || Number.isInteger(data),
  });
  return ajv;
}

/**
 * The API server prunes fields a structural schema does not declare, and rejects them under
 * strict field validation (kubectl's default, and what Terraform's kubernetes_manifest reports as
 * an error): an object with `properties` is closed unless it says x-kubernetes-preserve-unknown-fields
 * or has its own additionalProperties. Plain JSON Schema would accept a misspelt field silently, so
 * this makes that explicit with `additionalProperties: false`. Objects without `properties`
 * (such as the root `metadata`, `{type: object}`) stay open. Mutates and returns the schema.
 */
export function closeStructuralObjects(schema: unknown): unknown {
  if (!isPlainObject(schema)) return schema;
  if (
    schema.type === 'object' &&
    isPlainObject(schema.properties) &&
    schema.additionalProperties === undefined &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    schema.additionalProperties = false;
  }
  if (isPlainObject(schema.properties)) for (const p of Object.values(schema.properties)) closeStructuralObjects(p);
  if (Array.isArray(schema.items)) schema.items.forEach(closeStructuralObjects);
  else closeStructuralObjects(schema.items);
  closeStructuralObjects(schema.additionalProperties);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(schema[k])) (schema[k] as unknown[]).forEach(closeStructuralObjects);
  closeStructuralObjects(schema.not);
  return schema;
}

export interface CrdSchema {
  /** Path under vendor/upstream. */
  readonly file: string;
  readonly group: string;
  readonly kind: string;
  /** Name of the one served version. */
  readonly version: string;
  /** `group/version`, what objects of the kind must carry. */
  readonly apiVersion: string;
  /** CEL rules (x-kubernetes-validations) in the schema, which the validator does not evaluate. */
  readonly celRules: number;
  /** Validates an object against the served version's openAPIV3Schema. Returns readable errors. */
  readonly validate: (obj: unknown) => string[];
}

interface CrdVersion {
  name: string;
  served?: boolean;
  schema?: { openAPIV3Schema?: unknown };
}

function countCel(schema: unknown): number {
  if (Array.isArray(schema)) return schema.reduce((n: number, s) => n + countCel(s), 0);
  if (!isPlainObject(schema)) return 0;
  let n = Array.isArray(schema['x-kubernetes-validations']) ? schema['x-kubernetes-validations'].length : 0;
  for (const [k, v] of Object.entries(schema)) if (k !== 'default' && k !== 'enum' && k !== 'example') n += countCel(v);
  return n;
}

const crdCache = new Map<string, CrdSchema>();
let sharedCrdAjv: Ajv | undefined;

/**
 * Reads, and compiles once, the CRD at `file` (a path under vendor/upstream): the version named
 * `version`, which must be served, or else its one served version.
 */
export function loadCrd(file: string, version?: string): CrdSchema {
  const cacheKey = version ? `${file}#${version}` : file;
  const cached = crdCache.get(cacheKey);
  if (cached) return cached;
  const doc = parse(readFileSync(join(VENDOR_UPSTREAM, file), 'utf8')) as {
    kind?: string;
    spec?: { group?: string; names?: { kind?: string }; versions?: CrdVersion[] };
  };
  if (doc?.kind !== 'CustomResourceDefinition') throw new Error(`${file} is not a CustomResourceDefinition`);
  const group = doc.spec?.group;
  const kind = doc.spec?.names?.kind;
  if (!group || !kind) throw new Error(`${file} has no spec.group or spec.names.kind`);
  const served = (doc.spec?.versions ?? []).filter((v) => v.served === true);
  const chosen = version ? served.filter((v) => v.name === version) : served;
  if (chosen.length !== 1) {
    throw new Error(`${file}: expected ${version ? `served version ${version}` : 'exactly one served version'}, found ${served.map((v) => v.name).join(', ') || 'none'}`);
  }
  const picked = chosen[0];
  const schema = picked.schema?.openAPIV3Schema;
  if (!isPlainObject(schema)) throw new Error(`${file}: version ${picked.name} has no schema.openAPIV3Schema`);
  const celRules = countCel(schema);
  sharedCrdAjv ??= crdAjv();
  const compiled: ValidateFunction = sharedCrdAjv.compile(closeStructuralObjects(schema) as object);
  const validate = (obj: unknown): string[] => (compiled(obj) ? [] : formatErrors(compiled.errors));
  const crd: CrdSchema = { file, group, kind, version: picked.name, apiVersion: `${group}/${picked.name}`, celRules, validate };
  crdCache.set(cacheKey, crd);
  return crd;
}

/** The external-secrets.io kinds the product generates, with their vendored CRDs. */
export const EXTERNAL_SECRETS_CRDS: Readonly<Record<string, string>> = {
  SecretStore: SECRET_STORE_CRD,
  ExternalSecret: EXTERNAL_SECRET_CRD,
};

/**
 * Validates an external-secrets.io object against its kind's CRD, and checks that its apiVersion
 * is the served one (`external-secrets.io/v1`; v1beta1 is no longer served by 2.9.0). Throws for a
 * kind whose CRD is not vendored.
 */
export function validateExternalSecretsObject(obj: unknown): string[] {
  return validateByKind(obj, EXTERNAL_SECRETS_CRDS, 'external-secrets.io');
}

/**
 * Validates an object against the vendored CRD of its kind (from `crds`), and checks that its
 * apiVersion is the CRD's served one. Throws for a kind `crds` does not know.
 */
function validateByKind(obj: unknown, crds: Readonly<Record<string, string>>, group: string): string[] {
  const kind = isPlainObject(obj) ? obj.kind : undefined;
  const file = typeof kind === 'string' && Object.prototype.hasOwnProperty.call(crds, kind) ? crds[kind] : undefined;
  if (!file) throw new Error(`no vendored ${group} CRD for kind ${JSON.stringify(kind)} (known: ${Object.keys(crds).join(', ')})`);
  const crd = loadCrd(file);
  const apiVersion = (obj as Json).apiVersion;
  const errors = apiVersion === crd.apiVersion ? [] : [`/apiVersion must be "${crd.apiVersion}" (the served version of ${crd.kind}), got ${JSON.stringify(apiVersion)}`];
  return [...errors, ...crd.validate(obj)];
}

// ---------------------------------------------------------------------------------------------
// Helm values
// ---------------------------------------------------------------------------------------------

let helmValidator: ValidateFunction | undefined;
let helmDefaults: Json | undefined;

/** The External Secrets chart's default values.yaml, parsed (cached; do not mutate). */
export function externalSecretsDefaultValues(): Json {
  if (!helmDefaults) {
    const parsed: unknown = parse(readFileSync(EXTERNAL_SECRETS_VALUES_YAML, 'utf8'));
    if (!isPlainObject(parsed)) throw new Error(`${EXTERNAL_SECRETS_VALUES_YAML} is not a mapping`);
    helmDefaults = parsed;
  }
  return helmDefaults;
}

function helmValuesValidator(): ValidateFunction {
  if (!helmValidator) {
    const schema: unknown = JSON.parse(readFileSync(EXTERNAL_SECRETS_VALUES_SCHEMA, 'utf8'));
    if (!isPlainObject(schema)) throw new Error(`${EXTERNAL_SECRETS_VALUES_SCHEMA} is not a JSON object`);
    // The chart's schema names its dialect; pick the ajv class that implements it.
    const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
    // `type: [string, integer]` (ports given by name or number) is a union type, which strict mode refuses by default.
    const options = { allErrors: true, strict: true, allowUnionTypes: true, validateFormats: false };
    let ajv: Ajv;
    if (dialect.includes('2020-12')) ajv = new Ajv2020(options);
    else if (dialect === '' || dialect.includes('draft-07')) ajv = new Ajv(options);
    else throw new Error(`${EXTERNAL_SECRETS_VALUES_SCHEMA}: unsupported $schema ${dialect}`);
    helmValidator = ajv.compile(schema);
  }
  return helmValidator;
}

const pointer = (path: readonly string[]) => `/${path.join('/')}`;

/**
 * Paths of `values` that the chart does not have. Only a non-empty mapping in values.yaml
 * constrains its keys; an empty one (`podAnnotations: {}`, `resources: {}`) or a null default is
 * free-form, and what is below a list or a scalar is left to the schema's type checks.
 */
function unknownValuePaths(values: unknown, defaults: unknown, path: string[], out: string[]): void {
  if (!isPlainObject(values) || !isPlainObject(defaults) || Object.keys(defaults).length === 0) return;
  for (const [key, value] of Object.entries(values)) {
    const here = [...path, key];
    if (!Object.prototype.hasOwnProperty.call(defaults, key)) {
      out.push(`${pointer(here)} is not a value of the chart (values.yaml has ${Object.keys(defaults).sort().join(', ')} there)`);
      continue;
    }
    unknownValuePaths(value, defaults[key], here, out);
  }
}

/**
 * Validates Helm values for the External Secrets chart: against the chart's values.schema.json,
 * and, because that schema leaves every object open (no additionalProperties: false, so a typo is
 * silently ignored by Helm), against the key paths of the chart's default values.yaml.
 */
export function helmValuesErrors(values: unknown): string[] {
  const validate = helmValuesValidator();
  const errors = validate(values) ? [] : formatErrors(validate.errors);
  unknownValuePaths(values, externalSecretsDefaultValues(), [], errors);
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Secrets Store CSI driver
// ---------------------------------------------------------------------------------------------

export const SECRET_PROVIDER_CLASS_CRD = 'secrets-store-csi-driver-1.6.0/crds/secrets-store.csi.x-k8s.io_secretproviderclasses.yaml';
export const CSI_AZURE_VALUES_YAML = join(VENDOR_UPSTREAM, 'csi-secrets-store-provider-azure-1.8.2', 'values.yaml');

/**
 * Validates a SecretProviderClass against the CRD's served v1 schema (the CRD also serves
 * v1alpha1, so the version is picked by name) and checks its apiVersion.
 */
export function validateSecretProviderClass(obj: unknown): string[] {
  const doc = parse(readFileSync(join(VENDOR_UPSTREAM, SECRET_PROVIDER_CLASS_CRD), 'utf8')) as { spec: { group: string; versions: CrdVersion[] } };
  const v1 = doc.spec.versions.find((v) => v.name === 'v1' && v.served === true);
  if (!v1?.schema?.openAPIV3Schema) throw new Error('the SecretProviderClass CRD serves no v1 schema');
  sharedCrdAjv ??= crdAjv();
  const validate = (spcValidator ??= sharedCrdAjv.compile(closeStructuralObjects(v1.schema.openAPIV3Schema) as object));
  const errors: string[] = [];
  const apiVersion = isPlainObject(obj) ? obj.apiVersion : undefined;
  if (apiVersion !== `${doc.spec.group}/v1`) errors.push(`/apiVersion must be "${doc.spec.group}/v1", got ${JSON.stringify(apiVersion)}`);
  return validate(obj) ? errors : [...errors, ...formatErrors(validate.errors)];
}
let spcValidator: ValidateFunction | undefined;

/** Validates any object the product generates against its upstream CRD (or, for built-in APIs, Kubernetes' OpenAPI schema). */
export function validateGeneratedObject(obj: unknown): string[] {
  const kind = isPlainObject(obj) ? obj.kind : undefined;
  if (kind === 'ValidatingAdmissionPolicy' || kind === 'ValidatingAdmissionPolicyBinding' || kind === 'ConfigMap') return validateKubernetesObject(obj as any);
  if (kind === 'SecretProviderClass') return validateSecretProviderClass(obj);
  if (kind === 'ServiceMonitor' || kind === 'PodMonitor' || kind === 'PrometheusRule' || kind === 'PodMonitoring' || kind === 'Rules') return validateAnyMonitoringObject(obj);
  return validateExternalSecretsObject(obj);
}

/**
 * Paths of `values` that the csi-secrets-store-provider-azure chart (which ships no values
 * schema) does not have in its values.yaml, and values whose type differs from the default's.
 */
export function csiAzureValuesErrors(values: unknown): string[] {
  const defaults: unknown = parse(readFileSync(CSI_AZURE_VALUES_YAML, 'utf8'));
  const out: string[] = [];
  unknownValuePaths(values, defaults, [], out);
  const types = (v: unknown, d: unknown, path: string[]) => {
    if (!isPlainObject(v) || !isPlainObject(d)) return;
    for (const [k, x] of Object.entries(v)) {
      const dx = d[k];
      if (dx === undefined || dx === null) continue;
      if (typeof x !== typeof dx || Array.isArray(x) !== Array.isArray(dx)) out.push(`${pointer([...path, k])} must be ${Array.isArray(dx) ? 'a list' : typeof dx}, like the chart's default`);
      else types(x, dx, [...path, k]);
    }
  };
  types(values, defaults, []);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Prometheus Operator
// ---------------------------------------------------------------------------------------------

/** Prometheus Operator 0.93.0 CRDs (monitoring.coreos.com, each serving v1 only). */
export const SERVICE_MONITOR_CRD = 'prometheus-operator-0.93.0/crds/monitoring.coreos.com_servicemonitors.yaml';
export const POD_MONITOR_CRD = 'prometheus-operator-0.93.0/crds/monitoring.coreos.com_podmonitors.yaml';
export const PROMETHEUS_RULE_CRD = 'prometheus-operator-0.93.0/crds/monitoring.coreos.com_prometheusrules.yaml';
/** The metrics External Secrets Operator 2.9.0 documents (its docs/api/metrics.md). */
export const EXTERNAL_SECRETS_METRICS_MD = join(EXTERNAL_SECRETS_DIR, 'metrics.md');

/** The monitoring.coreos.com kinds the product generates, with their vendored CRDs. */
export const MONITORING_CRDS: Readonly<Record<string, string>> = {
  ServiceMonitor: SERVICE_MONITOR_CRD,
  PodMonitor: POD_MONITOR_CRD,
  PrometheusRule: PROMETHEUS_RULE_CRD,
};

/** Google Managed Service for Prometheus 0.17.2 CRDs (monitoring.googleapis.com; v1 validated, v1alpha1 also served). */
export const GMP_CRDS: Readonly<Record<string, string>> = {
  PodMonitoring: 'gmp-0.17.2/crds/monitoring.googleapis.com_podmonitorings.yaml',
  Rules: 'gmp-0.17.2/crds/monitoring.googleapis.com_rules.yaml',
};

/** Azure Monitor managed service for Prometheus CRDs (azmonitoring.coreos.com/v1). */
export const AZMONITORING_CRDS: Readonly<Record<string, string>> = {
  ServiceMonitor: 'azmonitoring-39583fd5/crds/ama-metrics-servicemonitor-crd.yaml',
  PodMonitor: 'azmonitoring-39583fd5/crds/ama-metrics-podmonitor-crd.yaml',
};

/** Validates a monitoring object of any of the three flavors against its vendored CRD, by apiVersion and kind. */
export function validateAnyMonitoringObject(obj: unknown): string[] {
  const apiVersion = isPlainObject(obj) ? obj.apiVersion : undefined;
  const kind = isPlainObject(obj) ? obj.kind : undefined;
  const byGroup: Record<string, Readonly<Record<string, string>>> = { 'monitoring.coreos.com/v1': MONITORING_CRDS, 'monitoring.googleapis.com/v1': GMP_CRDS, 'azmonitoring.coreos.com/v1': AZMONITORING_CRDS };
  const crds = typeof apiVersion === 'string' ? byGroup[apiVersion] : undefined;
  const file = crds && typeof kind === 'string' && Object.prototype.hasOwnProperty.call(crds, kind) ? crds[kind] : undefined;
  if (!file) throw new Error(`no vendored CRD for ${JSON.stringify(apiVersion)} ${JSON.stringify(kind)}`);
  const crd = loadCrd(file, 'v1');
  return crd.validate(obj);
}

/**
 * Validates a monitoring.coreos.com object against its kind's CRD (the shared CRD validator, whose
 * regular-expression engine accepts the CRDs' `(?i)` patterns), and checks that its apiVersion is
 * the served one (`monitoring.coreos.com/v1`). Throws for a kind whose CRD is not vendored.
 */
export function validateMonitoringObject(obj: unknown): string[] {
  return validateByKind(obj, MONITORING_CRDS, 'monitoring.coreos.com');
}
