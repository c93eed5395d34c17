/**
 * Evaluates a compiled ARM template (what `bicep build` writes) far enough to test what a deployment
 * would configure, without Azure: parameters and their defaults, variables, nested module deployments
 * with their parameters and outputs, conditions and copy loops. Functions whose result only Azure knows
 * (resourceId, reference to a resource, uniqueString, subscription(), …) evaluate to an `Opaque` value
 * that records the call, so a test can still check *which* resource or output a value comes from.
 */

export type ArmValue = string | number | boolean | null | Opaque | ArmValue[] | { [key: string]: ArmValue };
type ArmObject = { [key: string]: ArmValue };

/** A value only known at deployment time, e.g. reference(resourceId('T', 'n')).principalId. */
export class Opaque {
  constructor(
    readonly fn: string,
    readonly args: readonly ArmValue[],
    readonly path: readonly string[] = [],
  ) {}

  get(property: string): Opaque {
    return new Opaque(this.fn, this.args, [...this.path, property]);
  }

  get text(): string {
    return `${this.fn}(${this.args.map(render).join(', ')})${this.path.map((p) => `.${p}`).join('')}`;
  }

  toString(): string {
    return this.text;
  }
}

export function render(value: ArmValue): string {
  if (value instanceof Opaque) return value.text;
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  return JSON.stringify(value);
}

export function isOpaque(value: unknown, fn?: string): value is Opaque {
  return value instanceof Opaque && (fn === undefined || value.fn === fn);
}

/** Two values are the same deployment-time value when they render identically. */
export function sameValue(a: ArmValue, b: ArmValue): boolean {
  return render(a) === render(b);
}

// ------------------------------------------------------------------------------------------------
// Expression parser: the ARM template expression language, enough of it for compiled Bicep.
// ------------------------------------------------------------------------------------------------

type Expr =
  | { kind: 'literal'; value: string | number }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'property'; target: Expr; name: string }
  | { kind: 'index'; target: Expr; index: Expr };

