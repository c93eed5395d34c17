/**
 * Table clients for every table the app uses. Names are `<prefix><name>`; Table Storage names are
 * alphanumeric, start with a letter and hold 3-63 characters.
 */
import { TableClient, TableServiceClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { Settings } from '../config/settings';
import { createAzureCredential } from '../config/credential';

/** HTTP status of a failed Table Storage call (RestError.statusCode), undefined for other errors. */
export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | null)?.statusCode;
}

export interface TableFactory {
  /** A client for `<prefix><name>`; the table is not created. */
  table(name: string): TableClient;
  /** A client for `<prefix><name>`, creating the table if missing (cached per name). */
  ensureTable(name: string): Promise<TableClient>;
  deleteTable(name: string): Promise<void>;
  /** Names (without prefix) of this app's tables that start with `<prefix><startsWith>`. */
  listTables(startsWith: string): AsyncIterable<string>;
}

export function createTableFactory(settings: Settings, credential?: TokenCredential): TableFactory {
  const { prefix, connectionString, endpoint } = settings.tables;
  const options: TableServiceClientOptions = {
    retryOptions: { maxRetries: 6, retryDelayInMs: 200, maxRetryDelayInMs: 10_000 },
  };
  let service: TableServiceClient;
  let client: (name: string) => TableClient;
  if (connectionString) {
    const local = { ...options, allowInsecureConnection: true };
    service = TableServiceClient.fromConnectionString(connectionString, local);
    client = (name) => TableClient.fromConnectionString(connectionString, name, local);
  } else {
    const cred = credential ?? createAzureCredential(settings);
    service = new TableServiceClient(endpoint!, cred, options);
    client = (name) => new TableClient(endpoint!, name, cred, options);
  }
  const created = new Map<string, Promise<TableClient>>();
  const fullName = (name: string): string => `${prefix}${name}`;
  return {
    table: (name) => client(fullName(name)),
    ensureTable(name) {
      let pending = created.get(name);
      if (!pending) {
        const table = client(fullName(name));
        pending = table.createTable().then(() => table);
        pending.catch(() => created.delete(name));
        created.set(name, pending);
      }
      return pending;
    },
    async deleteTable(name) {
      created.delete(name);
      await service.deleteTable(fullName(name));
    },
    async *listTables(startsWith) {
      const from = fullName(startsWith);
      // Table names compare ordinally; '{' sorts right after 'z', bounding the prefix range.
      const filter = `TableName ge '${from}' and TableName lt '${from}{'`;
      for await (const table of service.listTables({ queryOptions: { filter } })) {
        if (table.name?.startsWith(from)) yield table.name.slice(prefix.length);
      }
    },
  };
}
