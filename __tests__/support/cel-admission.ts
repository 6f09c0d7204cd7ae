/**
 * A small stand-in for the API server's ValidatingAdmissionPolicy plugin, so that tests evaluate
 * the guard's CEL for real (with @bufbuild/cel) against objects, the way a cluster would:
 *
 * 1. each binding whose policy's `matchConstraints` match the request (resource, operation, scope)
 *    and whose `matchResources` select it (namespace labels, including the automatic
 *    `kubernetes.io/metadata.name`; object labels; resource rules);
 * 2. its params: the object `paramRef` names (in `paramRef.namespace`, else the request's), or,
 *    when absent, `parameterNotFoundAction` (Deny: a failure under failurePolicy Fail);
 * 3. `matchConditions`: any false skips the policy; an error goes to failurePolicy;
 * 4. `variables`, evaluated lazily when first used (`variables.<name>`), as the API server does;
 * 5. `validations`: each must be true; a false one yields `messageExpression` (when it gives a
 *    non-empty one-line string), else `message`, else `failed expression: <expression>`; an error
 *    goes to failurePolicy. The binding's validationActions say whether a failure (including an
 *    error or misconfiguration under failurePolicy Fail) denies, warns or is only audited.
 *
 * Expressions see `object`, `oldObject` (null on CREATE), `request` (operation, namespace, name,
 * kind, resource, userInfo), `params` (null without paramKind) and `namespaceObject` (null for
 * cluster-scoped objects). Not modelled: `authorizer`, paramRef selectors, the cost budget,
 * matchPolicy conversion, and webhooks.
 */
import { celEnv, isCelError, parse, plan, type CelError, type CelInput, type CelValue } from '@bufbuild/cel';
import type { KubernetesObject } from '../../lib/kubernetes/objects';
import type {
  LabelSelector,
  MatchResources,
  NamedRuleWithOperations,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  ValidationAction,
} from '../../lib/kubernetes/admission-guard';

/** Resources the simulator knows how to address. */
const RESOURCES: Record<string, { readonly resource: string; readonly namespaced: boolean }> = {
  'external-secrets.io/v1/SecretStore': { resource: 'secretstores', namespaced: true },
  'external-secrets.io/v1/ExternalSecret': { resource: 'externalsecrets', namespaced: true },
  'external-secrets.io/v1/ClusterSecretStore': { resource: 'clustersecretstores', namespaced: false },
  'external-secrets.io/v1alpha1/PushSecret': { resource: 'pushsecrets', namespaced: true },
  'v1/ConfigMap': { resource: 'configmaps', namespaced: true },
  'v1/Secret': { resource: 'secrets', namespaced: true },
};

export interface AdmissionAttempt {
  readonly operation: 'CREATE' | 'UPDATE';
  readonly object: KubernetesObject;
  /** The stored object, for UPDATE. */
  readonly oldObject?: KubernetesObject;
  /** Labels of the object's namespace besides `kubernetes.io/metadata.name`. @default {} */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** @default 'jane@example.com' */
  readonly username?: string;
}

export interface AdmissionOutcome {
  /** False when any binding with the Deny action failed (or a configuration error denied). */
  readonly allowed: boolean;
  /** `ValidatingAdmissionPolicy '<policy>' with binding '<binding>' denied request: <message>` */
  readonly denials: readonly string[];
  readonly warnings: readonly string[];
  readonly audits: readonly string[];
  /** Bindings whose policy applied to the request (after matchConditions). */
  readonly applied: readonly string[];
}

type Json = Record<string, unknown>;

const env = celEnv();
const programs = new Map<string, ReturnType<typeof plan>>();

/** Compiles once per expression; a syntax error throws (the API server would refuse the policy). */
function program(expression: string): ReturnType<typeof plan> {
  let p = programs.get(expression);
  if (!p) {
    p = plan(env, parse(expression));
    programs.set(expression, p);
  }
  return p;
}

