/**
 * Entity group transactions of flat string entities, written as text. `TableClient.submitTransaction` builds every
 * row through a whole request pipeline (span, URL template, mapper serializer, intercepting policies), about 35 µs
 * of CPU a row; this module writes the same `$batch` body directly (format copied from @azure/data-tables 13.3.2:
 * TableTransaction.js, TablePolicies.js, utils/transactionHelpers.js, the generated insertEntity/updateEntity specs)
 * and sends it through the client's own pipeline, so authentication, retries and throttling stay the SDK's.
 */
import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';

/** Flat entity whose every property is a string; undefined properties are left out. `E` lets an interface
 *  without an index signature (SnapshotEntity) qualify by its own keys. */
export type StringEntity<E = Record<string, string | undefined>> = { partitionKey: string; rowKey: string } & {
  [K in keyof E]: string | undefined;
};

export type BatchOperation = 'create' | 'upsertReplace';

/** The service's limit of operations in one entity group transaction. */
export const MAX_BATCH_ENTITIES = 100;

const CRLF = '\r\n';
const httpClient = createDefaultHttpClient();

/** Query parameters of a SAS that the SDK strips from sub-request URLs (the outer request carries the SAS). */
const SAS_PARAMETERS = ['sv', 'ss', 'srt', 'sp', 'se', 'st', 'spr', 'sig'];

/** Start line verb and headers of each sub-request, in the order the generated operation specs serialize them:
 *  insertEntity with `Prefer: return-no-content` (as TableClient.createEntity asks), and updateEntity without
 *  If-Match (an upsert). The SDK drops x-ms-version from sub-requests. */
const SUB_REQUEST: Record<BatchOperation, { method: string; headers: string }> = {
  create: {
    method: 'POST',
    headers: [
      'Content-Type: application/json;odata=nometadata',
      'Accept: application/json;odata=minimalmetadata',
      'DataServiceVersion: 3.0',
      'Prefer: return-no-content',
    ].join(CRLF),
  },
  upsertReplace: {
    method: 'PUT',
    headers: ['Content-Type: application/json', 'DataServiceVersion: 3.0', 'Accept: application/json'].join(CRLF),
  },
};

/**
 * Submits up to 100 entities of one partition as one entity group transaction. Resolves when the service accepted
 * all; rejects with a RestError (from @azure/core-rest-pipeline) whose statusCode/code are those of the failing
 * sub-request (e.g. 409 EntityAlreadyExists), exactly like TableClient.submitTransaction does.
 */
export async function submitStringBatch<E extends StringEntity<E>>(
  table: TableClient,
  operation: BatchOperation,
  entities: readonly E[],
): Promise<void> {
  if (entities.length === 0) return;
  if (entities.length > MAX_BATCH_ENTITIES) {
    throw new Error(`A table transaction holds at most ${MAX_BATCH_ENTITIES} entities, got ${entities.length}`);
  }
  const partitionKey = entities[0]!.partitionKey;
  const urls = tableUrls(table);
  const { method, headers } = SUB_REQUEST[operation];
  const batchId = randomUUID();
  const changesetId = randomUUID();
  // Everything of a sub-request before its URL, and between the URL and the JSON. The SDK ends the headers with an
  // empty line and then joins one more CRLF, so each JSON body starts after two empty lines.
  const partStart = `--changeset_${changesetId}${CRLF}content-type: application/http${CRLF}content-transfer-encoding: binary${CRLF}${CRLF}${method} `;
  const partMiddle = ` HTTP/1.1${CRLF}${headers}${CRLF}${CRLF}${CRLF}`;

  const parts: string[] = [`--batch_${batchId}${CRLF}content-type: multipart/mixed; boundary=changeset_${changesetId}${CRLF}${CRLF}`];
  for (const entity of entities) {
    if (entity.partitionKey !== partitionKey) {
      throw new Error(
        `All entities of a table transaction must share one partition key: got '${partitionKey}' and '${String(entity.partitionKey)}'`,
      );
    }
    const json = entityJson(entity as StringEntity);
    const url =
      operation === 'create'
        ? urls.entitySet
        : `${urls.entitySetPath}(PartitionKey='${keyInUrl(entity.partitionKey)}',RowKey='${keyInUrl(entity.rowKey)}')${urls.entitySetQuery}`;
    parts.push(`${partStart}${url}${partMiddle}${json}`);
  }
  parts.push(`--changeset_${changesetId}--${CRLF}--batch_${batchId}--${CRLF}`);

  const request = createPipelineRequest({
    url: urls.batch,
    method: 'POST',
    body: parts.join(CRLF),
    // The SDK's outer headers (utils/baseTransactionHeaders.js + transactionHeaders.js), same names and order.
    headers: createHttpHeaders({
      accept: 'application/json',
      'x-ms-version': '2019-02-02',
      DataServiceVersion: '3.0;',
      MaxDataServiceVersion: '3.0;NetFx',
      'Content-Type': `multipart/mixed; boundary=batch_${batchId}`,
      'Accept-Charset': 'UTF-8',
      Connection: 'Keep-Alive',
    }),
    allowInsecureConnection: urls.insecure,
  });
  throwOnFailure(await table.pipeline.sendRequest(httpClient, request));
}

