import { TerraformProvider, TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';

const LOCAL = { providerName: 'local', providerVersionConstraint: '~> 2.5' };

/** The hashicorp/local provider, which writes files on the machine that runs Terraform. */
export class LocalProvider extends TerraformProvider {
  constructor(scope: Construct, id: string) {
    super(scope, id, { terraformResourceType: 'local', terraformGeneratorMetadata: LOCAL, terraformProviderSource: 'hashicorp/local' });
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return {};
  }
}

export interface LocalFileProps {
  readonly provider: LocalProvider;
  /** Path of the file; relative paths start at the stack's folder (`path.module`). */
  readonly filename: string;
  /** Content; may hold Terraform expressions. */
  readonly content: string;
}

/**
 * A file written when the stack is applied (`local_file`), for values only known then, such as
 * the client ids Azure assigns to managed identities.
 */
export class LocalFile extends TerraformResource {
  private readonly props: LocalFileProps;

  constructor(scope: Construct, id: string, props: LocalFileProps) {
    super(scope, id, { terraformResourceType: 'local_file', terraformGeneratorMetadata: LOCAL, provider: props.provider });
    this.props = props;
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { filename: this.props.filename, content: this.props.content, file_permission: '0644' };
  }
}
