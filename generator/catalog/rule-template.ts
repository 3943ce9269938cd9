import type { RuleKind, Severity } from '../manifest/types.js';

export type TriggerOperator = 'gt' | 'lt' | 'eq' | 'ne';

export interface FieldMappingTemplate {
  identifier: string;
  columnName: string;
}

export interface EntityMappingTemplate {
  entityType: string;
  fieldMappings: FieldMappingTemplate[];
}

export interface DataConnector {
  connectorId: string;
  dataTypes: string[];
}

/** How Sentinel folds a rule's alerts into incidents (its `groupingConfiguration`), as a rule file writes it. */
export interface GroupingTemplate {
  enabled?: boolean;
  reopenClosedIncident?: boolean;
  /** Sentinel YAML style duration (5h, 1d); rendered as ISO 8601. */
  lookbackDuration?: string;
  matchingMethod?: 'AllEntities' | 'AnyAlert' | 'Selected';
  groupByEntities?: string[];
  groupByAlertDetails?: ('DisplayName' | 'Severity')[];
  groupByCustomDetails?: string[];
}

export type AggregationKind = 'SingleAlert' | 'AlertPerResult';

/** One file of `analytics-rules/`, as written (the query still a Handlebars template). */
export interface RuleTemplate {
  id: string;
  name: string;
  description: string;
  severity: Severity;
  kind: RuleKind;
  queryFrequency: string;
  queryPeriod: string;
  triggerOperator: TriggerOperator;
  triggerThreshold: number;
  version: string;
  tactics: string[];
  relevantTechniques: string[];
  requiredDataConnectors: DataConnector[];
  entityMappings: EntityMappingTemplate[];
  customDetails?: Record<string, string>;
  alertDetailsOverride?: {
    alertDisplayNameFormat?: string;
    alertDescriptionFormat?: string;
  };
  /** Default true. Sentinel shows alerts without an incident nowhere in the Defender portal: validate warns (errors for our catalog). */
  createIncident?: boolean;
  /** Incident grouping; unset fields take the catalog's defaults (generator/catalog/incident-grouping.ts). */
  incidentConfiguration?: { groupingConfiguration?: GroupingTemplate };
  /** One alert per result row (AlertPerResult, the default) or one per run (SingleAlert). */
  eventGroupingSettings?: { aggregationKind: AggregationKind };
  /** The kinds the query is written for (default both); the manifest may not switch the rule to another. */
  allowedKinds?: RuleKind[];
  query: string;
  /** Cases for the offline evaluator; never part of the rendered rule. */
  tests?: RuleTestCase[];
}

/** A scalar a case expects in an output column. */
export type ExpectedValue = string | number | boolean | null;

/** One case of `tests:` as written: values may hold `${accounts[0].objectId}` placeholders. */
export interface RuleTestCase {
  name: string;
  /** The evaluation clock; default: the newest TimeGenerated of the rows. */
  now?: string;
  /** Table name -> rows in the table's own column names. */
  rows: Record<string, Record<string, unknown>[]>;
  expect: {
    fires: boolean;
    count?: number;
    rows?: Record<string, ExpectedValue>[];
  };
}

/** Where a template came from, so findings can point into it. */
export interface TemplateSource {
  file: string;
  /** Lines of the file, per property path (`query`, `entityMappings[0]...`). */
  lineOf: (segments: readonly (string | number)[]) => number;
  /** 1-based line of the file where the query's first line stands, and its indentation. */
  queryStart: { line: number; column: number };
}

export interface CatalogRule {
  template: RuleTemplate;
  source: TemplateSource;
  /** From the package's own analytics-rules/ (not a user's --rules folder): held to our standards. */
  builtIn: boolean;
}

export interface Catalog {
  rules: CatalogRule[];
  /** Partial name -> Handlebars text. */
  partials: Record<string, string>;
}

/** Sentinel's AttackTactic enum (Microsoft.SecurityInsights), kept with the service's other rules. */
export { ATTACK_TACTICS } from '../validate/service-rules.js';