function evaluate(expression: string, bindings: Record<string, CelInput | CelError | undefined>): CelValue | CelError {
  try {
    return program(expression)(bindings as Record<string, CelInput>);
  } catch (e) {
    throw new Error(`CEL expression does not compile: ${expression}\n${(e as Error).message}`);
  }
}

const show = (r: unknown) => (isCelError(r) ? r.message : JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));

export function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const values = r.values ?? [];
    const ok =
      r.operator === 'In' ? has && values.includes(labels[r.key]) :
      r.operator === 'NotIn' ? !has || !values.includes(labels[r.key]) :
      r.operator === 'Exists' ? has :
      !has;
    if (!ok) return false;
  }
  return true;
}

interface RequestInfo {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespaced: boolean;
  readonly operation: string;
}

const listed = (list: readonly string[], value: string) => list.includes('*') || list.includes(value);

function ruleMatches(rule: NamedRuleWithOperations, r: RequestInfo): boolean {
  return (
    listed(rule.apiGroups, r.group) &&
    listed(rule.apiVersions, r.version) &&
    listed(rule.resources, r.resource) &&
    listed(rule.operations, r.operation) &&
    (rule.scope === '*' || rule.scope === (r.namespaced ? 'Namespaced' : 'Cluster'))
  );
}

function resourcesMatch(m: MatchResources | undefined, r: RequestInfo, nsLabels: Record<string, string> | undefined, objectLabels: readonly Record<string, string>[], requireRules: boolean): boolean {
  if (!m) return !requireRules;
  // namespaceSelector never skips a cluster-scoped object (other than a Namespace).
  if (nsLabels && !selectorMatches(m.namespaceSelector, nsLabels)) return false;
  if (m.objectSelector && !objectLabels.some((l) => selectorMatches(m.objectSelector, l))) return false;
  const rules = m.resourceRules ?? [];
  if ((requireRules || rules.length > 0) && !rules.some((rule) => ruleMatches(rule, r))) return false;
  if ((m.excludeResourceRules ?? []).some((rule) => ruleMatches(rule, r))) return false;
  return true;
}

/** A cluster holding the guard's objects (policies, bindings, parameter ConfigMaps). */
export class AdmissionSimulator {
  private readonly policies = new Map<string, ValidatingAdmissionPolicy>();
  private readonly bindings: ValidatingAdmissionPolicyBinding[] = [];
  private readonly stored = new Map<string, KubernetesObject>();

  constructor(objects: readonly KubernetesObject[]) {
    for (const o of objects) {
      if (o.kind === 'ValidatingAdmissionPolicy') this.policies.set(o.metadata.name, o as ValidatingAdmissionPolicy);
      else if (o.kind === 'ValidatingAdmissionPolicyBinding') this.bindings.push(o as ValidatingAdmissionPolicyBinding);
      else this.stored.set(this.key(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name), o);
    }
  }

  private key(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
    return `${apiVersion}/${kind}/${namespace ?? ''}/${name}`;
  }

  admit(attempt: AdmissionAttempt): AdmissionOutcome {
    const { object, operation } = attempt;
    const found = RESOURCES[`${object.apiVersion}/${object.kind}`];
    if (!found) throw new Error(`the simulator does not know ${object.apiVersion} ${object.kind}`);
    const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
    const namespace = object.metadata.namespace;
    if (found.namespaced !== (namespace !== undefined)) throw new Error(`${object.kind} ${object.metadata.name}: namespace ${found.namespaced ? 'required' : 'not allowed'}`);
    const r: RequestInfo = { group, version, resource: found.resource, namespaced: found.namespaced, operation };
    const nsLabels = namespace === undefined ? undefined : { ...(attempt.namespaceLabels ?? {}), 'kubernetes.io/metadata.name': namespace };
    const objectLabels = [object, attempt.oldObject].filter((o): o is KubernetesObject => o !== undefined).map((o) => ({ ...(o.metadata.labels ?? {}) }));

    const request: Json = {
      operation,
      namespace: namespace ?? '',
      name: object.metadata.name,
      kind: { group, version, kind: object.kind },
      resource: { group, version, resource: found.resource },
      requestKind: { group, version, kind: object.kind },
      requestResource: { group, version, resource: found.resource },
      subResource: '',
      userInfo: { username: attempt.username ?? 'jane@example.com', groups: ['system:authenticated'] },
      dryRun: false,
    };
    const namespaceObject = nsLabels ? { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: nsLabels } } : null;

