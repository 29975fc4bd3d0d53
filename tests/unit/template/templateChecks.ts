// Offline checks of a CloudFormation/SAM template: parsing with the short-form intrinsic tags, references,
// conditions, the build (Makefile target, entry point), and IAM wildcards. Pure functions over the parsed
// template, so the tests can feed them broken templates and prove each check can fail.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

/** A parsed template: plain JSON-like values, with intrinsics in their long form ({"Fn::Sub": ...}). */
export type CfnValue = string | number | boolean | null | CfnValue[] | { [key: string]: CfnValue };
export type CfnObject = { [key: string]: CfnValue };

/** Short-form tags whose long form is `Fn::<Name>`. */
const FN_TAGS = [
  'GetAtt', 'Sub', 'If', 'Equals', 'Not', 'And', 'Or', 'Join', 'Select', 'Split', 'FindInMap', 'Base64', 'Cidr',
  'ImportValue', 'GetAZs', 'Length', 'ToJsonString', 'Transform',
  // Rule-only functions (template Rules section)
  'Contains', 'EachMemberEquals', 'EachMemberIn', 'RefAll', 'ValueOf', 'ValueOfAll',
] as const;

function longForm(tag: string, value: unknown): CfnObject {
  if (tag === 'Ref' || tag === 'Condition') return { [tag]: value as CfnValue };
  // !GetAtt Resource.Attribute is the scalar form of ["Resource", "Attribute"].
  if (tag === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${tag}`]: value as CfnValue };
}

/** Each tag in its scalar, sequence and mapping form. */
function cloudFormationTags(): Array<ScalarTag | CollectionTag> {
  const tags: Array<ScalarTag | CollectionTag> = [];
  for (const name of ['Ref', 'Condition', ...FN_TAGS]) {
    const tag = `!${name}`;
    tags.push({ tag, resolve: (value: string) => longForm(name, value) });
    for (const collection of ['seq', 'map'] as const) {
      tags.push({ tag, collection, resolve: (node: YAMLMap.Parsed | YAMLSeq.Parsed) => longForm(name, node.toJSON()) });
    }
  }
  return tags;
}

/** Parses template text; throws on YAML errors and on any tag CloudFormation does not know. */
export function parseTemplate(text: string): CfnObject {
  const document = parseDocument(text, { customTags: cloudFormationTags(), strict: true, prettyErrors: true, uniqueKeys: true });
  // An unknown tag is only a warning to the yaml package; to CloudFormation it is an error.
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) throw new Error(`template.yaml does not parse:\n${problems.map((p) => p.message).join('\n')}`);
  const doc: unknown = document.toJS();
  if (!isObject(doc)) throw new Error('template is not a mapping');
  return doc;
}

export function isObject(value: unknown): value is CfnObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `template[name]` when it is a mapping, else an empty one: chained, a path that may be absent. */
export function section(template: CfnObject, name: string): CfnObject {
  const value = template[name];
  return isObject(value) ? value : {};
}

/** Pseudo parameters CloudFormation defines. */
export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId', 'AWS::Region', 'AWS::Partition', 'AWS::StackName', 'AWS::URLSuffix', 'AWS::NoValue',
  'AWS::StackId', 'AWS::NotificationARNs',
]);

/** Visits every value with its path (e.g. `Resources.Role.Properties.RoleName`). */
export function walk(value: CfnValue, visit: (value: CfnValue, path: string) => void, path = ''): void {
  visit(value, path);
  if (Array.isArray(value)) value.forEach((item, i) => walk(item, visit, `${path}[${i}]`));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) walk(v, visit, path ? `${path}.${k}` : k);
}

/** The names a `Fn::Sub` string refers to: `${Name}` and `${Name.Attr}`; `${!Literal}` is no reference. */
export function subReferences(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    const inner = (match[1] ?? '').trim();
    if (!inner.startsWith('!')) names.push(inner);
  }
  return names;
}

/**
 * Every Ref, GetAtt and Sub reference that names no parameter, resource or pseudo parameter (or, in a
 * Sub, no variable of its own map); GetAtt and `${X.Attr}` must name a resource; in the Conditions
 * section, Ref may only name parameters. DependsOn must name resources.
 */
export function findReferenceProblems(template: CfnObject): string[] {
  const parameters = new Set(Object.keys(section(template, 'Parameters')));
  const resources = new Set(Object.keys(section(template, 'Resources')));
  const problems: string[] = [];
  const checkName = (name: string, path: string, how: string, locals: ReadonlySet<string> = new Set()): void => {
    const dot = name.indexOf('.');
    if (dot >= 0 && !name.startsWith('AWS::')) {
      const resource = name.slice(0, dot);
      if (!resources.has(resource)) problems.push(`${path}: ${how} names unknown resource "${resource}" (in "${name}")`);
      return;
    }
    if (!parameters.has(name) && !resources.has(name) && !PSEUDO_PARAMETERS.has(name) && !locals.has(name)) {
      problems.push(`${path}: ${how} names unknown parameter, resource or pseudo parameter "${name}"`);
    }
  };
  walk(template, (value, path) => {
    if (!isObject(value)) return;
    const ref = value.Ref;
    if (typeof ref === 'string') {
      if (path.startsWith('Conditions.') && resources.has(ref)) problems.push(`${path}: a condition cannot Ref resource "${ref}"`);
      else checkName(ref, path, 'Ref');
    } else if ('Ref' in value && Object.keys(value).length === 1) {
      problems.push(`${path}: Ref takes a name, got ${JSON.stringify(ref)}`);
    }
    const getAtt = value['Fn::GetAtt'];
    if (getAtt !== undefined) {
      const target = Array.isArray(getAtt) ? getAtt[0] : undefined;
      if (typeof target !== 'string' || !Array.isArray(getAtt) || getAtt.length !== 2) {
        problems.push(`${path}: GetAtt needs [Resource, Attribute], got ${JSON.stringify(getAtt)}`);
      } else if (!resources.has(target)) {
        problems.push(`${path}: GetAtt names unknown resource "${target}"`);
      }
    }
    const sub = value['Fn::Sub'];
    if (sub !== undefined) {
      const [text, vars] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, undefined];
      if (typeof text !== 'string') problems.push(`${path}: Sub needs a string`);
      else {
        const locals = new Set(isObject(vars) ? Object.keys(vars) : []);
        for (const name of subReferences(text)) checkName(name, path, 'Sub', locals);
      }
    }
  });
  for (const [name, resource] of Object.entries(section(template, 'Resources'))) {
    const dependsOn = isObject(resource) ? resource.DependsOn : undefined;
    const deps = typeof dependsOn === 'string' ? [dependsOn] : Array.isArray(dependsOn) ? dependsOn : [];
    for (const dep of deps) {
      if (typeof dep !== 'string' || !resources.has(dep)) problems.push(`Resources.${name}.DependsOn: unknown resource ${JSON.stringify(dep)}`);
    }
  }
  return problems;
}

/** Every condition used (resource/output `Condition`, `Fn::If`, `!Condition`) that the Conditions section lacks. */
export function findConditionProblems(template: CfnObject): string[] {
  const conditions = new Set(Object.keys(section(template, 'Conditions')));
  const problems: string[] = [];
  const check = (name: CfnValue | undefined, path: string): void => {
    if (typeof name !== 'string' || !conditions.has(name)) problems.push(`${path}: unknown condition ${JSON.stringify(name)}`);
  };
  for (const part of ['Resources', 'Outputs']) {
    for (const [name, entry] of Object.entries(section(template, part))) {
      if (isObject(entry) && 'Condition' in entry) check(entry.Condition, `${part}.${name}.Condition`);
    }
  }
  walk(template, (value, path) => {
    if (!isObject(value)) return;
    const fnIf = value['Fn::If'];
    if (fnIf !== undefined) {
      if (!Array.isArray(fnIf) || fnIf.length !== 3) problems.push(`${path}: Fn::If needs [condition, then, else]`);
      else check(fnIf[0], `${path}.Fn::If`);
    }
    // Inside Conditions, {"Condition": "X"} is a reference; elsewhere a "Condition" key is a resource's own
    // (checked above) or an IAM statement's condition block (an object).
    if (path.startsWith('Conditions.') && typeof value.Condition === 'string') check(value.Condition, path);
  });
  return problems;
}

/** Both branches of every Fn::If, flattened: the values a property can take. */
export function possibleValues(value: CfnValue | undefined): CfnValue[] {
  if (value === undefined) return [];
  if (isObject(value) && Array.isArray(value['Fn::If'])) {
    const [, whenTrue, whenFalse] = value['Fn::If'];
    return [...possibleValues(whenTrue), ...possibleValues(whenFalse)];
  }
  if (isObject(value) && value.Ref === 'AWS::NoValue') return [];
  return [value];
}

function asList(value: CfnValue | undefined): CfnValue[] {
  return possibleValues(value).flatMap((v) => (Array.isArray(v) ? v.flatMap((item) => possibleValues(item)) : [v]));
}

/** An IAM statement found in the template, with where it is. */
export interface IamStatement {
  path: string;
  statement: CfnObject;
}

/** Every statement of every policy document (anything with a `Statement` list), both branches of Fn::If. */
export function iamStatements(template: CfnObject): IamStatement[] {
  const found: IamStatement[] = [];
  walk(template, (value, path) => {
    if (!isObject(value) || !('Statement' in value)) return;
    asList(value.Statement).forEach((statement, i) => {
      if (isObject(statement)) found.push({ path: `${path}.Statement[${i}]`, statement });
    });
  });
  return found;
}

/**
 * Allow statements that grant Resource "*" for an action outside `allowedOnAnyResource` (actions that
 * support no resource-level permission), use NotAction/NotResource, or grant wildcard actions.
 * Trust policies (no Resource) are not grants and are skipped.
 */
export function findWildcardGrants(template: CfnObject, allowedOnAnyResource: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const { path, statement } of iamStatements(template)) {
    if (statement.Effect !== 'Allow') continue;
    if ('NotAction' in statement || 'NotResource' in statement) {
      problems.push(`${path}: NotAction/NotResource grants more than it names`);
      continue;
    }
    if (!('Resource' in statement)) continue;
    const actions = asList(statement.Action);
    for (const action of actions) {
      if (typeof action === 'string' && action.includes('*')) problems.push(`${path}: wildcard action "${action}"`);
    }
    const resources = asList(statement.Resource);
    if (!resources.some((r) => r === '*')) continue;
    for (const action of actions) {
      if (typeof action !== 'string' || !allowedOnAnyResource.has(action)) {
        problems.push(`${path}: ${JSON.stringify(action)} is granted on Resource "*" but the API allows a narrower resource`);
      }
    }
  }
  return problems;
}

/** Reads a file of the repository; injectable so tests can pretend files exist. */
export type FileReader = (relativePath: string) => string | undefined;

export function repoFileReader(root: string): FileReader {
  return (relativePath) => {
    const full = join(root, relativePath);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  };
}

/**
 * Every function is built by the project's own build, so what is deployed is the bundle the tests exercise
 * (issue 27): BuildMethod makefile, a Makefile beside the code (CodeUri) with a `build-<LogicalId>` target
 * whose recipe runs scripts/build.mjs and copies one of its bundles to `$(ARTIFACTS_DIR)/<module>.js`, where
 * the Handler is `<module>.<export>`; and the bundle's entry point (handlers/<name>.ts for
 * dist/<name>/index.js) exports what the Handler names.
 */
export function findBuildProblems(template: CfnObject, readFile: FileReader): string[] {
  const problems: string[] = [];
  for (const [name, resource] of Object.entries(section(template, 'Resources'))) {
    if (!isObject(resource) || resource.Type !== 'AWS::Serverless::Function') continue;
    const where = `Resources.${name}`;
    const metadata = isObject(resource.Metadata) ? resource.Metadata : {};
    const props = isObject(resource.Properties) ? resource.Properties : {};
    if (metadata.BuildMethod !== 'makefile') {
      problems.push(`${where}.Metadata.BuildMethod: ${JSON.stringify(metadata.BuildMethod)} is not the project's build (makefile running scripts/build.mjs)`);
      continue;
    }
    const codeUri = typeof props.CodeUri === 'string' ? props.CodeUri : '.';
    const makefilePath = join(codeUri, 'Makefile');
    const makefile = readFile(makefilePath);
    if (makefile === undefined) {
      problems.push(`${where}: ${makefilePath} does not exist`);
      continue;
    }
    const recipe = makeRecipe(makefile, `build-${name}`);
    if (recipe === undefined) {
      problems.push(`${where}: ${makefilePath} has no target build-${name}`);
      continue;
    }
    if (!recipe.some((line) => /^node scripts\/build\.mjs\b/.test(line))) problems.push(`${where}: build-${name} does not run node scripts/build.mjs`);
    const handler = props.Handler;
    if (typeof handler !== 'string' || !/^[\w-]+\.\w+$/.test(handler)) {
      problems.push(`${where}.Properties.Handler: expected <module>.<export>, got ${JSON.stringify(handler)}`);
      continue;
    }
    const [module = '', exported = ''] = handler.split('.');
    const copy = recipe.map((line) => /^cp\s+dist\/([\w-]+)\/index\.js\s+"?\$\(ARTIFACTS_DIR\)\/([\w-]+)\.js"?$/.exec(line)).find((m) => m !== null);
    if (!copy) {
      problems.push(`${where}: build-${name} does not copy a dist/<name>/index.js bundle into $(ARTIFACTS_DIR)`);
      continue;
    }
    const [, bundle = '', artifact = ''] = copy;
    if (artifact !== module) {
      problems.push(`${where}.Properties.Handler: "${handler}" loads ${module}.js but build-${name} writes ${artifact}.js`);
    }
    // dist/durable-restore is built from handlers/durableRestore.ts (scripts/build.mjs names bundles in kebab case).
    const entry = `handlers/${bundle.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())}.ts`;
    const source = readFile(entry);
    if (source === undefined) {
      problems.push(`${where}: entry point ${entry} of dist/${bundle}/index.js does not exist`);
      continue;
    }
    const exportPattern = new RegExp(
      `export\\s+(?:const|let|var|(?:async\\s+)?function)\\s+${exported}\\b|export\\s*\\{[^}]*\\b${exported}\\b[^}]*\\}`);
    if (!exportPattern.test(source)) problems.push(`${where}: ${entry} does not export "${exported}"`);
  }
  return problems;
}

/** The recipe lines of one Makefile target (tab-indented lines after `target:`), `@` and spaces trimmed. */
export function makeRecipe(makefile: string, target: string): string[] | undefined {
  const lines = makefile.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`${target}:`));
  if (start < 0) return undefined;
  const recipe: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('\t')) break;
    recipe.push(line.trim().replace(/^[@-]+/, ''));
  }
  return recipe;
}
