/**
 * Kubernetes' own OpenAPI v3 schema (vendored unmodified by scripts/vendor-kubernetes.sh), as a
 * validator of the objects the product renders for built-in APIs (admissionregistration.k8s.io/v1).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';

/** kubernetes/kubernetes api/openapi-spec/v3, vendored unmodified by scripts/vendor-kubernetes.sh. */
export const KUBERNETES_OPENAPI = join(__dirname, '..', '..', 'vendor', 'upstream', 'kubernetes-384f8f79', 'apis__admissionregistration.k8s.io__v1_openapi.json');

interface OpenApiSchema {
  readonly $ref?: string;
  readonly allOf?: readonly OpenApiSchema[];
  readonly type?: string;
  readonly properties?: Readonly<Record<string, OpenApiSchema>>;
  readonly additionalProperties?: OpenApiSchema | boolean;
  readonly items?: OpenApiSchema;
  readonly required?: readonly string[];
  readonly 'x-kubernetes-group-version-kind'?: readonly { readonly group: string; readonly version: string; readonly kind: string }[];
}
export interface OpenApiDocument {
  readonly openapi: string;
  readonly components: { readonly schemas: Readonly<Record<string, OpenApiSchema>> };
}

/** Kubernetes extensions in the document: annotations for clients and server-side apply, not constraints JSON Schema can check. */
const KUBERNETES_KEYWORDS = [
  'x-kubernetes-group-version-kind',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-unions',
];

export class KubernetesOpenApi {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private static readonly ID = 'kubernetes-openapi';

  constructor(readonly doc: OpenApiDocument) {
    // Unknown keywords are errors, so a new keyword in a refreshed document is noticed. Formats
    // (int32, int64, byte, date-time) are not checked: ajv-formats is not installed.
    this.ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, strictTuples: false, validateFormats: false });
    for (const keyword of ['components', ...KUBERNETES_KEYWORDS]) this.ajv.addKeyword({ keyword });
    // Refs in the document are `#/components/schemas/<name>`, resolved against this root.
    this.ajv.addSchema({ $id: KubernetesOpenApi.ID, components: doc.components });
  }

  /** Name of the schema whose x-kubernetes-group-version-kind is the object's apiVersion and kind. */
  schemaNameOf(o: { apiVersion: string; kind: string }): string {
    const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
    const names = Object.entries(this.doc.components.schemas)
      .filter(([, s]) => (s['x-kubernetes-group-version-kind'] ?? []).some((g) => g.group === group && g.version === version && g.kind === o.kind))
      .map(([n]) => n);
    if (names.length !== 1) throw new Error(`${o.apiVersion} ${o.kind}: ${names.length} schemas in the document`);
    return names[0];
  }

  /** ajv errors of `value` against schema `name`, as `<path> <message>`. */
  errors(name: string, value: unknown): string[] {
    let validate = this.validators.get(name);
    if (!validate) {
      validate = this.ajv.getSchema(`${KubernetesOpenApi.ID}#/components/schemas/${name}`);
      if (!validate) throw new Error(`no schema ${name}`);
      this.validators.set(name, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  }

  private resolve(s: OpenApiSchema): OpenApiSchema {
    if (s.$ref) {
      const name = s.$ref.replace('#/components/schemas/', '');
      const target = this.doc.components.schemas[name];
      if (!target) throw new Error(`unresolved ${s.$ref}`);
      return this.resolve(target);
    }
    if (!s.allOf) return s;
    return s.allOf.map((m) => this.resolve(m)).reduce<OpenApiSchema>((a, b) => ({ ...a, ...b, properties: { ...a.properties, ...b.properties } }), { ...s, allOf: undefined });
  }

  /**
   * Fields of `value` that the schema does not declare. Kubernetes schemas do not say
   * additionalProperties: false, but the API server drops (or, under strict field validation,
   * refuses) an unknown field: a misspelled one would be lost silently.
   */
  undeclared(name: string, value: unknown): string[] {
    const out: string[] = [];
    const walk = (schema: OpenApiSchema, v: unknown, path: string) => {
      const s = this.resolve(schema);
      if (Array.isArray(v)) {
        if (s.items) v.forEach((x, i) => walk(s.items!, x, `${path}[${i}]`));
        return;
      }
      if (v === null || typeof v !== 'object') return;
      for (const [k, x] of Object.entries(v)) {
        const at = `${path}.${k}`;
        if (s.properties?.[k]) walk(s.properties[k], x, at);
        else if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, x, at);
        else if (s.properties || s.additionalProperties === false) out.push(at);
      }
    };
    walk({ $ref: `#/components/schemas/${name}` }, value, '');
    return out;
  }
}


let shared: KubernetesOpenApi | undefined;

/** The vendored document's validator, built once. */
export function kubernetesOpenApi(): KubernetesOpenApi {
  return (shared ??= new KubernetesOpenApi(JSON.parse(readFileSync(KUBERNETES_OPENAPI, 'utf8')) as OpenApiDocument));
}

export const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * Errors of an object of a built-in API: admissionregistration.k8s.io/v1 kinds against their schema
 * (with every undeclared field), a ConfigMap's metadata against ObjectMeta and its data as strings
 * (core/v1 is not vendored).
 */
export function validateKubernetesObject(o: { apiVersion: string; kind: string; metadata?: unknown; [k: string]: unknown }): string[] {
  const api = kubernetesOpenApi();
  if (o.apiVersion === 'v1' && o.kind === 'ConfigMap') {
    const extra = Object.keys(o).filter((k) => !['apiVersion', 'kind', 'metadata', 'data'].includes(k)).map((k) => `.${k} is not a field this check knows`);
    const data = Object.entries((o.data ?? {}) as Record<string, unknown>).flatMap(([k, v]) => [
      ...(/^[-._a-zA-Z0-9]+$/.test(k) && k.length <= 253 ? [] : [`.data key ${JSON.stringify(k)} is not a valid ConfigMap key`]),
      ...(typeof v === 'string' ? [] : [`.data.${k} must be a string`]),
    ]);
    return [...extra, ...api.errors(OBJECT_META, o.metadata), ...api.undeclared(OBJECT_META, o.metadata).map((p) => `.metadata${p} is not declared`), ...data];
  }
  const name = api.schemaNameOf(o);
  return [...api.errors(name, o), ...api.undeclared(name, o).map((p) => `${p} is not declared`)];
}
