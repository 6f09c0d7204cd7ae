import type { MonitoringModel, PrometheusFlavor } from '../declaration/model';
import type { KubernetesObject } from '../kubernetes/objects';
import {
  csiDriverPodMonitor,
  csiDriverPrometheusRule,
  externalSecretsComponentServiceMonitor,
  externalSecretsJob,
  externalSecretsPrometheusRule,
  externalSecretsServiceMonitor,
} from '../kubernetes/monitoring';
import { inFlavor, type MonitoringSet } from '../kubernetes/monitoring-flavors';

/** Which controller runs in the clusters, as far as monitoring is concerned. */
export type MonitoredController =
  | { readonly kind: 'externalSecrets'; readonly namespace: string; readonly releaseName: string }
  | { readonly kind: 'csiDriver'; readonly namespace: string; readonly releaseName: string };

/**
 * The monitoring of an environment's controller in the flavor its clusters run, when the
 * environment asks for it: External Secrets' controller, webhook and cert controller scraped, with
 * their alerts; or the CSI driver's pods, with theirs.
 */
export function monitoringPlan(monitoring: MonitoringModel | undefined, controller: MonitoredController | undefined, flavor: PrometheusFlavor): MonitoringSet | undefined {
  if (!monitoring || !controller) return undefined;
  const common = {
    namespace: controller.namespace,
    releaseName: controller.releaseName,
    syncErrorsFor: monitoring.syncErrorsFor,
    controllerDownFor: monitoring.controllerDownFor,
    labels: monitoring.labels,
  };
  if (controller.kind === 'externalSecrets') {
    const o = { ...common, notReadyFor: monitoring.notReadyFor, syncStalledWindow: monitoring.syncStalledWindow };
    const controllerMonitor = externalSecretsServiceMonitor(o);
    const built: KubernetesObject[] = [
      controllerMonitor,
      externalSecretsComponentServiceMonitor(o, 'webhook'),
      externalSecretsComponentServiceMonitor(o, 'certController'),
      externalSecretsPrometheusRule(o),
    ];
    // The controller's monitor is named apart from its Service; the others are named after theirs.
    return inFlavor(flavor, built, (m) => (m === controllerMonitor ? externalSecretsJob(o.releaseName, 'controller') : m.metadata.name));
  }
  return inFlavor(flavor, [csiDriverPodMonitor(common), csiDriverPrometheusRule(common)]);
}
