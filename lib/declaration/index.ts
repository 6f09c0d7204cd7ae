export * from './problem';
export * from './rules';
export * from './schema';
export * from './naming';
export * from './model';
export { checkStructure, VALUE_RULE } from './structure';
export * from './load';