function parseExpression(source: string): Expr {
  let pos = 0;
  const skip = (): void => {
    while (pos < source.length && /\s/.test(source[pos]!)) pos++;
  };
  const expect = (ch: string): void => {
    skip();
    if (source[pos] !== ch) throw new Error(`expected '${ch}' at ${pos} in ${source}`);
    pos++;
  };
  const primary = (): Expr => {
    skip();
    const ch = source[pos];
    if (ch === "'") {
      let value = '';
      pos++;
      for (;;) {
        if (pos >= source.length) throw new Error(`unterminated string in ${source}`);
        if (source[pos] === "'") {
          if (source[pos + 1] === "'") {
            value += "'";
            pos += 2;
            continue;
          }
          pos++;
          break;
        }
        value += source[pos++];
      }
      return { kind: 'literal', value };
    }
    const number = /^-?\d+(\.\d+)?/.exec(source.slice(pos));
    if (number) {
      pos += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    const ident = /^[A-Za-z_$][\w$.]*/.exec(source.slice(pos));
    if (!ident) throw new Error(`unexpected '${ch}' at ${pos} in ${source}`);
    pos += ident[0].length;
    expect('(');
    const args: Expr[] = [];
    skip();
    if (source[pos] === ')') pos++;
    else {
      for (;;) {
        args.push(expression());
        skip();
        if (source[pos] === ',') {
          pos++;
          continue;
        }
        expect(')');
        break;
      }
    }
    return { kind: 'call', name: ident[0], args };
  };
  const expression = (): Expr => {
    let node = primary();
    for (;;) {
      skip();
      if (source[pos] === '.') {
        pos++;
        const name = /^[\w$#-]+/.exec(source.slice(pos));
        if (!name) throw new Error(`expected a property name at ${pos} in ${source}`);
        pos += name[0].length;
        node = { kind: 'property', target: node, name: name[0] };
      } else if (source[pos] === '[') {
        pos++;
        const index = expression();
        expect(']');
        node = { kind: 'index', target: node, index };
      } else return node;
    }
  };
  const result = expression();
  skip();
  if (pos !== source.length) throw new Error(`unexpected trailing text at ${pos} in ${source}`);
  return result;
}

// ------------------------------------------------------------------------------------------------
// Scopes: one per template (the main template, each module's inner template).
// ------------------------------------------------------------------------------------------------

interface RawResource {
  type: string;
  apiVersion?: string;
  name: unknown;
  condition?: unknown;
  existing?: boolean;
  copy?: { name: string; count: unknown };
  properties?: unknown;
  [key: string]: unknown;
}

interface RawTemplate {
  parameters?: Record<string, { type: string; defaultValue?: unknown; [k: string]: unknown }>;
  variables?: Record<string, unknown>;
  resources: RawResource[] | Record<string, RawResource>;
  outputs?: Record<string, { type: string; value: unknown }>;
}

class Scope {
  private readonly variableCache = new Map<string, ArmValue>();
  private readonly parameterCache = new Map<string, ArmValue>();

  constructor(
    readonly template: RawTemplate,
    private readonly given: Readonly<Record<string, ArmValue>>,
    readonly copyIndex: number | null = null,
  ) {}

  withCopyIndex(index: number): Scope {
    const scope = new Scope(this.template, this.given, index);
    // Parameters and variables do not depend on the loop index.
    for (const [k, v] of this.parameterCache) scope.parameterCache.set(k, v);
    for (const [k, v] of this.variableCache) scope.variableCache.set(k, v);
    return scope;
  }

  parameter(name: string): ArmValue {
    const cached = this.parameterCache.get(name);
    if (cached !== undefined) return cached;
    const declared = this.template.parameters?.[name];
    if (!declared) throw new Error(`parameters('${name}') is not declared`);
    let value: ArmValue;
    if (Object.prototype.hasOwnProperty.call(this.given, name)) value = this.given[name]!;
    else if ('defaultValue' in declared) value = this.evaluate(declared.defaultValue);
    else throw new Error(`parameter '${name}' has no value and no default`);
    this.parameterCache.set(name, value);
    return value;
  }

  variable(name: string): ArmValue {
    const cached = this.variableCache.get(name);
    if (cached !== undefined) return cached;
    const vars = this.template.variables ?? {};
    if (!(name in vars)) throw new Error(`variables('${name}') is not declared`);
    const value = this.evaluate(vars[name]);
    this.variableCache.set(name, value);
    return value;
  }

  resources(): RawResource[] {
    const r = this.template.resources;
    return Array.isArray(r) ? r : Object.values(r);
  }

  /** A nested deployment (module) of this template, by its literal name. */
  deployment(name: string): RawResource | undefined {
    return this.resources().find((r) => r.type === 'Microsoft.Resources/deployments' && r.name === name);
  }

  evaluate(value: unknown): ArmValue {
    if (typeof value === 'string') {
      if (value.startsWith('[[')) return value.slice(1);
      if (value.startsWith('[') && value.endsWith(']')) return this.evalExpr(parseExpression(value.slice(1, -1)));
      return value;
    }
    if (Array.isArray(value)) return value.map((v) => this.evaluate(v));
    if (value && typeof value === 'object') {
      const out: ArmObject = {};
      for (const [k, v] of Object.entries(value)) {
        // Keys can be expressions too, e.g. userAssignedIdentities: { '[<identity id>]': {} }.
        const key = this.evaluate(k);
        out[typeof key === 'string' ? key : render(key)] = this.evaluate(v);
      }
      return out;
    }
    return value as ArmValue;
  }

  private evalExpr(expr: Expr): ArmValue {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'property': {
        const target = this.evalExpr(expr.target);
        return member(target, expr.name);
      }
      case 'index': {
        const target = this.evalExpr(expr.target);
        const index = this.evalExpr(expr.index);
        if (target instanceof Opaque || index instanceof Opaque) {
          return target instanceof Opaque ? target.get(`[${render(index)}]`) : new Opaque('index', [target, index]);
        }
        if (Array.isArray(target) && typeof index === 'number') return target[index] ?? fail(`index ${index} out of range`);
        return member(target, String(index));
      }
      case 'call':
        return this.call(expr.name, expr.args);
    }
  }

  private call(name: string, argExprs: Expr[]): ArmValue {
    const fn = name.toLowerCase();
    // Lazily evaluated functions first.
    if (fn === 'if') {
      const condition = this.evalExpr(argExprs[0]!);
      if (condition instanceof Opaque) return new Opaque('if', argExprs.map((a) => this.evalExpr(a)));
      return this.evalExpr(condition ? argExprs[1]! : argExprs[2]!);
    }
    const args = argExprs.map((a) => this.evalExpr(a));
    const anyOpaque = args.some((a) => a instanceof Opaque);
    // Bicep writes '${x}' as format('{0}', x): that is x itself.
    if (fn === 'format' && args.length === 2 && args[0] === '{0}' && args[1] instanceof Opaque) return args[1];
    switch (fn) {
      case 'parameters':
        return this.parameter(String(args[0]));
      case 'variables':
        return this.variable(String(args[0]));
      case 'copyindex':
        if (this.copyIndex === null) throw new Error('copyIndex() outside a copy loop');
        return this.copyIndex + (typeof args[0] === 'number' ? args[0] : 0);
      case 'true':
        return true;
      case 'false':
        return false;
      case 'null':
        return null;
      case 'createobject': {
        const out: ArmObject = {};
        for (let i = 0; i < args.length; i += 2) out[String(args[i])] = args[i + 1]!;
        return out;
      }
      case 'createarray':
        return args;
      case 'reference':
        return this.reference(args);
    }
    if (anyOpaque) return new Opaque(name, args);
    switch (fn) {
      case 'string':
        return armString(args[0]!);
      case 'format':
        return String(args[0]).replace(/\{(\d+)(:[^}]*)?\}/g, (_, i: string) => armString(args[Number(i) + 1]!));
      case 'concat':
        return args.every(Array.isArray) ? (args as ArmValue[][]).flat() : args.map(armString).join('');
      case 'tolower':
        return String(args[0]).toLowerCase();
      case 'toupper':
        return String(args[0]).toUpperCase();
      case 'replace':
        return String(args[0]).split(String(args[1])).join(String(args[2]));
      case 'take':
        return Array.isArray(args[0]) ? args[0].slice(0, Number(args[1])) : String(args[0]).slice(0, Number(args[1]));
      case 'div':
        return Math.trunc(Number(args[0]) / Number(args[1])); // ARM's div is integer division
      case 'min':
        return Math.min(...(args as number[]));
      case 'max':
        return Math.max(...(args as number[]));
      case 'length':
        return Array.isArray(args[0]) ? args[0].length : typeof args[0] === 'string' ? args[0].length : Object.keys(args[0] as object).length;
      case 'empty':
        return args[0] === null || args[0] === '' || (Array.isArray(args[0]) ? args[0].length === 0 : typeof args[0] === 'object' && Object.keys(args[0]!).length === 0);
      case 'not':
        return !args[0];
      case 'and':
        return args.every(Boolean);
      case 'or':
        return args.some(Boolean);
      case 'equals':
        return render(args[0]!) === render(args[1]!);
      case 'coalesce':
        return args.find((a) => a !== null) ?? null;
      case 'union':
        return args.every(Array.isArray)
          ? [...new Set((args as ArmValue[][]).flat())]
          : Object.assign({}, ...(args as ArmObject[]));
      default:
        // resourceId, subscription, uniqueString, guid, … : only Azure knows the value.
        return new Opaque(name, args);
    }
  }

  /**
   * reference() to a module deployment of this template yields that module's evaluated outputs;
   * a reference to anything else stays opaque (its properties are only known once deployed).
   */
  private reference(args: ArmValue[]): ArmValue {
    const id = args[0];
    if (id instanceof Opaque && /^(extension)?resourceId$/i.test(id.fn) && id.path.length === 0) {
      const typeIndex = id.args.findIndex((a) => a === 'Microsoft.Resources/deployments');
      const deploymentName = typeIndex >= 0 ? id.args[typeIndex + 1] : undefined;
      if (typeof deploymentName === 'string') {
        const deployment = this.deployment(deploymentName);
        if (deployment) {
          const outputs: ArmObject = {};
          const inner = moduleScope(this, deployment);
          for (const [key, output] of Object.entries(inner.template.outputs ?? {})) {
            outputs[key] = { value: inner.evaluate(output.value) };
          }
          return { outputs };
        }
      }
    }
    return new Opaque('reference', args);
  }
}

