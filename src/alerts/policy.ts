/**
 * The alert policy: what the admin expects of their groups, which rules alert and how loud, and when a
 * night's changes count as a mass change. Read once at start-up from ALERT_POLICY (inline JSON, or a path
 * to a JSON file) and validated with zod, so a typo fails the app at start with the field named instead of
 * silently alerting on the wrong things. The schema is documented in docs/alerts.md.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigurationError, errorMessage } from '../errors';
import { ON_PREMISES_GROUP_TYPES, type Bucket, type GroupKind, type OnPremisesGroupType, type Severity, type SourceOfAuthority } from '../model';
import { ALERT_RULE_IDS, alertRuleById, type AlertRuleId } from './rules';

const SETTING = 'ALERT_POLICY';

export interface MassChangePolicy {
  /** More than this share of all groups alerting in one evaluation is a mass change (0 < share <= 1). */
  readonly maxShare: number;
  /** ...but never below this many alerting groups, so small tenants are not collapsed for one change. */
  readonly minGroups: number;
  /** Examples kept (and shown) in the one summary alert. */
  readonly examples: number;
}

export interface GroupMatch {
  readonly groupIds: ReadonlySet<string> | null;
  /** `namePattern` compiled: a JavaScript regular expression, case-insensitive, unanchored. */
  readonly namePattern: RegExp | null;
  readonly kinds: readonly GroupKind[] | null;
  readonly dynamic: boolean | null;
  readonly roleAssignable: boolean | null;
  readonly team: boolean | null;
  /** Compared case-insensitively (Graph sends Public, Private, HiddenMembership). */
  readonly visibility: string | null;
  readonly sourceOfAuthority: SourceOfAuthority | null;
}

export interface ExpectedState {
  /** Allowed buckets; null = not stated. */
  readonly buckets: readonly Bucket[] | null;
  /** Allowed effective target types, where a null entry allows "none"; null = not stated. */
  readonly effectiveTargetTypes: readonly (OnPremisesGroupType | null)[] | null;
}

export interface Expectation {
  readonly id: string;
  readonly description: string | null;
  readonly match: GroupMatch;
  readonly expect: ExpectedState;
  /** Severity of its violations; null = the severity of rule expectationViolated. */
  readonly severity: Severity | null;
}

export interface ResolvedRule {
  readonly enabled: boolean;
  readonly severity: Severity;
}

export interface AlertPolicy {
  readonly expectations: readonly Expectation[];
  readonly rules: Readonly<Record<AlertRuleId, ResolvedRule>>;
  readonly massChange: MassChangePolicy;
}

export const DEFAULT_MASS_CHANGE: MassChangePolicy = Object.freeze({ maxShare: 0.05, minGroups: 50, examples: 20 });

// ---- schema ---------------------------------------------------------------------------------------------

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const severitySchema = z.enum(['high', 'medium', 'low', 'info']);
const bucketSchema = z.enum(['writtenBack', 'legacyDefault', 'notWrittenBack']);
const kindSchema = z.enum(['microsoft365', 'security', 'mailEnabledSecurity', 'distribution', 'unknown']);
const targetSchema = z.enum(ON_PREMISES_GROUP_TYPES);

const namePatternSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(500, 'must be at most 500 characters')
  .superRefine((pattern, ctx) => {
    try {
      new RegExp(pattern, 'i');
    } catch (error) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `is not a valid regular expression (${errorMessage(error)})` });
    }
  });

const matchSchema = z
  .object({
    groupIds: z.array(z.string().regex(GUID, 'must be a group id (GUID)')).min(1, 'must list at least one group id').optional(),
    namePattern: namePatternSchema.optional(),
    // One kind or a list of kinds.
    kind: z.preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(kindSchema).min(1, 'must name at least one kind')).optional(),
    dynamic: z.boolean().optional(),
    roleAssignable: z.boolean().optional(),
    team: z.boolean().optional(),
    visibility: z.string().min(1, 'must not be empty').optional(),
    sourceOfAuthority: z.enum(['onPremises', 'cloudFormerlySynced', 'cloud']).optional(),
  })
  .strict();

