// Spreadsheet throughput: read 100,000 rows x 10 columns from CSV and from XLSX, write 100,000
// rows to XLSX, each the median of 5 runs, with the peak resident-memory growth of each phase.
// The inputs are generated in a temp dir: the CSV byte by byte, the XLSX by exceljs with shared
// strings, as Excel and LibreOffice write them. Every run is a fresh child process, so each
// phase's memory growth is measured from a clean start, not from what an earlier phase left;
// each child first runs its phase on 5,000 rows, unmeasured, so the JIT is warm as in a server.
import ExcelJS from 'exceljs';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildConfig } from '../src/core/config/config.js';
import { SpreadsheetService } from '../src/core/files/spreadsheet.service.js';
import { SpreadsheetWriter, type CellValue } from '../src/core/files/spreadsheet-writer.js';
import { BenchReport, median } from './bench-report.js';

const ROWS = 100_000;
const WARM_UP_ROWS = 5_000;
const RUNS = 5;
const MB = 1024 * 1024;
const HEADERS = [
  'Name',
  'Email',
  'Company',
  'Website',
  'City',
  'Country',
  'Employees',
  'Revenue',
  'Founded',
  'Notes',
];

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function row(i: number): CellValue[] {
  return [
    `Person ${i}`,
    `person${i}@example.com`,
    `Company ${i % 5000}`,
    `https://company${i % 5000}.example.com`,
    ['Berlin', 'Paris', 'Oslo', 'Lisbon', 'Tallinn'][i % 5],
    ['DE', 'FR', 'NO', 'PT', 'EE'][i % 5],
    (i * 37) % 10_000,
    Math.round(i * 1234.5) / 100,
    new Date(Date.UTC(1950 + (i % 70), i % 12, 1 + (i % 28))),
    i % 3 === 0 ? 'Met at the fair, "follow up" in spring; likes short emails' : '',
  ];
}

async function makeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const field = (value: CellValue): string => {
    const text = value instanceof Date ? value.toISOString().slice(0, 10) : String(value ?? '');
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  let chunk = `${HEADERS.join(',')}\n`;
  for (let i = 0; i < rows; i++) {
    chunk += `${row(i).map(field).join(',')}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

async function makeXlsx(path: string, rows: number): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: true,
    useStyles: true,
  });
  const sheet = workbook.addWorksheet('Leads');
  sheet.addRow(HEADERS).commit();
  for (let i = 0; i < rows; i++) sheet.addRow(row(i)).commit();
  sheet.commit();
  await workbook.commit();
}

/** Rows per second and the peak RSS growth (sampled every 5 ms) of one run of `work`. */
async function measure(
  work: (rows: number, suffix: string) => Promise<number>,
): Promise<{ rowsPerSecond: number; growthMb: number }> {
  await work(WARM_UP_ROWS, '-warm-up');
  gc();
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const started = performance.now();
  const rows = await work(ROWS, '');
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  if (rows !== ROWS) throw new Error(`expected ${ROWS} rows, got ${rows}`);
  return { rowsPerSecond: rows / seconds, growthMb: (peak - before) / MB };
}

const spreadsheets = new SpreadsheetService(buildConfig({}));

/** Reads every row and touches every value, as a module ingesting the file would. */
async function readAll(path: string): Promise<number> {
  const reader = await spreadsheets.open(path);
  let rows = 0;
  let characters = 0;
  for await (const item of reader) {
    for (const header of reader.headers) characters += item.values[header].length;
    rows++;
  }
  if (characters === 0) throw new Error('read nothing');
  return rows;
}

async function writeAll(path: string, rows: number): Promise<number> {
  const writer = SpreadsheetWriter.toFile(path, {
    format: 'xlsx',
    columns: [...HEADERS, 'Generated email'],
  });
  for (let i = 0; i < rows; i++) {
    await writer.addRow([
      ...row(i),
      `Hi Person ${i}, I saw Company ${i % 5000} is growing fast in your city.`,
    ]);
  }
  await writer.finish();
  return rows;
}

type Phase = 'csv_read' | 'xlsx_read' | 'xlsx_write';

async function runPhase(
  phase: Phase,
  dir: string,
): Promise<{ rowsPerSecond: number; growthMb: number }> {
  switch (phase) {
    case 'csv_read':
      return measure((_, suffix) => readAll(join(dir, `leads${suffix}.csv`)));
    case 'xlsx_read':
      return measure((_, suffix) => readAll(join(dir, `leads${suffix}.xlsx`)));
    case 'xlsx_write':
      return measure((rows, suffix) => writeAll(join(dir, `out${suffix}.xlsx`), rows));
  }
}

/** One run of one phase in a child process of its own. */
function runChild(phase: Phase, dir: string): { rowsPerSecond: number; growthMb: number } {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), phase, dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`${phase} run failed (exit ${child.status})`);
  return JSON.parse(child.stdout) as { rowsPerSecond: number; growthMb: number };
}

const [phaseArg, dirArg] = process.argv.slice(2);
if (phaseArg) {
  process.stdout.write(JSON.stringify(await runPhase(phaseArg as Phase, dirArg)));
} else {
  const dir = await mkdtemp(join(tmpdir(), 'conveyor-bench-spreadsheets-'));
  try {
    await makeCsv(join(dir, 'leads.csv'), ROWS);
    await makeXlsx(join(dir, 'leads.xlsx'), ROWS);
    await makeCsv(join(dir, 'leads-warm-up.csv'), WARM_UP_ROWS);
    await makeXlsx(join(dir, 'leads-warm-up.xlsx'), WARM_UP_ROWS);
    const phases: { name: Phase; target: string }[] = [
      { name: 'csv_read', target: '>= 150000' },
      { name: 'xlsx_read', target: '>= 30000' },
      { name: 'xlsx_write', target: '>= 20000' },
    ];
    const report = new BenchReport('spreadsheets');
    let failed = false;
    for (const phase of phases) {
      const runs = Array.from({ length: RUNS }, () => runChild(phase.name, dir));
      const speed = report.record({
        metric: `${phase.name}_rows_per_s`,
        value: median(runs.map((run) => run.rowsPerSecond)),
        unit: 'rows/s',
        target: phase.target,
      });
      const memory = report.record({
        metric: `${phase.name}_peak_rss_growth`,
        value: Math.max(...runs.map((run) => run.growthMb)),
        unit: 'MB',
        target: '< 200',
      });
      failed = failed || !speed || !memory;
    }
    process.exitCode = failed ? 1 : 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