function fail(message: string): never {
  throw new Error(message);
}

function member(target: ArmValue, name: string): ArmValue {
  if (target instanceof Opaque) return target.get(name);
  if (target && typeof target === 'object' && !Array.isArray(target)) {
    // ARM property access is case-insensitive.
    const key = Object.keys(target).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key === undefined) throw new Error(`property '${name}' not found in ${render(target)}`);
    return target[key]!;
  }
  throw new Error(`cannot read '${name}' of ${render(target)}`);
}

/** ARM's string(): booleans become True/False, objects JSON. */
function armString(value: ArmValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (value instanceof Opaque) return value.text;
  return JSON.stringify(value);
}

function moduleScope(outer: Scope, deployment: RawResource): Scope {
  const props = deployment.properties as { parameters?: Record<string, { value?: unknown }>; template: RawTemplate };
  const given: Record<string, ArmValue> = {};
  for (const [name, param] of Object.entries(props.parameters ?? {})) {
    if (!('value' in param)) throw new Error(`module parameter ${name} is not given by value`);
    given[name] = outer.evaluate(param.value);
  }
  return new Scope(props.template, given);
}

// ------------------------------------------------------------------------------------------------
// Public surface
// ------------------------------------------------------------------------------------------------

export interface DeployedResource {
  readonly type: string;
  /** Module deployment names from the main template down to this resource's template. */
  readonly modulePath: readonly string[];
  readonly name: ArmValue;
  /** False when a condition (on the resource or an enclosing module) turns it off. */
  readonly deployed: boolean;
  readonly raw: RawResource;
  /** Evaluates any of this resource's fields (properties, scope, identity, kind, …). */
  field(name: string): ArmValue;
}