const expectSchema = z
  .object({
    bucket: bucketSchema.optional(),
    buckets: z.array(bucketSchema).min(1, 'must list at least one bucket').optional(),
    // null = the group must have no effective target type (it is not written back).
    effectiveTargetType: targetSchema.nullable().optional(),
    effectiveTargetTypes: z.array(targetSchema.nullable()).min(1, 'must list at least one type (null allows none)').optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.bucket !== undefined && value.buckets !== undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['buckets'], message: 'cannot be combined with bucket: use one of them' });
    }
    if (value.effectiveTargetType !== undefined && value.effectiveTargetTypes !== undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['effectiveTargetTypes'], message: 'cannot be combined with effectiveTargetType: use one of them' });
    }
    if (value.bucket === undefined && value.buckets === undefined && value.effectiveTargetType === undefined && value.effectiveTargetTypes === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must state bucket, buckets, effectiveTargetType or effectiveTargetTypes' });
    }
  });

const expectationSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit'),
    description: z.string().max(500, 'must be at most 500 characters').optional(),
    match: matchSchema,
    expect: expectSchema,
    severity: severitySchema.optional(),
  })
  .strict();

const ruleOverrideSchema = z.object({ enabled: z.boolean().optional(), severity: severitySchema.optional() }).strict();

const rulesSchema = z
  .object(Object.fromEntries(ALERT_RULE_IDS.map((id) => [id, ruleOverrideSchema.optional()])) as Record<AlertRuleId, z.ZodOptional<typeof ruleOverrideSchema>>)
  .strict();

const policySchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1).optional(),
    expectations: z.array(expectationSchema).max(500, 'must hold at most 500 expectations').optional(),
    rules: rulesSchema.optional(),
    massChange: z
      .object({
        maxShare: z.number().gt(0, 'must be greater than 0').lte(1, 'must be at most 1 (a share, e.g. 0.05 for 5%)').optional(),
        minGroups: z.number().int('must be a whole number').min(1, 'must be at least 1').optional(),
        examples: z.number().int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.expectations?.forEach((expectation, index) => {
      if (seen.has(expectation.id)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['expectations', index, 'id'], message: `repeats "${expectation.id}": expectation ids must be unique` });
      }
      seen.add(expectation.id);
    });
  });

type PolicyDocument = z.infer<typeof policySchema>;

// ---- loading --------------------------------------------------------------------------------------------

/**
 * Reads ALERT_POLICY: null or blank = built-in defaults; text starting with `{` = inline JSON; anything
 * else = path of a JSON file. Throws ConfigurationError naming the bad field, e.g.
 * `ALERT_POLICY: expectations[2].expect.bucket must be one of writtenBack, legacyDefault, notWrittenBack`.
 */
export function loadAlertPolicy(source: string | null): AlertPolicy {
  const text = source?.trim() ?? '';
  if (text === '') return DEFAULT_ALERT_POLICY;
  if (text.startsWith('{')) return parseAlertPolicy(parseJson(text, SETTING));
  let fileText: string;
  try {
    fileText = readFileSync(text, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `${SETTING}: cannot read the policy file ${text} (${errorMessage(error)}). Set ${SETTING} to inline JSON starting with "{" or to the path of a readable JSON file.`,
      SETTING,
    );
  }
  return parseAlertPolicy(parseJson(fileText, `${SETTING} (file ${text})`), `${SETTING} (file ${text})`);
}

