import { requireProps } from '../terraform/construct-checks';
import { fixedName } from '../terraform/address-claims';
import { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import type { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { stringify } from 'yaml';

export interface ControllerReleaseProps {
  /** Helm provider of the target cluster. */
  readonly provider: HelmProvider;
  /** Release name. */
  readonly name: string;
  readonly repository: string;
  readonly chart: string;
  /** Exact chart version; never a range. */
  readonly version: string;
  readonly namespace: string;
  /** Chart values, rendered as one YAML document with sorted keys. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Terraform address (`helm_release.<name>`). @default - derived from the construct id */
  readonly resourceName?: string;
}

/**
 * An in-cluster controller (External Secrets Operator, the Secrets Store CSI driver) installed by
 * its Helm chart at a pinned version, atomically: a failed upgrade rolls back.
 */
export class ControllerRelease extends Construct {
  public readonly release: Release;

  constructor(scope: Construct, id: string, props: ControllerReleaseProps) {
    super(scope, id);
    requireProps(this, props);
    this.release = new Release(this, 'Resource', {
      provider: props.provider,
      name: props.name,
      repository: props.repository,
      chart: props.chart,
      version: props.version,
      namespace: props.namespace,
      createNamespace: true,
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      values: [stringify(props.values, { sortMapEntries: true })],
    });
    if (props.resourceName) fixedName(this.release, props.resourceName);
  }
}