export interface Deployment {
  readonly resources: readonly DeployedResource[];
  /** The main template's outputs. */
  output(name: string): ArmValue;
  /** Main template parameter value (given or default). */
  parameter(name: string): ArmValue;
}

/** Walks a compiled template as ARM would deploy it with these parameter values. */
export function evaluateDeployment(template: unknown, parameters: Readonly<Record<string, ArmValue>> = {}): Deployment {
  const main = new Scope(template as RawTemplate, parameters);
  const resources: DeployedResource[] = [];
  const walk = (scope: Scope, modulePath: string[], enclosingDeployed: boolean): void => {
    for (const raw of scope.resources()) {
      if (raw.existing) continue;
      const scopes =
        raw.copy === undefined
          ? [scope]
          : Array.from({ length: Number(scope.evaluate(raw.copy.count)) }, (_, i) => scope.withCopyIndex(i));
      for (const s of scopes) {
        const condition = raw.condition === undefined ? true : s.evaluate(raw.condition);
        if (condition instanceof Opaque) throw new Error(`condition of ${raw.type} is not known before deployment`);
        const deployed = enclosingDeployed && Boolean(condition);
        const name = s.evaluate(raw.name);
        if (raw.type === 'Microsoft.Resources/deployments') {
          walk(moduleScope(s, raw), [...modulePath, String(name)], deployed);
        }
        resources.push({
          type: raw.type,
          modulePath,
          name,
          deployed,
          raw,
          field: (field) => s.evaluate(raw[field]),
        });
      }
    }
  };
  walk(main, [], true);
  const outputs = (template as RawTemplate).outputs ?? {};
  return {
    resources,
    output: (name) => {
      const out = outputs[name];
      if (!out) throw new Error(`no output ${name}`);
      return main.evaluate(out.value);
    },
    parameter: (name) => main.parameter(name),
  };
}
