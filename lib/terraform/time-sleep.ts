import { TerraformProvider, TerraformResource, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';

const TIME = { providerName: 'time', providerVersionConstraint: '~> 0.13' };

/** The hashicorp/time provider. */
export class TimeProvider extends TerraformProvider {
  constructor(scope: Construct, id: string) {
    super(scope, id, { terraformResourceType: 'time', terraformGeneratorMetadata: TIME, terraformProviderSource: 'hashicorp/time' });
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return {};
  }
}

export interface TimeSleepProps {
  readonly provider: TimeProvider;
  /** Wait after creation, e.g. "30s". */
  readonly createDuration: string;
  /** What to wait after. */
  readonly after: ITerraformDependable[];
  /** Values whose change starts the wait again (such as a replaced role assignment). @default - none */
  readonly triggers?: Readonly<Record<string, string>>;
}

/**
 * A pause after creating something that takes effect asynchronously, such as an Azure role
 * assignment, before what depends on it (`time_sleep`).
 */
export class TimeSleep extends TerraformResource {
  private readonly props: TimeSleepProps;

  constructor(scope: Construct, id: string, props: TimeSleepProps) {
    super(scope, id, { terraformResourceType: 'time_sleep', terraformGeneratorMetadata: TIME, provider: props.provider, dependsOn: props.after });
    this.props = props;
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { create_duration: this.props.createDuration, ...(this.props.triggers ? { triggers: { ...this.props.triggers } } : {}) };
  }
}