/** Validates an already parsed policy document. */
export function parseAlertPolicy(document: unknown, label = SETTING): AlertPolicy {
  const result = policySchema.safeParse(document);
  if (!result.success) {
    // A misspelt field also makes the real one "required"; naming the misspelling is the useful message.
    const issues = [...result.error.issues].sort((a, b) => Number(b.code === z.ZodIssueCode.unrecognized_keys) - Number(a.code === z.ZodIssueCode.unrecognized_keys));
    const [first, ...rest] = issues;
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
    throw new ConfigurationError(`${label}: ${describeIssue(first!)}${more}. See docs/alerts.md for the policy schema.`, SETTING);
  }
  return resolve(result.data);
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigurationError(`${label} is not valid JSON (${errorMessage(error)}).`, SETTING);
  }
}

/** `expectations[2].expect.bucket`: the path as it would be written in JavaScript. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

function describeIssue(issue: z.ZodIssue): string {
  const path = formatPath(issue.path);
  const subject = path === '' ? 'the policy' : path;
  switch (issue.code) {
    case z.ZodIssueCode.invalid_enum_value:
      return `${subject} must be one of ${issue.options.join(', ')}`;
    case z.ZodIssueCode.invalid_literal:
      return `${subject} must be ${JSON.stringify(issue.expected)}`;
    case z.ZodIssueCode.invalid_type:
      if (issue.received === 'undefined') return `${subject} is required`;
      if (issue.expected === 'integer') return `${subject} must be a whole number`;
      return `${subject} must be ${article(issue.expected)} (got ${issue.received})`;
    case z.ZodIssueCode.unrecognized_keys: {
      const keys = issue.keys.join(', ');
      const hint = path === 'rules' ? ` (rule ids are ${ALERT_RULE_IDS[0]}..${ALERT_RULE_IDS[ALERT_RULE_IDS.length - 1]})` : '';
      return `${subject} has unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}${hint}`;
    }
    default:
      return `${subject} ${issue.message}`;
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function resolve(document: PolicyDocument): AlertPolicy {
  const rules = {} as Record<AlertRuleId, ResolvedRule>;
  for (const id of ALERT_RULE_IDS) {
    const override = document.rules?.[id];
    const rule = alertRuleById(id);
    rules[id] = Object.freeze({
      enabled: override?.enabled ?? rule.enabledByDefault,
      severity: override?.severity ?? rule.defaultSeverity,
    });
  }
  const expectations = (document.expectations ?? []).map(
    (e): Expectation =>
      Object.freeze({
        id: e.id,
        description: e.description ?? null,
        match: Object.freeze({
          groupIds: e.match.groupIds ? new Set(e.match.groupIds.map((id) => id.toLowerCase())) : null,
          namePattern: e.match.namePattern !== undefined ? new RegExp(e.match.namePattern, 'i') : null,
          kinds: e.match.kind ?? null,
          dynamic: e.match.dynamic ?? null,
          roleAssignable: e.match.roleAssignable ?? null,
          team: e.match.team ?? null,
          visibility: e.match.visibility ?? null,
          sourceOfAuthority: e.match.sourceOfAuthority ?? null,
        }),
        expect: Object.freeze({
          buckets: e.expect.buckets ?? (e.expect.bucket !== undefined ? [e.expect.bucket] : null),
          effectiveTargetTypes: e.expect.effectiveTargetTypes ?? (e.expect.effectiveTargetType !== undefined ? [e.expect.effectiveTargetType] : null),
        }),
        severity: e.severity ?? null,
      }),
  );
  return Object.freeze({
    expectations: Object.freeze(expectations),
    rules: Object.freeze(rules),
    massChange: Object.freeze({
      maxShare: document.massChange?.maxShare ?? DEFAULT_MASS_CHANGE.maxShare,
      minGroups: document.massChange?.minGroups ?? DEFAULT_MASS_CHANGE.minGroups,
      examples: document.massChange?.examples ?? DEFAULT_MASS_CHANGE.examples,
    }),
  });
}

/** The policy in force when ALERT_POLICY is empty: every rule at its default, no expectations. */
export const DEFAULT_ALERT_POLICY: AlertPolicy = resolve({});
