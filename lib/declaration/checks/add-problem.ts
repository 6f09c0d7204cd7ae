/** How a declaration check reports one problem: where, the value found, and the rule it breaks. */
export type AddProblem = (path: readonly (string | number)[], value: unknown, rule: string) => void;
