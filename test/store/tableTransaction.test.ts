/**
 * submitStringBatch: the request it sends is byte for byte the one TableClient.submitTransaction sends (ids aside),
 * and against Azurite it stores, fails and replaces rows as a transaction does.
 */
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { odata, TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import { createHttpHeaders, RestError, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { submitStringBatch, type BatchOperation, type StringEntity } from '../../src/store/tableTransaction';
import { createTableFactory } from '../../src/store/tableClients';
import { testSettings } from '../helpers/settings';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A client whose requests, the SDK's and ours alike, are recorded by the last policy of its pipeline (after
 *  signing, so with every header the wire would get) and answered with an empty 202 instead of being sent. */
function capturingClient(connectionString: string, tableName = 'capturedtable') {
  const requests: PipelineRequest[] = [];
  const accepted = (request: PipelineRequest): PipelineResponse => ({ request, status: 202, headers: createHttpHeaders(), bodyAsText: '' });
  const unreachable: HttpClient = {
    sendRequest: () => Promise.reject(new Error('the capturing policy should have answered')),
  };
  const client = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true, httpClient: unreachable });
  client.pipeline.addPolicy(
    {
      name: 'captureRequest',
      sendRequest: async (request) => {
        requests.push(request);
        return accepted(request);
      },
    },
    { afterPhase: 'Sign' },
  );
  expect(client.pipeline.getOrderedPolicies().at(-1)?.name).toBe('captureRequest');
  return { client, requests };
}

interface Captured {
  method: string;
  url: string;
  allowInsecureConnection: boolean | undefined;
  headers: [string, string][];
  body: string;
  ids: { batch: string; changeset: string };
}

/** The request with its batch/changeset GUIDs, request id, date and signature replaced by placeholders. */
function normalize(request: PipelineRequest): Captured {
  expect(typeof request.body).toBe('string');
  const rawBody = request.body as string;
  const batch = /boundary=batch_(\S+)$/.exec(request.headers.get('Content-Type') ?? '')?.[1] ?? '';
  const changeset = /boundary=changeset_(\S+)\r\n/.exec(rawBody)?.[1] ?? '';
  expect(batch).toMatch(UUID);
  expect(changeset).toMatch(UUID);
  const withoutIds = (text: string): string => text.split(batch).join('<BATCH>').split(changeset).join('<CHANGESET>');
  const perRequest: Record<string, (value: string) => string> = {
    'x-ms-client-request-id': (value) => (UUID.test(value) ? '<REQUEST-ID>' : value),
    'x-ms-date': (value) => (Number.isNaN(Date.parse(value)) ? value : '<DATE>'),
    authorization: (value) => value.replace(/:[A-Za-z0-9+/=]+$/, ':<SIGNATURE>'),
  };
  return {
    method: request.method,
    url: request.url,
    allowInsecureConnection: request.allowInsecureConnection,
    headers: [...request.headers].map(([name, value]) => [name, perRequest[name.toLowerCase()]?.(value) ?? withoutIds(value)]),
    body: withoutIds(rawBody),
    ids: { batch, changeset },
  };
}

const PK = 'tenant ü(1)%';
/** Quotes and a backslash, non-ASCII (incl. a surrogate pair), `'` and other URL-sensitive characters in keys,
 *  control characters, an empty and an undefined property, and properties in an order other than the usual. */
const SAMPLE: StringEntity[] = [
  { partitionKey: PK, rowKey: "o'brien", quote: 'say "hi" \\ back', unicode: 'Zoë — 日本語 🎉', gone: undefined },
  { rowKey: "b*(!)~'' ü", partitionKey: PK, only: 'x' },
  { partitionKey: PK, rowKey: 'c 100% #?&=+', empty: '', control: 'tab\tline\nbell\u0007' },
];
/** The sub-request JSON the SDK's serializer writes for each sample entity. */
const SAMPLE_JSON = [
  '{"PartitionKey":"tenant ü(1)%","RowKey":"o\'brien","quote":"say \\"hi\\" \\\\ back","unicode":"Zoë — 日本語 🎉"}',
  '{"RowKey":"b*(!)~\'\' ü","PartitionKey":"tenant ü(1)%","only":"x"}',
  '{"PartitionKey":"tenant ü(1)%","RowKey":"c 100% #?&=+","empty":"","control":"tab\\tline\\nbell\\u0007"}',
];

const SDK_ACTIONS: Record<BatchOperation, (entity: StringEntity) => TransactionAction> = {
  create: (entity) => ['create', entity],
  upsertReplace: (entity) => ['upsert', entity, 'Replace'],
};

