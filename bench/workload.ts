/**
 * One benchmark workload in a process of its own, so its peak memory is its own. Prints one JSON line.
 *   scan                      one scan through the Graph client into Table Storage (full or delta, as the
 *                             settings and the last scan decide; its mode is in the output)
 *   paging                    only page through the groups with the same client (what paging alone costs)
 *   diff <from> <to>          stream the diff of two scans
 *   report <scan> <file>      write the scan's Excel report
 *   rawxlsx <scan> <file>     the report's Groups and Findings cells written with exceljs' streaming writer alone
 *   writechanged <scan> <table> [both]  the groups a scan changed, written alone into a table of their own in
 *                             batches of 100, eight at a time: their new rows (`writeMs`: what writing the changes
 *                             alone costs), or with `both` their rows before and after (what a diff must read)
 *   readtable <table>         read such a table whole: what reading the changed groups alone costs
 *   rows                      entities the snapshots take: group versions, change chunks, manifest pages
 */
import { createWriteStream } from 'node:fs';
import ExcelJS from 'exceljs';
import { loadSettings } from '../src/config/settings';
import { createServices } from '../src/app/services';
import { silentLogger } from '../src/observability/logger';
import { runScan } from '../src/scan/runScan';
import { openScanDiff } from '../src/diff/scanDiff';
import { findingRows, groupRow, writeScanReport } from '../src/report/scanReport';
import { groupLinker } from '../src/report/entraLinks';
import type { ReportCell } from '../src/report/cells';
import { submitStringBatch } from '../src/store/tableTransaction';
import { snapshotRowKey } from '../src/store/keys';
import { VERSION_TABLE_PREFIX, versionShard } from '../src/store/versionKeys';
import { CHANGES_TABLE, MANIFESTS_TABLE } from '../src/store/changeLog';

async function main(): Promise<Record<string, unknown>> {
  const [workload, a, b, c] = process.argv.slice(2);
  const services = createServices(loadSettings(process.env), { log: silentLogger });
  const tenantId = services.settings.tenantId;
  const started = performance.now();
  let extra: Record<string, unknown> = {};
  switch (workload) {
    case 'scan': {
      const outcome = await runScan(services.scanDependencies(), { trigger: 'cli' });
      if (outcome.status !== 'complete') throw new Error(`scan ${outcome.status}`);
      const cloudSync = outcome.scan.tenantContext?.cloudSync ?? null;
      extra = {
        scanId: outcome.scan.id,
        mode: outcome.scan.mode,
        pages: outcome.scan.pages,
        groups: outcome.scan.counts.total,
        retries: outcome.scan.retries,
        cloudSync: cloudSync?.status ?? null,
        assignedGroups: cloudSync?.jobs.reduce((sum, job) => sum + (job.assignedGroupIds?.length ?? 0), 0) ?? 0,
      };
      break;
    }
    case 'paging': {
      // Every page through the same Graph client and transport, nothing classified or stored.
      let pages = 0;
      let groups = 0;
      for await (const page of services.scanDependencies().reader.listGroupPages()) {
        pages += 1;
        groups += page.groups.length;
      }
      extra = { pages, groups };
      break;
    }
    case 'diff': {
      const diff = await openScanDiff(services, tenantId, { from: a, to: b });
      let changes = 0;
      for await (const _ of diff.changes()) changes += 1;
      extra = { changes };
      break;
    }
    case 'report': {
      const scan = await services.scans.require(tenantId, a!);
      const { rows, findingRows: findingRowCount } = await writeScanReport(createWriteStream(b!), { scan, groups: () => services.snapshots.readGroups(scan) });
      extra = { rows, findingRows: findingRowCount };
      break;
    }
    case 'rawxlsx': {
      // The same Groups and Findings cells as the report (same values and styles), written with exceljs'
      // streaming writer directly from one read of the snapshot; finding rows simply wait in memory.
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: createWriteStream(b!), useStyles: true, useSharedStrings: false });
      const write = (sheet: ExcelJS.Worksheet, cells: readonly ReportCell[]): void => {
        const row = sheet.addRow(cells.map((cell) => cell.value ?? null));
        cells.forEach((cell, index) => {
          if (cell.style) row.getCell(index + 1).style = cell.style;
        });
        row.commit();
      };
      const link = groupLinker();
      const groupsSheet = workbook.addWorksheet('Groups');
      const findings: ReportCell[][] = [];
      let rows = 0;
      for await (const group of services.snapshots.readGroups(await services.scans.require(tenantId, a!))) {
        write(groupsSheet, groupRow(group, link));
        findings.push(...findingRows(group));
        rows += 1;
      }
      groupsSheet.commit();
      const findingsSheet = workbook.addWorksheet('Findings');
      for (const cells of findings) write(findingsSheet, cells);
      findingsSheet.commit();
      await workbook.commit();
      extra = { rows, findingRows: findings.length };
      break;
    }
    case 'writechanged': {
      const byShard = new Map<string, Array<Record<string, string | undefined> & { partitionKey: string; rowKey: string }>>();
      for await (const chunk of services.snapshots.changeLog.readChunks(tenantId, a!)) {
        for (const entry of chunk.entries) {
          const shard = versionShard(entry.id);
          let rows = byShard.get(shard);
          if (!rows) byShard.set(shard, (rows = []));
          if (entry.a) rows.push({ partitionKey: shard, rowKey: `${snapshotRowKey(entry.id)}-a`, ...entry.a });
          if (entry.b && c === 'both') rows.push({ partitionKey: shard, rowKey: `${snapshotRowKey(entry.id)}-b`, ...entry.b });
        }
      }
      const table = await services.tables.ensureTable(b!);
      const batches: Array<Array<{ partitionKey: string; rowKey: string }>> = [];
      for (const rows of byShard.values()) for (let i = 0; i < rows.length; i += 100) batches.push(rows.slice(i, i + 100));
      const writeStart = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < batches.length) await submitStringBatch(table, 'create', batches[next++]! as never);
        }),
      );
      extra = { rows: batches.reduce((sum, batch) => sum + batch.length, 0), writeMs: Math.round(performance.now() - writeStart) };
      break;
    }
    case 'readtable': {
      let rows = 0;
      for await (const _ of services.tables.table(a!).listEntities()) rows += 1;
      extra = { rows };
      break;
    }
    case 'rows': {
      const count = async (name: string): Promise<number> => {
        let rows = 0;
        try {
          for await (const _ of services.tables.table(name).listEntities({ queryOptions: { select: ['RowKey'] } })) rows += 1;
        } catch {
          return 0; // never created
        }
        return rows;
      };
      let versions = 0;
      for await (const name of services.tables.listTables(VERSION_TABLE_PREFIX)) versions += await count(name);
      extra = { versions, chunks: await count(CHANGES_TABLE), manifestPages: await count(MANIFESTS_TABLE) };
      break;
    }
    default:
      throw new Error(`unknown workload ${workload}`);
  }
  return { workload, ms: Math.round(performance.now() - started), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), cpuMs: cpuMs(), ...extra };
}

/** CPU time of this process (user + system), for telling where a workload's time goes. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 1000);
}

main().then(
  (result) => {
    console.log(JSON.stringify(result));
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