    const denials: string[] = [];
    const warnings: string[] = [];
    const audits: string[] = [];
    const applied: string[] = [];

    for (const binding of [...this.bindings].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
      const policy = this.policies.get(binding.spec.policyName);
      if (!policy) continue;
      const spec = policy.spec;
      if (!resourcesMatch(spec.matchConstraints, r, nsLabels, objectLabels, true)) continue;
      if (!resourcesMatch(binding.spec.matchResources, r, nsLabels, objectLabels, false)) continue;

      const prefix = `ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${binding.metadata.name}' denied request: `;
      const actions: readonly ValidationAction[] = binding.spec.validationActions;
      /** A failure is enforced by the binding's validationActions. */
      const enforce = (failure: string) => {
        if (actions.includes('Deny')) denials.push(prefix + failure);
        if (actions.includes('Warn')) warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${binding.metadata.name}': ${failure}`);
        if (actions.includes('Audit')) audits.push(failure);
      };
      /** Errors and misconfigurations count as failures only under failurePolicy Fail. */
      const failClosed = (message: string) => {
        if (spec.failurePolicy !== 'Ignore') enforce(message);
      };

      let params: KubernetesObject | null = null;
      if (spec.paramKind) {
        const ref = binding.spec.paramRef;
        if (!ref) {
          failClosed('failed to configure binding: paramRef is required when paramKind is set');
          continue;
        }
        params = this.stored.get(this.key(spec.paramKind.apiVersion, spec.paramKind.kind, ref.namespace ?? namespace, ref.name)) ?? null;
        if (!params) {
          if (ref.parameterNotFoundAction === 'Deny') failClosed('failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction');
          continue;
        }
      }

      const bindings: Record<string, CelInput | CelError | undefined> = {
        object: object as unknown as CelInput,
        oldObject: (attempt.oldObject ?? null) as unknown as CelInput,
        request: request as CelInput,
        params: params as unknown as CelInput,
        namespaceObject: namespaceObject as CelInput,
      };
      // Variables: evaluated at first use, once; a later variable may use an earlier one.
      for (const v of spec.variables ?? []) {
        let done = false;
        let value: CelValue | CelError | undefined;
        Object.defineProperty(bindings, `variables.${v.name}`, {
          enumerable: true,
          get: () => {
            if (!done) {
              value = evaluate(v.expression, bindings);
              done = true;
            }
            return value;
          },
        });
      }

      let skip = false;
      let errored = false;
      for (const c of spec.matchConditions ?? []) {
        const result = evaluate(c.expression, bindings);
        if (result === false) skip = true;
        else if (result !== true) {
          errored = true;
          failClosed(`failed to evaluate matchCondition ${c.name}: ${show(result)}`);
        }
      }
      if (skip || errored) continue;
      applied.push(binding.metadata.name);

      const failures: string[] = [];
      for (const validation of spec.validations) {
        const result = evaluate(validation.expression, bindings);
        if (result === true) continue;
        if (result !== false) {
          // An evaluation error counts as a failure under failurePolicy Fail.
          if (spec.failurePolicy !== 'Ignore') failures.push(`expression '${validation.expression}' resulted in error: ${show(result)}`);
          continue;
        }
        let message: string | undefined;
        if (validation.messageExpression) {
          const m = evaluate(validation.messageExpression, bindings);
          if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) message = m;
        }
        failures.push(message ?? validation.message ?? `failed expression: ${validation.expression}`);
      }
      for (const failure of failures) enforce(failure);
    }
    return { allowed: denials.length === 0, denials, warnings, audits, applied };
  }
}
