/**
 * The three Prometheus flavors teams run, and what the monitoring objects become in each. The
 * builders in ./monitoring.ts write Prometheus Operator objects (monitoring.coreos.com/v1); here they
 * are carried over, field for field, to the flavor a cluster runs:
 *
 * - prometheusOperator: as built (ServiceMonitor, PodMonitor, PrometheusRule);
 * - googleManagedPrometheus (GKE's default, managed collection): a PodMonitoring
 *   (monitoring.googleapis.com/v1) per ServiceMonitor, selecting the pods behind that Service by the
 *   same labels (the External Secrets chart gives a component's pods and Service the same selector
 *   labels) on the same container port, and named after the Service, so that the `job` label (GMP
 *   sets it to the PodMonitoring's name: pkg/operator/apis/monitoring/v1 PodMonitoring scrape
 *   configs, prometheus-engine v0.17.2) is the one the rules select; a Rules object per
 *   PrometheusRule, same groups;
 * - azureManagedPrometheus (AKS, the Azure Monitor metrics add-on): the same ServiceMonitor and
 *   PodMonitor under azmonitoring.coreos.com/v1, which the add-on's target allocator reads; the rules
 *   are not Kubernetes objects there but Azure Monitor Prometheus rule groups (`alertGroups`),
 *   written by Terraform against the cluster's Azure Monitor workspace.
 *
 * No cdktf here.
 */
import type { AlertRule } from './monitoring';
import { MONITORING_API } from './monitoring';
import type { KubernetesObject } from './objects';

export type MonitoringStack = 'prometheusOperator' | 'googleManagedPrometheus' | 'azureManagedPrometheus';

export const GMP_API = 'monitoring.googleapis.com/v1';
export const AZMONITORING_API = 'azmonitoring.coreos.com/v1';

/** A group of alerting rules evaluated outside the cluster (an Azure Monitor Prometheus rule group). */
export interface AlertGroup {
  /** The PrometheusRule it comes from. */
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** What a flavor deploys: Kubernetes objects, and rule groups kept outside the cluster. */
export interface MonitoringSet {
  readonly stack: MonitoringStack;
  readonly objects: readonly KubernetesObject[];
  readonly alertGroups: readonly AlertGroup[];
}

type Json = Record<string, any>;

/**
 * Carries Prometheus Operator monitoring objects over to a flavor. `jobOf` gives the `job` label a
 * ServiceMonitor's targets get (the name of the Service it selects), which names the PodMonitoring
 * that replaces it on GMP.
 */
export function inFlavor(stack: MonitoringStack, built: readonly KubernetesObject[], jobOf: (serviceMonitor: KubernetesObject) => string = (o) => o.metadata.name): MonitoringSet {
  for (const o of built) {
    if (o.apiVersion !== MONITORING_API) throw new Error(`inFlavor: ${o.kind} ${o.metadata.name} is not a ${MONITORING_API} object`);
  }
  if (stack === 'prometheusOperator') return { stack, objects: [...built], alertGroups: [] };
  if (stack === 'azureManagedPrometheus') {
    return {
      stack,
      objects: built.filter((o) => o.kind !== 'PrometheusRule').map((o) => ({ ...o, apiVersion: AZMONITORING_API })),
      alertGroups: built.filter((o) => o.kind === 'PrometheusRule').map((o) => ({ name: o.metadata.name, rules: ((o as Json).spec.groups as { rules: AlertRule[] }[]).flatMap((g) => g.rules) })),
    };
  }
  return { stack, objects: built.map((o) => toGoogleManagedPrometheus(o, jobOf)), alertGroups: [] };
}

function toGoogleManagedPrometheus(o: KubernetesObject, jobOf: (serviceMonitor: KubernetesObject) => string): KubernetesObject {
  const spec = (o as Json).spec;
  if (o.kind === 'PrometheusRule') return { apiVersion: GMP_API, kind: 'Rules', metadata: o.metadata, spec: { groups: spec.groups } };
  if (o.kind === 'ServiceMonitor') {
    return {
      apiVersion: GMP_API,
      kind: 'PodMonitoring',
      // Named after the Service: GMP's job label is this name, the Service's name with a ServiceMonitor.
      metadata: { ...o.metadata, name: jobOf(o) },
      spec: {
        selector: { matchLabels: spec.selector.matchLabels },
        endpoints: (spec.endpoints as Json[]).map((e) => ({ port: e.port, interval: e.interval, ...(e.scrapeTimeout ? { timeout: e.scrapeTimeout } : {}) })),
      },
    };
  }
  // A PodMonitor's job is <namespace>/<name>, which a PodMonitoring name cannot be.
  throw new Error(`googleManagedPrometheus: no PodMonitoring for ${o.kind} ${o.metadata.name} (only ServiceMonitors and PrometheusRules are carried over)`);
}