/** The request TableClient.submitTransaction sends, and the one submitStringBatch sends, for the same batch. */
async function captureBoth(connectionString: string, operation: BatchOperation): Promise<{ sdk: Captured; ours: Captured }> {
  const { client, requests } = capturingClient(connectionString);
  await client.submitTransaction(SAMPLE.map(SDK_ACTIONS[operation]));
  await submitStringBatch(client, operation, SAMPLE);
  expect(requests).toHaveLength(2);
  return { sdk: normalize(requests[0]!), ours: normalize(requests[1]!) };
}

describe('submitStringBatch request', () => {
  const connectionStrings = {
    'shared key': () => inject('tablesConnectionString'),
    // An account SAS goes after $batch on the outer URL and is stripped from the sub-request URLs.
    SAS: () =>
      'TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;SharedAccessSignature=sv=2019-02-02&ss=t&srt=o&sp=rwdlacu&se=2030-01-01T00%3A00%3A00Z&spr=https%2Chttp&sig=c2ln%2Bbm90%2Freal%3D',
  };

  for (const [auth, connectionString] of Object.entries(connectionStrings)) {
    for (const operation of ['create', 'upsertReplace'] as const) {
      it(`is the SDK's request byte for byte: ${operation}, ${auth}`, async () => {
        const { sdk, ours } = await captureBoth(connectionString(), operation);

        // Not vacuous: a real multipart body with every entity's JSON, each in a sub-request of its own.
        for (const json of SAMPLE_JSON) expect(sdk.body).toContain(`\r\n\r\n\r\n${json}\r\n--changeset_<CHANGESET>`);
        expect(sdk.body.split('--changeset_<CHANGESET>\r\ncontent-type: application/http\r\n')).toHaveLength(SAMPLE.length + 1);
        expect(sdk.body).toMatch(/^--batch_<BATCH>\r\n/);
        expect(sdk.body).toMatch(/--changeset_<CHANGESET>--\r\n--batch_<BATCH>--\r\n$/);
        expect(sdk.body).not.toContain('gone');
        const headerNames = sdk.headers.map(([name]) => name.toLowerCase());
        for (const name of ['content-type', 'accept', 'dataserviceversion', 'maxdataserviceversion', 'x-ms-version', 'x-ms-client-request-id']) {
          expect(headerNames).toContain(name);
        }
        expect(sdk.url).toMatch(/\/devstoreaccount1\/\$batch(\?|$)/);
        expect(sdk.allowInsecureConnection).toBe(true);

        // Same bytes, headers (names, values and order; content-length, when signed, counts the UTF-8 bytes) and URL.
        expect(ours.method).toBe(sdk.method);
        expect(ours.url).toBe(sdk.url);
        expect(ours.allowInsecureConnection).toBe(sdk.allowInsecureConnection);
        expect(ours.headers).toEqual(sdk.headers);
        expect(ours.body).toBe(sdk.body);
        expect(Buffer.from(ours.body, 'utf8').equals(Buffer.from(sdk.body, 'utf8'))).toBe(true);
        // ...and fresh ids of its own.
        expect(ours.ids.batch).not.toBe(sdk.ids.batch);
        expect(ours.ids.changeset).not.toBe(ours.ids.batch);
      });
    }
  }

  it('sub-requests address upserted rows by their keys, quotes doubled and URL-encoded', async () => {
    const { ours } = await captureBoth(inject('tablesConnectionString'), 'upsertReplace');
    expect(ours.body).toContain(
      `PUT http://127.0.0.1:${new URL(ours.url).port}/devstoreaccount1/capturedtable(PartitionKey='tenant%20%C3%BC(1)%25',RowKey='o''brien') HTTP/1.1\r\n`,
    );
    expect(ours.body).toContain("RowKey='b*(!)~''''%20%C3%BC')");
    expect(ours.body).toContain("RowKey='c%20100%25%20%23%3F%26%3D%2B')");
  });
});