/** The entity as the SDK's serializer writes it: own properties in their order, partitionKey/rowKey renamed. */
function entityJson(entity: StringEntity): string {
  if (typeof entity.partitionKey !== 'string' || typeof entity.rowKey !== 'string') {
    throw new Error('A table entity needs a string partitionKey and rowKey');
  }
  const wire: Record<string, string> = {};
  for (const name of Object.keys(entity)) {
    const value: unknown = entity[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      const kind = value === null ? 'null' : typeof value;
      throw new Error(`Entity ${entity.partitionKey}/${entity.rowKey}: property '${name}' is ${kind}, not a string`);
    }
    if (name === 'partitionKey') wire.PartitionKey = value;
    else if (name === 'rowKey') wire.RowKey = value;
    else if (name === 'etag' || name === 'timestamp') {
      // The SDK would send these as the system properties odata.etag/Timestamp, which the service does not store.
      throw new Error(`Entity ${entity.partitionKey}/${entity.rowKey}: property '${name}' would not be stored; rename it`);
    } else wire[name] = value;
  }
  return JSON.stringify(wire);
}

/** A key inside `(PartitionKey='…')`: OData doubles quotes, the URL template percent-encodes (TableClient.upsertEntity). */
function keyInUrl(key: string): string {
  return encodeURIComponent(key.replace(/'/g, "''"));
}

interface TableUrls {
  /** Where the transaction is posted: the account URL + `/$batch`, any SAS after it. */
  batch: string;
  /** A create's sub-request URL: the table's entity set, without the SAS. */
  entitySet: string;
  /** entitySet split around where an upsert puts its keys. */
  entitySetPath: string;
  entitySetQuery: string;
  insecure: boolean;
}

/** The URLs the SDK derives from the account URL (InternalTableTransaction, core-client's appendPath,
 *  TablePolicies' getSubRequestUrl), computed once per batch rather than per row. */
function tableUrls(table: TableClient): TableUrls {
  const [account = '', sas] = table.url.split('?');
  const url = new URL(table.url);
  url.pathname = `${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}${encodeURIComponent(table.tableName)}`;
  for (const name of SAS_PARAMETERS) url.searchParams.delete(name);
  const entitySet = url.toString();
  const query = url.search + url.hash;
  return {
    batch: `${account.endsWith('/') ? account : `${account}/`}$batch${sas === undefined ? '' : `?${sas}`}`,
    entitySet,
    entitySetPath: entitySet.slice(0, entitySet.length - query.length),
    entitySetQuery: query,
    insecure: url.protocol === 'http:',
  };
}

/** TableTransaction.js parseTransactionResponse: a failed batch, or the first sub-response carrying a body (only
 *  errors do: creates ask for no content), becomes a RestError with that status and the service's error code. */
function throwOnFailure(response: PipelineResponse): void {
  const body = response.bodyAsText || '';
  if (response.status < 200 || response.status >= 300) throw transactionError(body, response.status, response);
  // The first piece precedes the first sub-response and the last follows the closing boundary.
  for (const subResponse of body.split('--changesetresponse_').slice(1, -1)) {
    const status = Number.parseInt(/HTTP\/1.1 ([0-9]*)/.exec(subResponse)?.[1] ?? '');
    if (!Number.isInteger(status)) throw new Error(`Couldn't extract status from sub-response:\n ${subResponse}`);
    const error = /\{(.*)\}/.exec(subResponse);
    if (error) throw transactionError(error[0], status, response);
  }
}

function transactionError(bodyText: string, statusCode: number, response: PipelineResponse): RestError {
  const error = odataError(bodyText);
  return new RestError(error?.message?.value ?? 'Transaction Failed', {
    code: error?.code,
    statusCode,
    request: response.request,
    response,
  });
}

interface ODataError {
  code?: string;
  message?: { value?: string };
}

/** The `odata.error` of an error body; none (a generic message, as the SDK gives) when it is not that JSON. */
function odataError(bodyText: string): ODataError | undefined {
  try {
    return (JSON.parse(bodyText) as { 'odata.error'?: ODataError } | null)?.['odata.error'];
  } catch {
    return undefined;
  }
}