describe('submitStringBatch against Azurite', () => {
  const sorted = (entities: StringEntity[]): StringEntity[] => [...entities].sort((a, b) => (a.rowKey < b.rowKey ? -1 : 1));
  const defined = (entity: StringEntity): StringEntity =>
    Object.fromEntries(Object.entries(entity).filter(([, value]) => value !== undefined)) as StringEntity;

  /** What a caller sees of a failed transaction; the message ends with the service's request id and time. */
  const errorSummary = (error: unknown) => {
    expect(error).toBeInstanceOf(RestError);
    const { name, statusCode, code, message } = error as RestError;
    return { name, statusCode, code, message: message.replace(/\nRequestId:.*$/s, '') };
  };

  async function stored(table: TableClient, partitionKey: string): Promise<StringEntity[]> {
    const rows: StringEntity[] = [];
    const filter = odata`PartitionKey eq ${partitionKey}`;
    for await (const entity of table.listEntities<Record<string, string>>({ queryOptions: { filter } })) {
      const { etag, timestamp, ...properties } = entity as TableEntityResult<Record<string, string>>;
      expect(etag).toBeTruthy();
      rows.push(properties as StringEntity);
    }
    return sorted(rows);
  }

  it('creates rows, fails a batch holding an existing row as a whole, and upsert-replaces', async () => {
    const table = await createTableFactory(testSettings()).ensureTable('txn');
    const pk = "part'ü 1";
    const first: StringEntity[] = [
      { partitionKey: pk, rowKey: "r1'o", name: 'Zoë "Z" — 日本語 🎉', note: 'a\nb', skipped: undefined },
      { partitionKey: pk, rowKey: 'r2 %', name: '', extra: 'only in v1' },
      { partitionKey: pk, rowKey: 'r3', name: 'three' },
    ];
    await submitStringBatch(table, 'create', first);
    expect(await stored(table, pk)).toEqual(sorted(first.map(defined)));

    // r2 exists: the whole batch fails with the sub-request's error, as the SDK reports it, and stores nothing.
    const second: StringEntity[] = [
      { partitionKey: pk, rowKey: 'r4', name: 'four' },
      { partitionKey: pk, rowKey: 'r2 %', name: 'two, v2' },
      { partitionKey: pk, rowKey: 'r5', name: 'five' },
    ];
    const ours = await submitStringBatch(table, 'create', second).then(
      () => null,
      (error: unknown) => error,
    );
    const sdks = await table.submitTransaction(second.map((entity): TransactionAction => ['create', entity])).then(
      () => null,
      (error: unknown) => error,
    );
    expect(ours).toBeInstanceOf(RestError);
    expect(ours).toMatchObject({ name: 'RestError', statusCode: 409, code: 'EntityAlreadyExists' });
    expect(errorSummary(ours)).toEqual(errorSummary(sdks));
    expect(await stored(table, pk)).toEqual(sorted(first.map(defined)));

    // Replacing stores the new rows and leaves r2 with exactly its new properties: `extra` is gone.
    await submitStringBatch(table, 'upsertReplace', second);
    expect(await stored(table, pk)).toEqual(sorted([first[0]!, first[2]!, ...second].map(defined)));
  });

  it('rejects like the SDK when the table does not exist', async () => {
    const table = createTableFactory(testSettings()).table('missing');
    const entities: StringEntity[] = [{ partitionKey: 'p', rowKey: 'r', name: 'n' }];
    const ours = await submitStringBatch(table, 'upsertReplace', entities).then(() => null, (error: unknown) => error);
    const sdks = await table.submitTransaction([['upsert', entities[0]!, 'Replace']]).then(() => null, (error: unknown) => error);
    expect(ours).toBeInstanceOf(RestError);
    expect((ours as RestError).statusCode).toBeGreaterThanOrEqual(400);
    expect(errorSummary(ours)).toEqual(errorSummary(sdks));
  });
});

describe('submitStringBatch validation', () => {
  const row = (rowKey: string, extra: Record<string, unknown> = {}): StringEntity =>
    ({ partitionKey: 'p', rowKey, ...extra }) as StringEntity;

  async function rejection(entities: StringEntity[]): Promise<{ error: unknown; sent: number }> {
    const { client, requests } = capturingClient(inject('tablesConnectionString'));
    const error = await submitStringBatch(client, 'create', entities).then(() => null, (e: unknown) => e);
    return { error, sent: requests.length };
  }

  it('sends nothing for no entities', async () => {
    expect(await rejection([])).toEqual({ error: null, sent: 0 });
  });

  it('accepts 100 entities and refuses 101', async () => {
    const rows = Array.from({ length: 101 }, (_, i) => row(`r${i}`));
    expect(await rejection(rows.slice(0, 100))).toEqual({ error: null, sent: 1 });
    const { error, sent } = await rejection(rows);
    expect(sent).toBe(0);
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(/at most 100 entities, got 101/);
  });

  it('refuses entities of different partitions', async () => {
    const { error, sent } = await rejection([row('a'), { partitionKey: 'q', rowKey: 'b' }]);
    expect(sent).toBe(0);
    expect(String(error)).toMatch(/one partition key: got 'p' and 'q'/);
  });

  it.each([
    ['a number', { count: 3 }, /property 'count' is number, not a string/],
    ['null', { name: null }, /property 'name' is null, not a string/],
    ['a boolean', { flag: true }, /property 'flag' is boolean, not a string/],
    ['a Date', { at: new Date(0) }, /property 'at' is object, not a string/],
    ['a missing rowKey', { rowKey: undefined }, /needs a string partitionKey and rowKey/],
    ['an etag the SDK would turn into odata.etag', { etag: 'W/"x"' }, /property 'etag' would not be stored/],
    ['a timestamp the SDK would turn into Timestamp', { timestamp: 'now' }, /property 'timestamp' would not be stored/],
  ])('refuses %s', async (_, extra, message) => {
    const { error, sent } = await rejection([row('a'), row('b', extra)]);
    expect(sent).toBe(0);
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(message);
  });
});
